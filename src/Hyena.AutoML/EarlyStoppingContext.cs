using System;
using System.Collections.Generic;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// What a tuner is told when a trial reaches a decision epoch: the trial's value there and the values
    /// of every trial with a lower id that reached the same epoch. A trial's value at an epoch is the best
    /// value of the metric it reported up to that epoch (the weights a trainer keeps are the best epoch's).
    /// </summary>
    public sealed class EarlyStoppingContext
    {
        /// <summary>Creates a context.</summary>
        public EarlyStoppingContext(int trialId, int epoch, double value, IReadOnlyList<double> earlierValues, SweepMetric metric)
        {
            TrialId = trialId;
            Epoch = epoch;
            Value = value;
            EarlierValues = earlierValues ?? throw new ArgumentNullException(nameof(earlierValues));
            Metric = metric ?? throw new ArgumentNullException(nameof(metric));
        }

        /// <summary>The trial being judged.</summary>
        public int TrialId { get; }

        /// <summary>The decision epoch it reached.</summary>
        public int Epoch { get; }

        /// <summary>Its best metric value up to <see cref="Epoch"/>.</summary>
        public double Value { get; }

        /// <summary>The same for every lower-id trial that reached <see cref="Epoch"/>, in id order.</summary>
        public IReadOnlyList<double> EarlierValues { get; }

        /// <summary>The metric and its direction.</summary>
        public SweepMetric Metric { get; }
    }
}
