using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public sealed class ResumeTests : IDisposable
    {
        private readonly TempFolders _folders = new();

        public void Dispose() => _folders.Dispose();

        private static SweepExperiment<FakeModel> Sweep(FakeTrialRunner runner, string folder, int parallelism = 2) =>
            TestSweeps.Experiment(runner)
                .SetSuccessiveHalvingTuner(minEpochs: 1, reductionFactor: 3)
                .SetMaxTrials(18)
                .SetCpuParallelism(parallelism)
                .SetStateFolder(folder);

        [Fact]
        public async Task CancelThenResumeGivesTheSameTrialsAsAnUninterruptedRun()
        {
            TimeSpan Delay(int id) => TimeSpan.FromMilliseconds(1 + id % 3);
            var uninterrupted = await Sweep(new FakeTrialRunner { EpochDelay = Delay }, _folders.New()).RunAsync();

            string folder = _folders.New();
            var first = new FakeTrialRunner { EpochDelay = Delay };
            using var cancellation = new CancellationTokenSource();
            var interrupted = await Sweep(first, folder)
                .SetProgress(new SyncProgress<SweepProgress>(p =>
                {
                    if (p.Kind == SweepProgressKind.TrialFinished && p.FinishedTrials == 6)
                        cancellation.Cancel();
                }))
                .RunAsync(cancellation.Token);
            Assert.Equal(SweepStopReason.Cancelled, interrupted.StopReason);
            Assert.InRange(interrupted.Trials.Count, 6, 17);
            var finishedBefore = interrupted.Trials.Select(t => t.Id).ToHashSet();

            var second = new FakeTrialRunner { EpochDelay = Delay };
            var resumed = await Sweep(second, folder).RunAsync();

            Assert.Equal(SweepStopReason.TrialBudgetReached, resumed.StopReason);
            Assert.Equal(TestSweeps.Fingerprint(uninterrupted.Trials), TestSweeps.Fingerprint(resumed.Trials));
            Assert.Equal(uninterrupted.BestTrial!.Id, resumed.BestTrial!.Id);
            // Finished trials were not run again; the others ran in the second run.
            Assert.All(second.RunCounts.Keys, id => Assert.DoesNotContain(id, finishedBefore));
            Assert.Equal(18, finishedBefore.Count + second.RunCounts.Count);
        }

        [Fact]
        public async Task AFinishedSweepResumesWithoutRunningAndLoadsTheSavedBestModel()
        {
            string folder = Path.Combine(_folders.New(), "not", "there", "yet");
            var first = new FakeTrialRunner();
            var original = await Sweep(first, folder).RunAsync();
            var store = new SweepStateStore(folder);
            Assert.Equal(new[] { SweepStateStore.ModelFileName(original.BestTrial!.Id), "state.json", "trials.csv" }, store.ListFiles());

            var progress = new System.Collections.Generic.List<SweepProgress>();
            var second = new FakeTrialRunner();
            var again = await Sweep(second, folder).SetProgress(new SyncProgress<SweepProgress>(progress.Add)).RunAsync();

            Assert.Empty(second.RunCounts);
            Assert.Equal(TestSweeps.Fingerprint(original.Trials), TestSweeps.Fingerprint(again.Trials));
            var loaded = Assert.IsType<FakeModel>(again.BestModel);
            Assert.Equal(original.BestTrial.Id, loaded.TrialId);
            Assert.Equal(original.BestTrial.Metric, loaded.Metric);
            Assert.Equal(18, progress.Count(p => p.Kind == SweepProgressKind.TrialRestored));
            Assert.Equal(original.BestTrial.Id, progress.Single(p => p.Kind == SweepProgressKind.NewBestTrial).TrialId);
        }

        [Fact]
        public async Task OnlyTheBestModelIsKeptInTheFolderAndLeftoversAreCleaned()
        {
            string folder = _folders.New();
            File.WriteAllText(Path.Combine(folder, "model-trial-0999.zip"), "left by a crash");
            File.WriteAllText(Path.Combine(folder, "state.json.tmp"), "{");
            var runner = new FakeTrialRunner();
            var result = await TestSweeps.Experiment(runner).SetMaxTrials(8).SetStateFolder(folder).RunAsync();
            Assert.Equal(new[] { SweepStateStore.ModelFileName(result.BestTrial!.Id), "state.json", "trials.csv" },
                new SweepStateStore(folder).ListFiles());
            Assert.True(runner.Saves >= 1);
        }

        [Fact]
        public async Task AStateOfADifferentSweepIsRefused()
        {
            string folder = _folders.New();
            await TestSweeps.Experiment(new FakeTrialRunner()).SetMaxTrials(2).SetStateFolder(folder).RunAsync();
            var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                TestSweeps.Experiment(new FakeTrialRunner()).SetSeed(7).SetMaxTrials(2).SetStateFolder(folder).RunAsync());
            Assert.Contains("seed", error.Message);
            error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
                TestSweeps.Experiment(new FakeTrialRunner(), new SweepSearchSpace().Range("X", 0.0, 2.0)).SetMaxTrials(2).SetStateFolder(folder).RunAsync());
            Assert.Contains("search space", error.Message);
        }

        [Fact]
        public async Task ABiggerTrialBudgetExtendsAResumedSweep()
        {
            string folder = _folders.New();
            await TestSweeps.Experiment(new FakeTrialRunner()).SetMaxTrials(3).SetStateFolder(folder).RunAsync();
            var runner = new FakeTrialRunner();
            var extended = await TestSweeps.Experiment(runner).SetMaxTrials(5).SetStateFolder(folder).RunAsync();
            Assert.Equal(new[] { 3, 4 }, runner.RunCounts.Keys.OrderBy(k => k));
            var direct = await TestSweeps.Experiment(new FakeTrialRunner()).SetMaxTrials(5).RunAsync();
            Assert.Equal(TestSweeps.Fingerprint(direct.Trials), TestSweeps.Fingerprint(extended.Trials));
        }
    }
}
