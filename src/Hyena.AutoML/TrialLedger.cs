using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>Why a running trial was told to stop.</summary>
    internal enum TrialStop
    {
        /// <summary>Not told to stop.</summary>
        None,
        /// <summary>The tuner stopped it at a decision epoch.</summary>
        Tuner,
        /// <summary>The sweep's time budget ran out.</summary>
        TimeBudget,
    }

    /// <summary>
    /// The per-epoch record of every trial of a sweep, shared by the trials' threads, and where early-stopping
    /// decisions are taken. A trial that reaches a decision epoch waits until every lower-id trial has reached
    /// that epoch or finished, then the tuner judges it against exactly those trials' values (in id order).
    /// Lower ids never wait for higher ones and trials start in id order, so the lowest running trial never
    /// waits and the wait always ends; and the decisions do not depend on timing or on the number of trials
    /// running at once.
    /// </summary>
    internal sealed class TrialLedger
    {
        private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);

        private readonly object _gate = new();
        private readonly SortedDictionary<int, Track> _tracks = new();
        private readonly ITuner _tuner;
        private readonly SweepMetric _metric;
        private readonly int _maxEpochs;
        private readonly IReadOnlyList<int> _decisionEpochs;
        private readonly Func<TimeSpan> _now;
        private readonly Func<bool> _timeIsUp;

        public TrialLedger(ITuner tuner, SweepMetric metric, int maxEpochs, Func<TimeSpan> now, Func<bool> timeIsUp)
        {
            _tuner = tuner;
            _metric = metric;
            _maxEpochs = maxEpochs;
            _now = now;
            _timeIsUp = timeIsUp;
            _decisionEpochs = tuner.GetDecisionEpochs(maxEpochs) ?? Array.Empty<int>();
            for (int i = 0; i < _decisionEpochs.Count; i++)
            {
                if (_decisionEpochs[i] < 1 || (i > 0 && _decisionEpochs[i] <= _decisionEpochs[i - 1]))
                    throw new InvalidOperationException($"Tuner {tuner.Description} gave decision epochs [{string.Join(", ", _decisionEpochs)}]; they must be at least 1 and increasing.");
            }
        }

        /// <summary>The epochs at which the tuner decides.</summary>
        public IReadOnlyList<int> DecisionEpochs => _decisionEpochs;

        /// <summary>Records a trial finished in an earlier run.</summary>
        public void Restore(int id, IReadOnlyList<EpochResult> curve)
        {
            lock (_gate)
            {
                var track = new Track { Finished = true };
                track.Curve.AddRange(curve);
                _tracks[id] = track;
            }
        }

        /// <summary>Records that a trial starts now.</summary>
        public void Start(int id)
        {
            lock (_gate)
            {
                _tracks[id] = new Track { StartedAt = _now() };
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>
        /// Records an epoch of a running trial, tells <paramref name="reported"/> about it, and returns whether
        /// the trial goes on (see <see cref="TrialContext.ReportEpoch(int, IReadOnlyDictionary{string, double})"/>).
        /// </summary>
        public bool ReportEpoch(int id, int epoch, IReadOnlyDictionary<string, double> metrics, CancellationToken token, Action<EpochResult> reported)
        {
            token.ThrowIfCancellationRequested();
            Track track;
            EpochResult result;
            lock (_gate)
            {
                track = _tracks.TryGetValue(id, out Track? t) && !t.Finished
                    ? t
                    : throw new InvalidOperationException($"Trial {id} reported epoch {epoch} but is not running.");
                if (epoch <= track.LastEpoch)
                    throw new ArgumentOutOfRangeException(nameof(epoch), epoch, $"Trial {id} reported epoch {epoch} after epoch {track.LastEpoch}; epochs must increase.");
                var snapshot = new Dictionary<string, double>(metrics);
                result = new EpochResult
                {
                    Epoch = epoch,
                    Metric = snapshot.TryGetValue(_metric.Name, out double value) && !double.IsNaN(value) ? value : null,
                    Metrics = snapshot,
                    Elapsed = _now() - track.StartedAt,
                };
                track.Curve.Add(result);
                Monitor.PulseAll(_gate);
            }

            reported(result);

            lock (_gate)
            {
                if (track.Stop != TrialStop.None)
                    return false;
                if (epoch < _maxEpochs && _timeIsUp())
                    return StopFor(track, TrialStop.TimeBudget);
                while (track.NextDecision < _decisionEpochs.Count && _decisionEpochs[track.NextDecision] <= epoch)
                {
                    int rung = _decisionEpochs[track.NextDecision++];
                    while (!EarlierTrialsReached(id, rung))
                    {
                        token.ThrowIfCancellationRequested();
                        if (_timeIsUp())
                            return StopFor(track, TrialStop.TimeBudget);
                        Monitor.Wait(_gate, PollInterval);
                    }
                    if (ValueAt(track, rung) is not double own)
                        continue;
                    var earlier = _tracks.Where(t => t.Key < id && t.Value.LastEpoch >= rung)
                        .Select(t => ValueAt(t.Value, rung))
                        .OfType<double>()
                        .ToArray();
                    if (!_tuner.ShouldContinue(new EarlyStoppingContext(id, rung, own, earlier, _metric)))
                        return StopFor(track, TrialStop.Tuner);
                }
                return true;
            }
        }

        /// <summary>Records that a trial ended (in any way) and returns its curve and why it was told to stop.</summary>
        public (IReadOnlyList<EpochResult> Curve, TrialStop Stop) Finish(int id)
        {
            lock (_gate)
            {
                if (!_tracks.TryGetValue(id, out Track? track))
                    return (Array.Empty<EpochResult>(), TrialStop.None);
                track.Finished = true;
                Monitor.PulseAll(_gate);
                return (track.Curve.ToArray(), track.Stop);
            }
        }

        private static bool StopFor(Track track, TrialStop reason)
        {
            track.Stop = reason;
            return false;
        }

        private bool EarlierTrialsReached(int id, int rung)
        {
            foreach (var (otherId, other) in _tracks)
            {
                if (otherId >= id)
                    break;
                if (!other.Finished && other.LastEpoch < rung)
                    return false;
            }
            return true;
        }

        /// <summary>The best metric value a trial reported up to <paramref name="rung"/>, or null.</summary>
        private double? ValueAt(Track track, int rung)
        {
            double? best = null;
            foreach (EpochResult e in track.Curve)
            {
                if (e.Epoch > rung)
                    break;
                if (e.Metric is double v && (best is null || _metric.IsBetter(v, best.Value)))
                    best = v;
            }
            return best;
        }

        private sealed class Track
        {
            public List<EpochResult> Curve { get; } = new();

            public bool Finished { get; set; }

            public TrialStop Stop { get; set; }

            public int NextDecision { get; set; }

            public TimeSpan StartedAt { get; init; }

            public int LastEpoch => Curve.Count == 0 ? 0 : Curve[^1].Epoch;
        }
    }
}
