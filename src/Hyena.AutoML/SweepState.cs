using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// The sweep state file (state.json): what defines the sweep, and every finished trial. Trials that were
    /// running when it was written are not in it (they run again on resume).
    /// </summary>
    /// <remarks>
    /// Format versions: 1 = the first one (definition, elapsed time, best trial and its model file, trials
    /// with parameters, seed, device, status, final metrics, per-epoch metrics, timing and error).
    /// </remarks>
    internal sealed class SweepState
    {
        public const string FormatName = "hyena-sweep-state";
        public const int CurrentVersion = 1;

        public string Format { get; set; } = FormatName;

        public int Version { get; set; } = CurrentVersion;

        public SweepDefinition Sweep { get; set; } = new();

        /// <summary>Seconds the sweep has run, over all its runs.</summary>
        public double ElapsedSeconds { get; set; }

        public int? BestTrialId { get; set; }

        /// <summary>File name (in the state folder) of the best trial's saved model, or null.</summary>
        public string? BestModelFile { get; set; }

        public List<TrialState> Trials { get; set; } = new();
    }

    /// <summary>What must be equal for a sweep to resume from a state: seed, tuner, metric, epochs, search space.</summary>
    internal sealed class SweepDefinition
    {
        public int Seed { get; set; }

        public string Tuner { get; set; } = "";

        public string Metric { get; set; } = "";

        public bool HigherIsBetter { get; set; }

        public int MaxEpochs { get; set; }

        public List<string> SearchSpace { get; set; } = new();

        /// <summary>A sentence naming the first difference from <paramref name="other"/>, or null when they match.</summary>
        public string? FindDifference(SweepDefinition other)
        {
            if (Seed != other.Seed) return $"the seed was {other.Seed}, now {Seed}";
            if (Tuner != other.Tuner) return $"the tuner was {other.Tuner}, now {Tuner}";
            if (Metric != other.Metric || HigherIsBetter != other.HigherIsBetter)
                return $"the metric was {other.Metric} ({(other.HigherIsBetter ? "higher" : "lower")} is better), now {Metric} ({(HigherIsBetter ? "higher" : "lower")} is better)";
            if (MaxEpochs != other.MaxEpochs) return $"the epochs per trial were {other.MaxEpochs}, now {MaxEpochs}";
            if (!SearchSpace.SequenceEqual(other.SearchSpace))
                return $"the search space was [{string.Join("; ", other.SearchSpace)}], now [{string.Join("; ", SearchSpace)}]";
            return null;
        }
    }

    /// <summary>One finished trial in the state file.</summary>
    internal sealed class TrialState
    {
        public int Id { get; set; }

        public int Seed { get; set; }

        public Dictionary<string, JsonElement> Parameters { get; set; } = new();

        public string Device { get; set; } = "";

        public TrialStatus Status { get; set; }

        public double? Metric { get; set; }

        public Dictionary<string, double> Metrics { get; set; } = new();

        public List<EpochState> Epochs { get; set; } = new();

        public int MaxEpochs { get; set; }

        public DateTime StartedAtUtc { get; set; }

        public double DurationSeconds { get; set; }

        public string? Error { get; set; }

        public static TrialState FromResult(TrialResult result) => new()
        {
            Id = result.Id,
            Seed = result.Seed,
            Parameters = result.Parameters.ToDictionary(p => p.Key, p => ValueConversion.ToJson(p.Value)),
            Device = result.Device.ToString(),
            Status = result.Status,
            Metric = result.Metric,
            Metrics = result.Metrics.ToDictionary(m => m.Key, m => m.Value),
            Epochs = result.Curve.Select(e => new EpochState
            {
                Epoch = e.Epoch,
                ElapsedSeconds = e.Elapsed.TotalSeconds,
                Metrics = e.Metrics.ToDictionary(m => m.Key, m => m.Value),
            }).ToList(),
            MaxEpochs = result.MaxEpochs,
            StartedAtUtc = result.StartedAtUtc,
            DurationSeconds = result.Duration.TotalSeconds,
            Error = result.Error,
        };

        public TrialResult ToResult(SweepSearchSpace space, SweepMetric metric) => new()
        {
            Id = Id,
            Seed = Seed,
            Parameters = space.FromJson(Parameters),
            Device = SweepDevice.Parse(Device),
            Status = Status,
            Metric = Metric,
            Metrics = new Dictionary<string, double>(Metrics),
            Curve = Epochs.Select(e => new EpochResult
            {
                Epoch = e.Epoch,
                Metric = e.Metrics.TryGetValue(metric.Name, out double v) && !double.IsNaN(v) ? v : null,
                Metrics = new Dictionary<string, double>(e.Metrics),
                Elapsed = TimeSpan.FromSeconds(e.ElapsedSeconds),
            }).ToArray(),
            MaxEpochs = MaxEpochs,
            StartedAtUtc = DateTime.SpecifyKind(StartedAtUtc, DateTimeKind.Utc),
            Duration = TimeSpan.FromSeconds(DurationSeconds),
            Error = Error,
        };
    }

    /// <summary>One epoch of a trial in the state file.</summary>
    internal sealed class EpochState
    {
        public int Epoch { get; set; }

        public double ElapsedSeconds { get; set; }

        public Dictionary<string, double> Metrics { get; set; } = new();
    }
}
