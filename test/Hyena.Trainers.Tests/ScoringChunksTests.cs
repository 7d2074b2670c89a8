using System;
using System.Linq;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Scoring passes: rows by length, at most ScoringBatchSize rows and about a million positions each.</summary>
    public class ScoringChunksTests
    {
        [Fact]
        public void ShortRowsGoScoringBatchSizeAtATime()
        {
            var chunks = ScoringChunks.ByLength(70, i => 10, 64).ToList();
            Assert.Equal(new[] { 64, 6 }, chunks.Select(c => c.Length));
            Assert.Equal(Enumerable.Range(0, 70), chunks.SelectMany(c => c));
        }

        [Fact]
        public void LongRowsGoFewerAtATimeAndAnOverlongRowAlone()
        {
            // Lengths: 300k (x 7), then one row of 2M: three rows of 300k fit in 2^20 positions, four do not.
            long[] lengths = { 300_000, 2_000_000, 300_000, 300_000, 300_000, 300_000, 300_000, 300_000 };
            var chunks = ScoringChunks.ByLength(lengths.Length, i => lengths[i], 64).ToList();
            Assert.Equal(new[] { 3, 3, 1, 1 }, chunks.Select(c => c.Length));
            Assert.Equal(new[] { 1 }, chunks[^1]);
            Assert.All(chunks, c => Assert.True(c.Length == 1 || c.Length * c.Max(i => lengths[i]) <= ScoringChunks.PositionBudget));
            Assert.Equal(Enumerable.Range(0, lengths.Length), chunks.SelectMany(c => c).OrderBy(i => i));
        }

        [Fact]
        public void RowsAreSortedByLengthThenIndex()
        {
            long[] lengths = { 5, 3, 5, 1, 3 };
            Assert.Equal(new[] { 3, 1, 4, 0, 2 }, ScoringChunks.ByLength(lengths.Length, i => lengths[i], 2).SelectMany(c => c));
            Assert.Equal(new[] { 2, 2, 1 }, ScoringChunks.ByLength(lengths.Length, i => lengths[i], 2).Select(c => c.Length));
            Assert.Empty(ScoringChunks.ByLength(0, i => 1, 4));
            Assert.Throws<ArgumentOutOfRangeException>(() => ScoringChunks.ByLength(1, i => 1, 0).ToList());
        }
    }
}
