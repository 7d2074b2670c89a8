using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public sealed class BudgetTests
    {
        [Fact]
        public async Task TheTrialBudgetRunsExactlyThatManyTrials()
        {
            var runner = new FakeTrialRunner();
            var result = await TestSweeps.Experiment(runner).SetMaxTrials(5).SetCpuParallelism(2).RunAsync();
            Assert.Equal(SweepStopReason.TrialBudgetReached, result.StopReason);
            Assert.Equal(new[] { 0, 1, 2, 3, 4 }, result.Trials.Select(t => t.Id));
            Assert.Equal(5, runner.RunCounts.Count);
            Assert.All(result.Trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
        }

        [Fact]
        public async Task TheTimeBudgetStopsStartingTrialsAndStopsRunningOnesAtTheNextEpoch()
        {
            var budget = TimeSpan.FromMilliseconds(600);
            var started = new ConcurrentBag<TimeSpan>();
            // The first two trials take 6 x 40 ms; those after them 6 x 200 ms, so that whichever trials run at the deadline
            // are mid-run there even on a loaded machine (with every trial at 40 ms, a slow machine had trials 2 and 3 end
            // just after the deadline at their last epoch, and none was left to stop).
            var runner = new FakeTrialRunner { EpochDelay = id => TimeSpan.FromMilliseconds(id < 2 ? 40 : 200) };
            var watch = Stopwatch.StartNew();
            var result = await TestSweeps.Experiment(runner)
                .SetMaxTrials(1000)
                .SetMaxEpochsPerTrial(6)
                .SetCpuParallelism(2)
                .SetTrainingTime(budget)
                .SetProgress(new SyncProgress<SweepProgress>(p =>
                {
                    if (p.Kind == SweepProgressKind.TrialStarted)
                        started.Add(p.Elapsed);
                }))
                .RunAsync();
            watch.Stop();

            Assert.Equal(SweepStopReason.TimeBudgetReached, result.StopReason);
            // (The start event is stamped just after the deadline check; allow for a context switch between them.)
            Assert.All(started, t => Assert.True(t < budget + TimeSpan.FromMilliseconds(100), $"a trial started at {t}, after the budget"));
            // Trials running at the deadline stop at their next epoch (at most 200 ms), with a model and a metric
            // (the margin allows for a loaded machine; without the budget the sweep would run for minutes).
            Assert.True(watch.Elapsed < budget + TimeSpan.FromSeconds(1.5), $"the sweep ran {watch.Elapsed}");
            Assert.Contains(result.Trials, t => t.Status == TrialStatus.StoppedByTimeBudget && t.Metric is not null && t.Epochs < 6);
            Assert.InRange(result.Trials.Count, 2, 10);
            Assert.NotNull(result.BestModel);
        }

        [Fact]
        public async Task TheTimeBudgetReleasesTrialsWaitingAtARung()
        {
            // Trial 0 is slow; trial 1 waits for it at the first rung until the deadline, then stops.
            var runner = new FakeTrialRunner { EpochDelay = id => TimeSpan.FromMilliseconds(id == 0 ? 300 : 5) };
            var result = await TestSweeps.Experiment(runner)
                .SetSuccessiveHalvingTuner(1, 3)
                .SetMaxTrials(2)
                .SetCpuParallelism(2)
                .SetTrainingTime(TimeSpan.FromMilliseconds(200))
                .RunAsync();
            Assert.Equal(SweepStopReason.TimeBudgetReached, result.StopReason);
            var waiting = result.Trials.Single(t => t.Id == 1);
            Assert.Equal(TrialStatus.StoppedByTimeBudget, waiting.Status);
            Assert.Equal(1, waiting.Epochs);
        }
    }
}
