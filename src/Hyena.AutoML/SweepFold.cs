using System;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>One train/validation pair of a <see cref="SweepDataset"/>.</summary>
    public sealed class SweepFold
    {
        /// <summary>Creates a fold.</summary>
        public SweepFold(IDataView train, IDataView validation)
        {
            Train = train ?? throw new ArgumentNullException(nameof(train));
            Validation = validation ?? throw new ArgumentNullException(nameof(validation));
        }

        /// <summary>Data the model trains on.</summary>
        public IDataView Train { get; }

        /// <summary>Data the model is evaluated on (each epoch and at the end).</summary>
        public IDataView Validation { get; }
    }
}
