using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// The data every trial trains and is evaluated on: one train/validation pair, or k folds for
    /// cross-validation. The sweep hands it to the trial runner untouched.
    /// </summary>
    public sealed class SweepDataset
    {
        private SweepDataset(IReadOnlyList<SweepFold> folds) => Folds = folds;

        /// <summary>The folds: one for train/validation, k for cross-validation.</summary>
        public IReadOnlyList<SweepFold> Folds { get; }

        /// <summary>Whether there are several folds.</summary>
        public bool IsCrossValidation => Folds.Count > 1;

        /// <summary>One train/validation pair.</summary>
        public static SweepDataset TrainValidation(IDataView train, IDataView validation)
            => new(new[] { new SweepFold(train, validation) });

        /// <summary>
        /// k folds of <paramref name="data"/> from ML.NET's CrossValidationSplit: fold i validates on the i-th
        /// part and trains on the rest.
        /// </summary>
        /// <param name="data">All the data.</param>
        /// <param name="numberOfFolds">k; at least 2.</param>
        /// <param name="samplingKeyColumnName">Rows with the same value of this column stay in one part (optional).</param>
        /// <param name="seed">Seed of the split.</param>
        public static SweepDataset CrossValidation(IDataView data, int numberOfFolds = 5, string? samplingKeyColumnName = null, int seed = 0)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (numberOfFolds < 2)
                throw new ArgumentOutOfRangeException(nameof(numberOfFolds), numberOfFolds, "Cross-validation needs at least 2 folds.");
            var splits = new MLContext(seed).Data.CrossValidationSplit(data, numberOfFolds, samplingKeyColumnName, seed);
            return new(splits.Select(s => new SweepFold(s.TrainSet, s.TestSet)).ToArray());
        }

        /// <summary>Folds made elsewhere (at least one).</summary>
        public static SweepDataset FromFolds(IEnumerable<SweepFold> folds)
        {
            var list = (folds ?? throw new ArgumentNullException(nameof(folds))).ToArray();
            if (list.Length == 0 || list.Any(f => f is null))
                throw new ArgumentException("A dataset needs at least one fold, and no null fold.", nameof(folds));
            return new(list);
        }
    }
}
