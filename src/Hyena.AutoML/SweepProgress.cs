using System;
using System.Globalization;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>What a <see cref="SweepProgress"/> reports.</summary>
    public enum SweepProgressKind
    {
        /// <summary>A trial finished in an earlier run was loaded from the state folder (reported once each, in id order, before new trials start).</summary>
        TrialRestored,
        /// <summary>A trial started on a device.</summary>
        TrialStarted,
        /// <summary>A trial reported an epoch (<see cref="SweepProgress.Epoch"/>).</summary>
        TrialEpoch,
        /// <summary>A trial finished: completed, stopped or failed (<see cref="SweepProgress.Trial"/>).</summary>
        TrialFinished,
        /// <summary>A trial became the best so far (<see cref="SweepProgress.Trial"/>); reported after its TrialFinished (or TrialRestored).</summary>
        NewBestTrial,
    }

    /// <summary>
    /// An event of a sweep, given to the <see cref="IProgress{T}"/> of
    /// <see cref="SweepExperiment{TModel}.SetProgress"/>. Reports come from several threads but never at
    /// the same time (the sweep serializes them), so a renderer needs no locking of its own.
    /// </summary>
    public sealed record SweepProgress
    {
        /// <summary>What happened.</summary>
        public SweepProgressKind Kind { get; init; }

        /// <summary>The trial concerned.</summary>
        public int TrialId { get; init; }

        /// <summary>Its assignment.</summary>
        public ParameterAssignment Parameters { get; init; } = ParameterAssignment.Empty;

        /// <summary>Its device.</summary>
        public SweepDevice Device { get; init; }

        /// <summary>Its seed.</summary>
        public int Seed { get; init; }

        /// <summary>The epoch reported (TrialEpoch only).</summary>
        public EpochResult? Epoch { get; init; }

        /// <summary>The finished trial (TrialRestored, TrialFinished and NewBestTrial).</summary>
        public TrialResult? Trial { get; init; }

        /// <summary>The best trial so far, if any (after this event).</summary>
        public TrialResult? BestTrial { get; init; }

        /// <summary>Trials finished so far, restored ones included.</summary>
        public int FinishedTrials { get; init; }

        /// <summary>Trials running now.</summary>
        public int RunningTrials { get; init; }

        /// <summary>Time the sweep has run, earlier runs of a resumed sweep included.</summary>
        public TimeSpan Elapsed { get; init; }

        /// <summary>A one-line summary.</summary>
        public override string ToString()
        {
            string what = Kind switch
            {
                SweepProgressKind.TrialEpoch when Epoch is not null =>
                    $"trial {TrialId} epoch {Epoch.Epoch}: {(Epoch.Metric is double m ? ValueConversion.Format(m) : "no metric")}",
                SweepProgressKind.TrialStarted => $"trial {TrialId} started on {Device} (seed {Seed}; {Parameters})",
                _ when Trial is not null => $"{Kind}: {Trial}",
                _ => $"{Kind} trial {TrialId}",
            };
            return string.Create(CultureInfo.InvariantCulture, $"[{Elapsed:hh\\:mm\\:ss}] {what}");
        }
    }
}
