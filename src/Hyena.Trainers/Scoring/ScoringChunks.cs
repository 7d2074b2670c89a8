using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// How rows are grouped into scoring forward passes (the fitted transformer, PredictionEngine, and the
    /// validation during training): by length, so that a pass pads little, and at most
    /// <see cref="HyenaClassificationOptionsBase.ScoringBatchSize"/> rows but also at most a budget of positions (rows
    /// times the longest row) per pass (<see cref="PositionBudget"/>): on CUDA about a million, so that long rows are
    /// scored a few at a time rather than running out of memory (64 rows of 512k tokens do on an H200); on the CPU far
    /// fewer, because there a pass's large tensors made scoring slower per row (benchmarks.md: on 2 cores, width 64,
    /// 64 rows of 1,024 tokens a pass scored 41 rows/s where 16 a pass scored 281).
    /// </summary>
    internal static class ScoringChunks
    {
        /// <summary>Most positions (rows x longest row) in one scoring pass on CUDA, unless a single row is longer.</summary>
        public const long CudaPositionBudget = 1L << 20;

        /// <summary>
        /// Most positions times the model's width in one scoring pass on the CPU: 8,192 positions at width 64 (32 rows of
        /// 256 tokens, 8 of 1,024, 2 of 4,096), where the measured passes were fastest per row; proportionally fewer
        /// positions for wider models, whose tensors are larger a position.
        /// </summary>
        public const long CpuPositionChannelBudget = 8192L * 64;

        /// <summary>The positions a scoring pass may hold on a device of type <paramref name="deviceType"/> for a model of width <paramref name="width"/> (at least 1).</summary>
        public static long PositionBudget(TorchSharp.DeviceType deviceType, int width)
            => deviceType == TorchSharp.DeviceType.CUDA ? CudaPositionBudget : PositionsFor(CpuPositionChannelBudget, width);

        /// <summary>The positions a budget of <paramref name="positionChannels"/> (positions times width) allows at width <paramref name="width"/>, at least 1.</summary>
        public static long PositionsFor(long positionChannels, int width) => Math.Max(1, positionChannels / Math.Max(1, width));

        /// <summary>
        /// Row indices, shortest first (ties in index order), in chunks of at most <paramref name="maxRows"/> rows
        /// and <paramref name="positionBudget"/> positions; a row longer than the budget is a chunk of its own.
        /// </summary>
        public static IEnumerable<int[]> ByLength(int count, Func<int, long> length, int maxRows, long positionBudget = CudaPositionBudget)
        {
            if (maxRows < 1)
                throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "must be at least 1");
            if (positionBudget < 1)
                throw new ArgumentOutOfRangeException(nameof(positionBudget), positionBudget, "must be at least 1");
            var order = Enumerable.Range(0, count).OrderBy(length).ThenBy(i => i).ToArray();
            var chunk = new List<int>();
            foreach (int i in order)
            {
                long longest = Math.Max(1, length(i));   // ascending: this row is the chunk's longest
                if (chunk.Count > 0 && (chunk.Count >= maxRows || (chunk.Count + 1) * longest > positionBudget))
                {
                    yield return chunk.ToArray();
                    chunk.Clear();
                }
                chunk.Add(i);
            }
            if (chunk.Count > 0)
                yield return chunk.ToArray();
        }
    }
}
