using System;
using System.Collections.Generic;
using System.Globalization;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>The figures of one finished trial (its model, if it is the best, is on <see cref="SweepResult{TModel}"/>).</summary>
    public sealed class TrialResult
    {
        /// <summary>The trial's id (from 0).</summary>
        public int Id { get; init; }

        /// <summary>The seed the trial was given.</summary>
        public int Seed { get; init; }

        /// <summary>The values of the search space's parameters.</summary>
        public ParameterAssignment Parameters { get; init; } = ParameterAssignment.Empty;

        /// <summary>Where it ran.</summary>
        public SweepDevice Device { get; init; }

        /// <summary>How it ended.</summary>
        public TrialStatus Status { get; init; }

        /// <summary>The final value of the sweep metric (null when it failed).</summary>
        public double? Metric { get; init; }

        /// <summary>Every final metric the runner returned, by name (empty when it failed).</summary>
        public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

        /// <summary>The epochs it reported, in order: the learning curve.</summary>
        public IReadOnlyList<EpochResult> Curve { get; init; } = Array.Empty<EpochResult>();

        /// <summary>Epochs trained: the last epoch reported (0 when none was).</summary>
        public int Epochs => Curve.Count == 0 ? 0 : Curve[^1].Epoch;

        /// <summary>The budget it was given, in epochs.</summary>
        public int MaxEpochs { get; init; }

        /// <summary>When it started (UTC).</summary>
        public DateTime StartedAtUtc { get; init; }

        /// <summary>How long it ran.</summary>
        public TimeSpan Duration { get; init; }

        /// <summary>Why it failed ("ExceptionType: message"), or null.</summary>
        public string? Error { get; init; }

        /// <summary>Whether it has a metric (completed or stopped, not failed).</summary>
        public bool Succeeded => Status != TrialStatus.Failed && Metric is not null;

        /// <summary>"trial 3 Completed metric 0.9123 after 10 epochs in 12.3s on cuda:0 (LearningRate=0.001, ...)".</summary>
        public override string ToString()
            => string.Create(CultureInfo.InvariantCulture,
                $"trial {Id} {Status}{(Metric is double m ? " metric " + ValueConversion.Format(m) : "")} after {Epochs} epochs in {Duration.TotalSeconds:F1}s on {Device} ({Parameters}){(Error is null ? "" : ": " + Error)}");
    }
}
