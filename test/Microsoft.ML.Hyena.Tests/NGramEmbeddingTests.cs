using System;
using System.Linq;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>The hashed n-gram embedding: which n-gram each position reads, causality, range and gradients.</summary>
    public class NGramEmbeddingTests
    {
        private static long[] Row(Tensor t) => t.data<long>().ToArray();

        [Fact]
        public void EqualNGramsShareARowAndDifferentOnesDoNot()
        {
            using var scope = NewDisposeScope();
            using var embedding = new NGramEmbedding(vocabularySize: 300, order: 3, buckets: 1 << 20, width: 4);
            // "abcXabc": the bigram "bc" and the trigram "abc" end at positions 2 and 6 alike.
            var ids = tensor(new long[,] { { 97, 98, 99, 88, 97, 98, 99 } });
            var buckets = embedding.BucketIds(ids);
            Assert.Equal(2, buckets.Length);
            long[] bigrams = Row(buckets[0]), trigrams = Row(buckets[1]);
            Assert.Equal(bigrams[2], bigrams[6]);
            Assert.Equal(trigrams[2], trigrams[6]);
            // Different n-grams hash apart (with 2^20 rows a collision among these few would be a broken hash).
            // Bigrams: (start a), ab, bc, cX, Xa, ab, bc: 5 distinct; trigrams: (start start a), (start a b), abc, bcX, cXa, Xab, abc: 6.
            Assert.Equal(5, bigrams.Distinct().Count());
            Assert.Equal(6, trigrams.Distinct().Count());
            Assert.NotEqual(bigrams[2], trigrams[2]); // "bc" and "abc" end at the same position but are different n-grams
            Assert.All(bigrams.Concat(trigrams), b => Assert.InRange(b, 0, (1 << 20) - 1));
        }

        [Fact]
        public void TheStartOfTheSequenceIsNotPadding()
        {
            using var scope = NewDisposeScope();
            using var embedding = new NGramEmbedding(vocabularySize: 10, order: 2, buckets: 1 << 20, width: 4);
            // The bigram at position 0 of "5" is (start, 5); after a padding id it is (0, 5): they must differ.
            var atStart = Row(embedding.BucketIds(tensor(new long[,] { { 5 } }))[0])[0];
            var afterPadding = Row(embedding.BucketIds(tensor(new long[,] { { 0, 5 } }))[0])[1];
            Assert.NotEqual(atStart, afterPadding);
        }

        [Fact]
        public void APositionReadsOnlyTheTokensUpToIt()
        {
            manual_seed(1);
            using var scope = NewDisposeScope();
            using var embedding = new NGramEmbedding(vocabularySize: 50, order: 4, buckets: 997, width: 6);
            var ids = randint(1, 50, new long[] { 2, 20 });
            var changed = ids.clone();
            changed[0, 9] = (ids[0, 9] % 49) + 1; // another id at position 9 of row 0
            var before = embedding.call(ids);
            var after = embedding.call(changed);
            var differs = (before - after).abs().amax(new long[] { 2 }) > 0;
            // Positions 9 .. 12 read the changed token (n-grams of up to 4 tokens); no other position, no other row does.
            var expected = zeros(2, 20, dtype: ScalarType.Bool);
            expected[0, TensorIndex.Slice(9, 13)] = tensor(true);
            Assert.True(differs.eq(expected).all().item<bool>(), "positions whose embedding changed: " + string.Join(",", differs[0].data<bool>().ToArray().Select((d, i) => d ? i : -1).Where(i => i >= 0)));
        }

        [Fact]
        public void TheSumOfRowsIsWhatTheTableHolds()
        {
            manual_seed(2);
            using var scope = NewDisposeScope();
            using var embedding = new NGramEmbedding(vocabularySize: 30, order: 3, buckets: 64, width: 5);
            var ids = randint(0, 30, new long[] { 3, 11 });
            var buckets = embedding.BucketIds(ids);
            Tensor Rows(Tensor b) => embedding.Weight.index_select(0, b.flatten()).view(3, 11, 5);
            var expected = Rows(buckets[0]) + Rows(buckets[1]);
            TensorAssert.Close(embedding.call(ids), expected, 1e-7, "sum of the bigram and trigram rows");
        }

        [Fact]
        public void OnlyTheRowsReadGetGradients()
        {
            manual_seed(3);
            using var scope = NewDisposeScope();
            using var embedding = new NGramEmbedding(vocabularySize: 30, order: 3, buckets: 4096, width: 5);
            var ids = randint(0, 30, new long[] { 2, 7 });
            embedding.call(ids).sum().backward();
            // Each position adds its two rows once: the gradient of a row is how often it was read (0 for rows never read).
            var grad = embedding.Weight.grad!;
            var counts = bincount(cat(embedding.BucketIds(ids).Select(b => b.flatten()).ToArray()), minlength: 4096).to_type(ScalarType.Float32);
            TensorAssert.Close(grad, counts.unsqueeze(1).expand(-1, 5), 1e-7, "gradient of the table");
        }

        [Theory]
        [InlineData(0L, 3, 8, 4L, "vocabularySize")]
        [InlineData(10L, 1, 8, 4L, "order")]
        [InlineData(10L, 3, 0, 4L, "buckets")]
        [InlineData(10L, 3, 8, 0L, "width")]
        public void BadShapesAreNamed(long vocabulary, int order, int buckets, long width, string parameter)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new NGramEmbedding(vocabulary, order, buckets, width));
            Assert.Equal(parameter, error.ParamName);
        }

        [Fact]
        public void IdsOfAnotherShapeOrTypeAreRefused()
        {
            using var scope = NewDisposeScope();
            using var embedding = new NGramEmbedding(10, 2, 8, 4);
            Assert.Throws<ArgumentException>(() => embedding.call(tensor(new long[] { 1, 2 })));
            Assert.Throws<ArgumentException>(() => embedding.call(tensor(new float[,] { { 1, 2 } })));
        }
    }
}
