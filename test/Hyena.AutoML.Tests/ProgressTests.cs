using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public sealed class ProgressTests
    {
        [Fact]
        public async Task EachTrialReportsStartEpochsAndFinishAndNewBestsComeAfterTheirFinish()
        {
            var events = new List<SweepProgress>();
            var result = await TestSweeps.Experiment(new FakeTrialRunner())
                .SetMaxTrials(6)
                .SetMaxEpochsPerTrial(3)
                .SetCpuParallelism(2)
                .SetProgress(new SyncProgress<SweepProgress>(events.Add))
                .RunAsync();

            foreach (TrialResult trial in result.Trials)
            {
                var kinds = events.Where(e => e.TrialId == trial.Id).Select(e => e.Kind).ToArray();
                Assert.Equal(SweepProgressKind.TrialStarted, kinds[0]);
                Assert.Equal(new[] { SweepProgressKind.TrialEpoch, SweepProgressKind.TrialEpoch, SweepProgressKind.TrialEpoch }, kinds.Skip(1).Take(3));
                Assert.Equal(SweepProgressKind.TrialFinished, kinds[4]);
                Assert.True(kinds.Length == 5 || kinds[5] == SweepProgressKind.NewBestTrial);
                Assert.Equal(new[] { 1, 2, 3 }, events.Where(e => e.TrialId == trial.Id && e.Kind == SweepProgressKind.TrialEpoch).Select(e => e.Epoch!.Epoch));
            }
            var last = events.Last(e => e.Kind == SweepProgressKind.NewBestTrial);
            Assert.Equal(result.BestTrial!.Id, last.TrialId);
            Assert.Equal(6, events.Last().FinishedTrials);
            Assert.All(events.Where(e => e.Kind == SweepProgressKind.TrialFinished), e => Assert.NotNull(e.Trial));
            Assert.All(events, e => Assert.False(string.IsNullOrEmpty(e.ToString())));
        }
    }
}
