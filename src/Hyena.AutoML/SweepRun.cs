using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// One call of <see cref="SweepExperiment{TModel}.RunAsync"/>: restores the state folder, starts trials
    /// in id order on free devices, records each finished trial (state and CSV written after every one),
    /// keeps the best model and disposes the others, and stops at a budget, when the tuner has no more
    /// trials, or on cancellation.
    /// </summary>
    internal sealed class SweepRun<TModel> where TModel : class
    {
        private readonly SweepSearchSpace _space;
        private readonly ITuner _tuner;
        private readonly SweepMetric _metric;
        private readonly ITrialRunner<TModel> _runner;
        private readonly IModelPersistence<TModel>? _persistence;
        private readonly SweepDataset? _dataset;
        private readonly IReadOnlyList<SweepDevice> _devices;
        private readonly int? _maxTrials;
        private readonly TimeSpan? _timeBudget;
        private readonly int _maxEpochs;
        private readonly int _seed;
        private readonly IProgress<SweepProgress>? _progress;
        private readonly SweepStateStore? _store;
        private readonly SweepDefinition _definition;
        private readonly TrialLedger _ledger;

        private readonly object _progressGate = new();
        private readonly Stopwatch _clock = new();
        private readonly SortedDictionary<int, TrialResult> _finished = new();
        private TimeSpan _elapsedBefore;
        private int _finishedCount;
        private int _runningCount;
        private TrialResult? _best;
        private TModel? _bestModel;
        private string? _bestModelFile;
        private bool _cancelledAny;
        private bool _timeStoppedAny;

        public SweepRun(SweepSearchSpace space, ITuner tuner, SweepMetric metric, ITrialRunner<TModel> runner, SweepDataset? dataset,
            IReadOnlyList<SweepDevice> devices, int? maxTrials, TimeSpan? timeBudget, int maxEpochs, int seed,
            IProgress<SweepProgress>? progress, string? stateFolder)
        {
            _space = space;
            _tuner = tuner;
            _metric = metric;
            _runner = runner;
            _persistence = runner as IModelPersistence<TModel>;
            _dataset = dataset;
            _devices = devices;
            _maxTrials = maxTrials;
            _timeBudget = timeBudget;
            _maxEpochs = maxEpochs;
            _seed = seed;
            _progress = progress;
            _store = stateFolder is null ? null : new SweepStateStore(stateFolder);
            _definition = new SweepDefinition
            {
                Seed = seed,
                Tuner = tuner.Description,
                Metric = metric.Name,
                HigherIsBetter = metric.HigherIsBetter,
                MaxEpochs = maxEpochs,
                SearchSpace = space.Select(p => p.ToString()).ToList(),
            };
            _ledger = new TrialLedger(tuner, metric, maxEpochs, () => Now, TimeIsUp);
        }

        private TimeSpan Now => _elapsedBefore + _clock.Elapsed;

        private bool TimeIsUp() => _timeBudget is TimeSpan budget && Now >= budget;

        public async Task<SweepResult<TModel>> RunAsync(CancellationToken cancellationToken)
        {
            Restore();
            _clock.Start();
            using var runCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var running = new Dictionary<Task<TrialOutcome>, RunningTrial>();
            var freeSlots = new SortedSet<int>(Enumerable.Range(0, _devices.Count));
            SweepStopReason? stopReason = null;
            int nextId = 0;
            try
            {
                while (true)
                {
                    while (stopReason is null && freeSlots.Count > 0)
                    {
                        if (cancellationToken.IsCancellationRequested)
                            stopReason = SweepStopReason.Cancelled;
                        else if (TimeIsUp())
                            stopReason = SweepStopReason.TimeBudgetReached;
                        else
                        {
                            while (_finished.ContainsKey(nextId))
                                nextId++;
                            if (_maxTrials is int max && nextId >= max)
                                stopReason = SweepStopReason.TrialBudgetReached;
                            else if (_tuner.Propose(_space, nextId) is not ParameterAssignment proposed)
                                stopReason = SweepStopReason.SearchSpaceExhausted;
                            else
                            {
                                int slot = freeSlots.Min;
                                freeSlots.Remove(slot);
                                var trial = new RunningTrial(nextId, slot, _devices[slot], SeedSequence.TrialSeed(_seed, nextId),
                                    _space.Normalize(proposed, $"Tuner {_tuner.Description}"), Now, DateTime.UtcNow);
                                _ledger.Start(trial.Id);
                                Interlocked.Increment(ref _runningCount);
                                Emit(SweepProgressKind.TrialStarted, trial);
                                running.Add(Start(trial, runCancellation.Token), trial);
                                nextId++;
                            }
                        }
                    }
                    if (running.Count == 0)
                        break;
                    Task<TrialOutcome> done = await Task.WhenAny(running.Keys).ConfigureAwait(false);
                    RunningTrial finished = running[done];
                    running.Remove(done);
                    freeSlots.Add(finished.Slot);
                    Interlocked.Decrement(ref _runningCount);
                    Complete(finished, await done.ConfigureAwait(false));
                }

                SaveState();
                if (_best is not null && _bestModel is null && _bestModelFile is not null && _persistence is not null && _store is not null)
                    _bestModel = _persistence.Load(_store.PathOf(_bestModelFile));
            }
            catch
            {
                runCancellation.Cancel();
                foreach (Task<TrialOutcome> task in running.Keys)
                    DisposeModel((await task.ConfigureAwait(false)).Output?.Model);
                DisposeModel(_bestModel);
                throw;
            }

            SweepStopReason reason = _cancelledAny ? SweepStopReason.Cancelled
                : _timeStoppedAny ? SweepStopReason.TimeBudgetReached
                : stopReason ?? SweepStopReason.TrialBudgetReached;
            return new SweepResult<TModel>(_finished.Values.ToArray(), _best, _bestModel, reason, Now, _space, _metric);
        }

        /// <summary>Loads the state folder's finished trials, checking that they belong to this sweep.</summary>
        private void Restore()
        {
            if (_store is null)
                return;
            Directory.CreateDirectory(_store.Folder);
            SweepState? saved = _store.Load();
            if (saved is null)
            {
                _store.DeleteLeftovers(keepModelFile: null);
                return;
            }
            if (_definition.FindDifference(saved.Sweep) is string difference)
                throw new InvalidOperationException(
                    $"The state folder {_store.Folder} holds a different sweep: {difference}. Resume with the same settings, or use another folder.");
            _elapsedBefore = TimeSpan.FromSeconds(saved.ElapsedSeconds);
            foreach (TrialState state in saved.Trials.OrderBy(t => t.Id))
            {
                TrialResult trial = state.ToResult(_space, _metric);
                _finished.Add(trial.Id, trial);
                _ledger.Restore(trial.Id, trial.Curve);
                if (trial.Succeeded && (_best is null || IsBetter(trial, _best)))
                    _best = trial;
            }
            _finishedCount = _finished.Count;
            if (_best is not null && saved.BestTrialId == _best.Id && saved.BestModelFile is string file && _store.Exists(file))
                _bestModelFile = file;
            _store.DeleteLeftovers(_bestModelFile);

            TrialResult? best = _best;
            _best = null;
            foreach (TrialResult trial in _finished.Values)
                Emit(SweepProgressKind.TrialRestored, trial);
            _best = best;
            if (best is not null)
                Emit(SweepProgressKind.NewBestTrial, best);
        }

        private Task<TrialOutcome> Start(RunningTrial trial, CancellationToken token)
            => Task.Factory.StartNew(() => ExecuteAsync(trial, token), CancellationToken.None,
                TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach, TaskScheduler.Default).Unwrap();

        /// <summary>Runs one trial on a thread of its own; never throws.</summary>
        private async Task<TrialOutcome> ExecuteAsync(RunningTrial trial, CancellationToken token)
        {
            var context = new TrialContext(trial.Id, trial.Parameters, trial.Device, trial.Seed, _maxEpochs, _metric, _dataset,
                (epoch, metrics) => _ledger.ReportEpoch(trial.Id, epoch, metrics, token,
                    result => Emit(SweepProgressKind.TrialEpoch, trial, epoch: result)));
            try
            {
                token.ThrowIfCancellationRequested();
                TrialOutput<TModel>? output = await _runner.RunAsync(context, token).ConfigureAwait(false);
                return output is null
                    ? new TrialOutcome(null, new InvalidOperationException("The trial runner returned no output."), Cancelled: false)
                    : new TrialOutcome(output, null, Cancelled: false);
            }
            catch (Exception) when (token.IsCancellationRequested)
            {
                return new TrialOutcome(null, null, Cancelled: true);
            }
            catch (Exception ex)
            {
                return new TrialOutcome(null, ex, Cancelled: false);
            }
        }

        /// <summary>Records a trial that ended: its result, the best model, the state and CSV files, progress.</summary>
        private void Complete(RunningTrial trial, TrialOutcome outcome)
        {
            var (curve, stop) = _ledger.Finish(trial.Id);
            if (outcome.Cancelled)
            {
                _cancelledAny = true;
                return;
            }

            TModel? model = outcome.Output?.Model;
            string? error = outcome.Error is Exception ex ? Describe(ex) : null;
            double? metric = null;
            if (outcome.Output is TrialOutput<TModel> output)
            {
                if (!output.Metrics.TryGetValue(_metric.Name, out double value))
                    error = $"The trial returned no value of the metric {_metric.Name} (it returned: {string.Join(", ", output.Metrics.Keys)}).";
                else if (!double.IsFinite(value))
                    error = $"The trial returned {ValueConversion.Format(value)} for the metric {_metric.Name}.";
                else
                    metric = value;
            }
            TrialStatus status = error is not null ? TrialStatus.Failed : stop switch
            {
                TrialStop.Tuner => TrialStatus.StoppedEarly,
                TrialStop.TimeBudget => TrialStatus.StoppedByTimeBudget,
                _ => TrialStatus.Completed,
            };
            _timeStoppedAny |= status == TrialStatus.StoppedByTimeBudget;
            var result = new TrialResult
            {
                Id = trial.Id,
                Seed = trial.Seed,
                Parameters = trial.Parameters,
                Device = trial.Device,
                Status = status,
                Metric = error is null ? metric : null,
                Metrics = error is null ? new Dictionary<string, double>(outcome.Output!.Metrics) : new Dictionary<string, double>(),
                Curve = curve,
                MaxEpochs = _maxEpochs,
                StartedAtUtc = trial.StartedAtUtc,
                Duration = Now - trial.StartedAt,
                Error = error,
            };
            _finished.Add(result.Id, result);
            Interlocked.Increment(ref _finishedCount);
            Emit(SweepProgressKind.TrialFinished, trial, result: result);

            string? obsoleteModelFile = null;
            if (result.Succeeded && (_best is null || IsBetter(result, _best)))
            {
                string? file = null;
                if (model is not null && _persistence is not null && _store is not null)
                {
                    file = SweepStateStore.ModelFileName(result.Id);
                    try
                    {
                        AtomicFile.WriteByPath(_store.PathOf(file), path => _persistence.Save(model, _dataset, path));
                    }
                    catch
                    {
                        DisposeModel(model);
                        throw;
                    }
                }
                DisposeModel(_bestModel);
                obsoleteModelFile = _bestModelFile;
                _best = result;
                _bestModel = model;
                _bestModelFile = file;
                Emit(SweepProgressKind.NewBestTrial, trial, result: result);
            }
            else
            {
                DisposeModel(model);
            }

            SaveState();
            if (obsoleteModelFile is not null && obsoleteModelFile != _bestModelFile)
                _store?.Delete(obsoleteModelFile);
        }

        private void SaveState()
        {
            if (_store is null)
                return;
            _store.Save(new SweepState
            {
                Sweep = _definition,
                ElapsedSeconds = Now.TotalSeconds,
                BestTrialId = _best?.Id,
                BestModelFile = _bestModelFile,
                Trials = _finished.Values.Select(TrialState.FromResult).ToList(),
            });
            _store.SaveCsv(_space, _metric, _finished.Values);
        }

        /// <summary>Better metric, or the same metric and a lower id (so the best does not depend on finishing order).</summary>
        private bool IsBetter(TrialResult candidate, TrialResult incumbent)
            => _metric.IsBetter(candidate.Metric!.Value, incumbent.Metric!.Value)
               || (candidate.Metric == incumbent.Metric && candidate.Id < incumbent.Id);

        private static void DisposeModel(TModel? model) => (model as IDisposable)?.Dispose();

        private static string Describe(Exception ex)
        {
            Exception root = ex is AggregateException or TargetInvocationException ? ex.GetBaseException() : ex;
            return $"{root.GetType().Name}: {root.Message}";
        }

        private void Emit(SweepProgressKind kind, RunningTrial running, EpochResult? epoch = null, TrialResult? result = null)
            => Emit(kind, running.Id, running.Parameters, running.Device, running.Seed, epoch, result);

        private void Emit(SweepProgressKind kind, TrialResult trial)
            => Emit(kind, trial.Id, trial.Parameters, trial.Device, trial.Seed, epoch: null, trial);

        private void Emit(SweepProgressKind kind, int id, ParameterAssignment parameters, SweepDevice device, int seed, EpochResult? epoch, TrialResult? trial)
        {
            if (_progress is null)
                return;
            lock (_progressGate)
            {
                _progress.Report(new SweepProgress
                {
                    Kind = kind,
                    TrialId = id,
                    Parameters = parameters,
                    Device = device,
                    Seed = seed,
                    Epoch = epoch,
                    Trial = trial,
                    BestTrial = Volatile.Read(ref _best),
                    FinishedTrials = Volatile.Read(ref _finishedCount),
                    RunningTrials = Volatile.Read(ref _runningCount),
                    Elapsed = Now,
                });
            }
        }

        private sealed record RunningTrial(int Id, int Slot, SweepDevice Device, int Seed, ParameterAssignment Parameters, TimeSpan StartedAt, DateTime StartedAtUtc);

        private sealed record TrialOutcome(TrialOutput<TModel>? Output, Exception? Error, bool Cancelled);
    }
}
