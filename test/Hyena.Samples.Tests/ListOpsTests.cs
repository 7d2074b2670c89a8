using System;
using System.Collections.Generic;
using System.Linq;

namespace Hyena.Samples.Tests
{
    public class ListOpsTests
    {
        [Theory]
        [InlineData("7", 7)]
        [InlineData("[MAX 2 9 [MIN 4 7 ] 0 ]", 9)]
        [InlineData("[MIN 3 8 ]", 3)]
        [InlineData("[MED 1 7 3 ]", 3)]
        [InlineData("[MED 1 2 3 4 ]", 2)] // even count: mean of 2 and 3, rounded down
        [InlineData("[MED 9 8 ]", 8)]
        [InlineData("[SM 5 6 7 ]", 8)]
        [InlineData("[SM 0 0 ]", 0)]
        [InlineData("[MIN [MAX 1 2 ] [MED 3 5 9 ] ]", 2)]
        [InlineData("[SM [MAX 9 9 ] [MAX 9 8 ] [MIN 4 9 ] ]", 2)]
        [InlineData("[MAX [MED [SM 1 2 ] [MIN 6 7 ] 0 ] 4 ]", 4)]
        [InlineData("( ( ( [MAX 2 ) 9 ) ] )", 9)] // LRA's TSV spelling with parentheses
        public void EvaluatesHandWrittenExpressions(string expression, int expected)
        {
            Assert.Equal(expected, ListOpsEvaluator.Evaluate(expression));
        }

        [Theory]
        [InlineData("")]
        [InlineData("[MAX 1 2")]
        [InlineData("[MAX 1 2 ] ]")]
        [InlineData("[MAX ]")]
        [InlineData("1 2")]
        [InlineData("[MAX 1 12 ]")]
        [InlineData("[AVG 1 2 ]")]
        public void RejectsMalformedExpressions(string expression)
        {
            Assert.Throws<FormatException>(() => ListOpsEvaluator.Evaluate(expression));
        }

        [Fact]
        public void GeneratedExamplesFollowTheRecipe()
        {
            var generator = new ListOps(seed: 3);
            IReadOnlyList<ListOpsExample> examples = generator.Generate(40);

            Assert.Equal(40, examples.Count);
            Assert.Equal(40, examples.Select(e => e.Text).Distinct().Count());
            foreach (ListOpsExample example in examples)
            {
                Assert.InRange(example.Length, ListOps.DefaultMinLength + 1, ListOps.DefaultMaxLength - 1);
                Assert.Equal(ListOpsEvaluator.Evaluate(example.Tokens), example.Answer);
                (int depth, int minArgs, int maxArgs) = Shape(example.Tokens);
                Assert.InRange(depth, 2, ListOps.DefaultMaxDepth);
                Assert.InRange(minArgs, 2, 10);
                Assert.InRange(maxArgs, 2, 10);
            }

            string[] vocabulary = examples.SelectMany(e => e.Tokens).Distinct().OrderBy(t => t, StringComparer.Ordinal).ToArray();
            Assert.Equal(new[] { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "[MAX", "[MED", "[MIN", "[SM", "]" }, vocabulary);
        }

        [Fact]
        public void CustomBoundsAreHonoured()
        {
            var generator = new ListOps(seed: 8, minLength: 20, maxLength: 60, maxDepth: 4, maxArguments: 5);
            foreach (ListOpsExample example in generator.Generate(200))
            {
                Assert.InRange(example.Length, 21, 59);
                (int depth, int minArgs, int maxArgs) = Shape(example.Tokens);
                Assert.InRange(depth, 2, 4);
                Assert.InRange(minArgs, 2, 5);
                Assert.InRange(maxArgs, 2, 5);
            }
        }

        [Fact]
        public void AnswersCoverSeveralClasses()
        {
            var answers = new ListOps(seed: 1, minLength: 20, maxLength: 200).Generate(300).Select(e => e.Answer).Distinct().Count();
            Assert.True(answers >= 8, $"only {answers} distinct answers");
        }

        [Fact]
        public void IsDeterministic()
        {
            var a = new ListOps(seed: 21, minLength: 50, maxLength: 300).Generate(20);
            var b = new ListOps(seed: 21, minLength: 50, maxLength: 300).Generate(20);
            var c = new ListOps(seed: 22, minLength: 50, maxLength: 300).Generate(20);

            Assert.Equal(a.Select(e => e.Text), b.Select(e => e.Text));
            Assert.NotEqual(a.Select(e => e.Text), c.Select(e => e.Text));
            Assert.Equal(a[7].Text, new ListOps(seed: 21, minLength: 50, maxLength: 300).GetExample(7).Text);
        }

        [Fact]
        public void VocabularyIsFixed()
        {
            Assert.Equal(16, ListOpsVocabulary.Size);
            Assert.Equal(0, ListOpsVocabulary.GetId("<pad>"));
            Assert.Equal(1, ListOpsVocabulary.GetId("0"));
            Assert.Equal(10, ListOpsVocabulary.GetId("9"));
            Assert.Equal(11, ListOpsVocabulary.GetId("[MIN"));
            Assert.Equal(12, ListOpsVocabulary.GetId("[MAX"));
            Assert.Equal(13, ListOpsVocabulary.GetId("[MED"));
            Assert.Equal(14, ListOpsVocabulary.GetId("[SM"));
            Assert.Equal(15, ListOpsVocabulary.GetId("]"));
            for (int id = 0; id < ListOpsVocabulary.Size; id++)
                Assert.Equal(id, ListOpsVocabulary.GetId(ListOpsVocabulary.GetToken(id)));
        }

        [Fact]
        public void EncodesAndPadsIds()
        {
            var example = new ListOpsExample(new[] { "[SM", "3", "4", "]" }, 7);
            Assert.Equal(new[] { 14, 4, 5, 15 }, example.ToIds());
            Assert.Equal(new[] { 14, 4, 5, 15, 0, 0 }, example.ToIds(6));
            Assert.Throws<ArgumentOutOfRangeException>(() => example.ToIds(3));
        }

        [Fact]
        public void RejectsBadBounds()
        {
            Assert.Equal("maxLength", Assert.Throws<ArgumentOutOfRangeException>(() => new ListOps(minLength: 100, maxLength: 101)).ParamName);
            Assert.Equal("maxDepth", Assert.Throws<ArgumentOutOfRangeException>(() => new ListOps(maxDepth: 1)).ParamName);
            Assert.Equal("maxArguments", Assert.Throws<ArgumentOutOfRangeException>(() => new ListOps(maxArguments: 1)).ParamName);
        }

        // Depth of the tree (a digit at the root is depth 1) and the least and most arguments of its operators.
        private static (int Depth, int MinArgs, int MaxArgs) Shape(IReadOnlyList<string> tokens)
        {
            var counts = new Stack<int>();
            int depth = 0;
            int minArgs = int.MaxValue;
            int maxArgs = 0;
            foreach (string token in tokens)
            {
                if (token.StartsWith('['))
                {
                    if (counts.Count > 0)
                        counts.Push(counts.Pop() + 1);
                    counts.Push(0);
                    depth = Math.Max(depth, counts.Count);
                }
                else if (token == "]")
                {
                    int n = counts.Pop();
                    minArgs = Math.Min(minArgs, n);
                    maxArgs = Math.Max(maxArgs, n);
                }
                else
                {
                    if (counts.Count > 0)
                        counts.Push(counts.Pop() + 1);
                    depth = Math.Max(depth, counts.Count + 1);
                }
            }

            return (depth, minArgs, maxArgs);
        }
    }
}
