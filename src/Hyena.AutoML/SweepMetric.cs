using System;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// The metric a sweep optimizes: a name that trials report values under (per epoch and at the end) and
    /// a direction. The multiclass metrics of ML.NET's evaluator are predefined with their directions.
    /// </summary>
    public sealed class SweepMetric : IEquatable<SweepMetric>
    {
        /// <summary>Creates a metric.</summary>
        /// <param name="name">The key trials report the value under (for example "MicroAccuracy").</param>
        /// <param name="higherIsBetter">True when larger values are better (accuracies), false for losses.</param>
        public SweepMetric(string name, bool higherIsBetter)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException("A metric needs a name.", nameof(name));
            Name = name;
            HigherIsBetter = higherIsBetter;
        }

        /// <summary>Accuracy over all rows (ML.NET's MulticlassClassificationMetrics.MicroAccuracy); higher is better.</summary>
        public static SweepMetric MicroAccuracy { get; } = new("MicroAccuracy", higherIsBetter: true);

        /// <summary>Mean of the per-class accuracies (MulticlassClassificationMetrics.MacroAccuracy); higher is better.</summary>
        public static SweepMetric MacroAccuracy { get; } = new("MacroAccuracy", higherIsBetter: true);

        /// <summary>Cross-entropy of the predicted probabilities (MulticlassClassificationMetrics.LogLoss); lower is better.</summary>
        public static SweepMetric LogLoss { get; } = new("LogLoss", higherIsBetter: false);

        /// <summary>Relative log-loss improvement over the prior (MulticlassClassificationMetrics.LogLossReduction); higher is better.</summary>
        public static SweepMetric LogLossReduction { get; } = new("LogLossReduction", higherIsBetter: true);

        /// <summary>The key trials report the value under.</summary>
        public string Name { get; }

        /// <summary>True when larger values are better.</summary>
        public bool HigherIsBetter { get; }

        /// <summary>Whether <paramref name="candidate"/> is strictly better than <paramref name="incumbent"/>.</summary>
        public bool IsBetter(double candidate, double incumbent)
            => HigherIsBetter ? candidate > incumbent : candidate < incumbent;

        /// <inheritdoc/>
        public bool Equals(SweepMetric? other) => other is not null && other.Name == Name && other.HigherIsBetter == HigherIsBetter;

        /// <inheritdoc/>
        public override bool Equals(object? obj) => Equals(obj as SweepMetric);

        /// <inheritdoc/>
        public override int GetHashCode() => HashCode.Combine(Name, HigherIsBetter);

        /// <summary>"MicroAccuracy (higher is better)".</summary>
        public override string ToString() => $"{Name} ({(HigherIsBetter ? "higher" : "lower")} is better)";
    }
}
