using System;
using System.Linq;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public sealed class DisposalTests
    {
        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public async Task EveryModelButTheBestIsDisposedOnce(int parallelism)
        {
            var runner = new FakeTrialRunner { EpochDelay = id => TimeSpan.FromMilliseconds(id % 2) };
            var result = await TestSweeps.Experiment(runner).SetCpuParallelism(parallelism).SetMaxTrials(15).SetMaxEpochsPerTrial(3).RunAsync();

            Assert.Equal(15, runner.Models.Count);
            FakeModel best = Assert.IsType<FakeModel>(result.BestModel);
            Assert.Equal(result.BestTrial!.Id, best.TrialId);
            Assert.Equal(0, best.DisposeCount);
            Assert.All(runner.Models.Where(m => !ReferenceEquals(m, best)), m => Assert.Equal(1, m.DisposeCount));
            // The best is the highest metric.
            Assert.Equal(result.Trials.Max(t => t.Metric), result.BestTrial.Metric);
        }

        [Fact]
        public async Task ModelsOfStoppedTrialsAreDisposedToo()
        {
            var runner = new FakeTrialRunner();
            var result = await TestSweeps.Experiment(runner).SetSuccessiveHalvingTuner(1, 3).SetMaxTrials(12).RunAsync();
            Assert.Contains(result.Trials, t => t.Status == TrialStatus.StoppedEarly);
            Assert.Equal(11, runner.Models.Count(m => m.DisposeCount == 1));
            Assert.Equal(0, ((FakeModel)result.BestModel!).DisposeCount);
        }
    }
}
