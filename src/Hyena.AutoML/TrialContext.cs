using System;
using System.Collections.Generic;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// What one trial gets: its id, parameter assignment, device, seed and budget in epochs, the metric and
    /// the data, and <see cref="ReportEpoch(int, IReadOnlyDictionary{string, double})"/> to report each
    /// epoch's metrics and learn whether to go on. A runner used outside a sweep (to refit a trial, for
    /// example) can be given a context made with the public constructor.
    /// </summary>
    public sealed class TrialContext
    {
        private readonly Func<int, IReadOnlyDictionary<string, double>, bool>? _onEpoch;

        /// <summary>Creates a context.</summary>
        /// <param name="trialId">The trial's id (from 0).</param>
        /// <param name="parameters">The values of the search space's parameters.</param>
        /// <param name="device">Where to train.</param>
        /// <param name="seed">Seed of everything random in the trial.</param>
        /// <param name="maxEpochs">Most epochs to train; at least 1.</param>
        /// <param name="metric">The metric the sweep optimizes.</param>
        /// <param name="dataset">The data (null when the runner brings its own).</param>
        /// <param name="onEpoch">Receives each epoch's report and returns whether to go on; null always goes on.</param>
        public TrialContext(int trialId, ParameterAssignment parameters, SweepDevice device, int seed, int maxEpochs,
            SweepMetric metric, SweepDataset? dataset = null, Func<int, IReadOnlyDictionary<string, double>, bool>? onEpoch = null)
        {
            if (maxEpochs < 1)
                throw new ArgumentOutOfRangeException(nameof(maxEpochs), maxEpochs, "A trial needs a budget of at least 1 epoch.");
            TrialId = trialId;
            Parameters = parameters ?? throw new ArgumentNullException(nameof(parameters));
            Device = device;
            Seed = seed;
            MaxEpochs = maxEpochs;
            Metric = metric ?? throw new ArgumentNullException(nameof(metric));
            Dataset = dataset;
            _onEpoch = onEpoch;
        }

        /// <summary>The trial's id (from 0).</summary>
        public int TrialId { get; }

        /// <summary>The values of the search space's parameters.</summary>
        public ParameterAssignment Parameters { get; }

        /// <summary>Where to train: one device per running trial.</summary>
        public SweepDevice Device { get; }

        /// <summary>Seed of everything random in the trial (derived from the sweep's seed and the trial id).</summary>
        public int Seed { get; }

        /// <summary>Most epochs to train (the trial may be asked to stop sooner).</summary>
        public int MaxEpochs { get; }

        /// <summary>The metric the sweep optimizes: report it per epoch and return it at the end.</summary>
        public SweepMetric Metric { get; }

        /// <summary>The data, or null when the runner brings its own.</summary>
        public SweepDataset? Dataset { get; }

        /// <summary>
        /// Reports a finished epoch (epochs from 1, increasing) with its validation metrics, keyed by name
        /// (include <see cref="Metric"/>'s name). Returns false when the trial should stop now: stopped by
        /// the tuner, or the sweep's time budget is spent; the runner then finishes with what it has (a
        /// trainer keeps its best epoch). May block while the tuner waits for lower-id trials to reach the
        /// same epoch. Throws <see cref="OperationCanceledException"/> when the sweep is cancelled.
        /// </summary>
        public bool ReportEpoch(int epoch, IReadOnlyDictionary<string, double> metrics)
        {
            if (epoch < 1)
                throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "Epochs are counted from 1.");
            ArgumentNullException.ThrowIfNull(metrics);
            return _onEpoch?.Invoke(epoch, metrics) ?? true;
        }

        /// <summary>Reports a finished epoch with the value of <see cref="Metric"/> only.</summary>
        public bool ReportEpoch(int epoch, double metricValue)
            => ReportEpoch(epoch, new Dictionary<string, double> { [Metric.Name] = metricValue });
    }
}
