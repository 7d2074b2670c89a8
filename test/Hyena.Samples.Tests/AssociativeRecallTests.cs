using System;
using System.Linq;

namespace Hyena.Samples.Tests
{
    public class AssociativeRecallTests
    {
        [Theory]
        [InlineData(1024, 1023)]
        [InlineData(1025, 1025)]
        [InlineData(8192, 8191)]
        [InlineData(3, 3)]
        public void HasTheRecipesLength(int sequenceLength, int tokenCount)
        {
            var generator = new AssociativeRecall(sequenceLength, seed: 1);
            Assert.Equal((sequenceLength - 1) / 2, generator.PairCount);
            Assert.Equal(tokenCount, generator.TokenCount);
            Assert.All(generator.Generate(20), e => Assert.Equal(tokenCount, e.Tokens.Length));
        }

        [Fact]
        public void TokensAlternateKeysAndValuesWithAConsistentMappingAndTheLabelIsTheQuerysValue()
        {
            var generator = new AssociativeRecall(257, vocabularySize: 30, seed: 9);
            foreach (AssociativeRecallExample example in generator.Generate(200))
            {
                int[] t = example.Tokens;
                Assert.All(t, id => Assert.InRange(id, 0, 29));
                var mapping = new int?[15];
                for (int p = 0; p + 1 < t.Length - 1; p += 2)
                {
                    Assert.InRange(t[p], 0, 14);
                    Assert.InRange(t[p + 1], 15, 29);
                    mapping[t[p]] ??= t[p + 1];
                    Assert.Equal(mapping[t[p]], t[p + 1]);
                }

                Assert.Equal(t[^1], example.QueryKey);
                Assert.InRange(example.QueryKey, 0, 14);
                Assert.Equal(mapping[example.QueryKey], example.Value);
                Assert.Equal(example.Value, AssociativeRecall.FindAnswer(t));
                Assert.Equal(example.Value - 15, example.LabelClass);
            }
        }

        [Fact]
        public void IsDeterministicAndIndependentOfBatching()
        {
            var a = new AssociativeRecall(1024, seed: 5).Generate(30);
            var b = new AssociativeRecall(1024, seed: 5).Generate(10, firstIndex: 20);
            var single = new AssociativeRecall(1024, seed: 5).GetExample(25);
            var other = new AssociativeRecall(1024, seed: 6).Generate(30);

            for (int i = 0; i < 10; i++)
                Assert.Equal(a[20 + i].Tokens, b[i].Tokens);
            Assert.Equal(a[25].Tokens, single.Tokens);
            Assert.NotEqual(a[0].Tokens, other[0].Tokens);
            Assert.NotEqual(a[0].Tokens, a[1].Tokens);
        }

        [Fact]
        public void IsPinned()
        {
            AssociativeRecallExample example = new AssociativeRecall(11, seed: 0).GetExample(0);
            Assert.Equal(new[] { 7, 17, 3, 19, 3, 19, 13, 18, 2, 29, 3 }, example.Tokens);
            Assert.Equal(19, example.Value);
        }

        [Fact]
        public void EachExampleDrawsAFreshMapping()
        {
            var examples = new AssociativeRecall(513, seed: 2).Generate(50);
            int[] valuesOfKey0 = examples
                .Select(e => Enumerable.Range(0, e.Tokens.Length / 2).Where(p => e.Tokens[2 * p] == 0).Select(p => e.Tokens[(2 * p) + 1]).FirstOrDefault(-1))
                .Where(v => v >= 0)
                .Distinct()
                .ToArray();
            Assert.True(valuesOfKey0.Length > 5, $"key 0 took only {valuesOfKey0.Length} distinct values over 50 examples");
        }

        [Fact]
        public void LabelsCoverAllValues()
        {
            var labels = new AssociativeRecall(1025, seed: 4).Generate(600).Select(e => e.LabelClass).Distinct().Count();
            Assert.Equal(15, labels);
        }

        [Fact]
        public void RejectsBadArguments()
        {
            Assert.Equal("sequenceLength", Assert.Throws<ArgumentOutOfRangeException>(() => new AssociativeRecall(2)).ParamName);
            Assert.Equal("vocabularySize", Assert.Throws<ArgumentOutOfRangeException>(() => new AssociativeRecall(100, vocabularySize: 31)).ParamName);
            Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => new AssociativeRecall(100).Generate(-1)).ParamName);
        }
    }
}
