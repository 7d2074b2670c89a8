using System;
using System.Linq;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Scoring passes: rows by length, at most ScoringBatchSize rows and a budget of positions each (about a million on CUDA, far fewer on the CPU).</summary>
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
            Assert.All(chunks, c => Assert.True(c.Length == 1 || c.Length * c.Max(i => lengths[i]) <= ScoringChunks.CudaPositionBudget));
            Assert.Equal(Enumerable.Range(0, lengths.Length), chunks.SelectMany(c => c).OrderBy(i => i));
        }

        [Fact]
        public void OnTheCpuAPassHoldsFarFewerPositionsFewerStillForWiderModels()
        {
            Assert.Equal(ScoringChunks.CudaPositionBudget, ScoringChunks.PositionBudget(TorchSharp.DeviceType.CUDA, 64));
            Assert.Equal(8192, ScoringChunks.PositionBudget(TorchSharp.DeviceType.CPU, 64));
            Assert.Equal(4096, ScoringChunks.PositionBudget(TorchSharp.DeviceType.CPU, 128));
            Assert.Equal(1, ScoringChunks.PositionBudget(TorchSharp.DeviceType.CPU, 1 << 30));
            // 20 rows of 1,024 tokens at width 64 on the CPU: 8 a pass; of 256 tokens: at most ScoringBatchSize (64) but 32 by positions.
            long budget = ScoringChunks.PositionBudget(TorchSharp.DeviceType.CPU, 64);
            Assert.Equal(new[] { 8, 8, 4 }, ScoringChunks.ByLength(20, i => 1024, 64, budget).Select(c => c.Length));
            Assert.Equal(new[] { 32, 32, 6 }, ScoringChunks.ByLength(70, i => 256, 64, budget).Select(c => c.Length));
            Assert.Throws<ArgumentOutOfRangeException>(() => ScoringChunks.ByLength(1, i => 1, 4, 0).ToList());
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
