using System;
using System.Collections.Generic;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>What a trial runner returns: the fitted model and its final validation metrics.</summary>
    /// <typeparam name="TModel">The model type (for ML.NET, ITransformer).</typeparam>
    public sealed class TrialOutput<TModel> where TModel : class
    {
        /// <summary>Creates an output.</summary>
        /// <param name="model">The fitted model; the sweep disposes it (when IDisposable) unless it is the best.</param>
        /// <param name="metrics">Final metrics by name; must include the sweep metric.</param>
        public TrialOutput(TModel? model, IReadOnlyDictionary<string, double> metrics)
        {
            Model = model;
            Metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        }

        /// <summary>The fitted model (null when the runner keeps none).</summary>
        public TModel? Model { get; }

        /// <summary>Final metrics by name.</summary>
        public IReadOnlyDictionary<string, double> Metrics { get; }
    }
}
