using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// How rows are grouped into scoring forward passes (the fitted transformer, PredictionEngine, and the
    /// validation during training): by length, so that a pass pads little, and at most
    /// <see cref="HyenaClassificationOptionsBase.ScoringBatchSize"/> rows but also at most
    /// <see cref="PositionBudget"/> positions (rows times the longest row) per pass, so that long rows are
    /// scored a few at a time rather than running out of memory (64 rows of 512k tokens do on an H200).
    /// </summary>
    internal static class ScoringChunks
    {
        /// <summary>Most positions (rows x longest row) in one scoring pass, unless a single row is longer.</summary>
        public const long PositionBudget = 1L << 20;

        /// <summary>
        /// Row indices, shortest first (ties in index order), in chunks of at most <paramref name="maxRows"/> rows
        /// and <see cref="PositionBudget"/> positions; a row longer than the budget is a chunk of its own.
        /// </summary>
        public static IEnumerable<int[]> ByLength(int count, Func<int, long> length, int maxRows)
        {
            if (maxRows < 1)
                throw new ArgumentOutOfRangeException(nameof(maxRows), maxRows, "must be at least 1");
            var order = Enumerable.Range(0, count).OrderBy(length).ThenBy(i => i).ToArray();
            var chunk = new List<int>();
            foreach (int i in order)
            {
                long longest = Math.Max(1, length(i));   // ascending: this row is the chunk's longest
                if (chunk.Count > 0 && (chunk.Count >= maxRows || (chunk.Count + 1) * longest > PositionBudget))
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
