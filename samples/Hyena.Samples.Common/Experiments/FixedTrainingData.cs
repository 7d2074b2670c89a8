using System;
using Microsoft.ML;

namespace Hyena.Samples
{
    /// <summary>
    /// An estimator that fits its inner pipeline on fixed data, whatever data it is given: lets a
    /// contender of a <see cref="ClassifierComparison"/> train on part of the shared training rows
    /// (the rest being its validation set) while being measured on the same test set.
    /// </summary>
    public sealed class FixedTrainingData : IEstimator<ITransformer>
    {
        private readonly IEstimator<ITransformer> _inner;
        private readonly IDataView _data;

        /// <summary>Fits <paramref name="inner"/> on <paramref name="data"/>.</summary>
        public FixedTrainingData(IEstimator<ITransformer> inner, IDataView data)
        {
            _inner = inner ?? throw new ArgumentNullException(nameof(inner));
            _data = data ?? throw new ArgumentNullException(nameof(data));
        }

        /// <inheritdoc />
        public ITransformer Fit(IDataView input) => _inner.Fit(_data);

        /// <inheritdoc />
        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => _inner.GetOutputSchema(inputSchema);
    }
}
