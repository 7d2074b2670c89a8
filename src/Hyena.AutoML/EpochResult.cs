using System;
using System.Collections.Generic;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>One epoch of a trial, as the trial reported it.</summary>
    public sealed class EpochResult
    {
        /// <summary>The epoch, from 1.</summary>
        public int Epoch { get; init; }

        /// <summary>The sweep metric's value at this epoch, or null when the trial did not report it (or reported NaN).</summary>
        public double? Metric { get; init; }

        /// <summary>Every metric reported for this epoch, by name.</summary>
        public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

        /// <summary>Time from the start of the trial to this report.</summary>
        public TimeSpan Elapsed { get; init; }
    }
}
