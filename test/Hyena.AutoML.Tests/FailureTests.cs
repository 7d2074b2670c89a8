using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public sealed class FailureTests
    {
        [Fact]
        public async Task AFailedTrialIsRecordedAndTheSweepGoesOn()
        {
            var runner = new FakeTrialRunner { Failure = c => (string)c.Parameters["C"] == "c" ? "CUDA out of memory" : null };
            var result = await TestSweeps.Experiment(runner).SetCpuParallelism(2).SetMaxTrials(12).RunAsync();

            Assert.Equal(12, result.Trials.Count);
            var failed = result.Trials.Where(t => t.Status == TrialStatus.Failed).ToArray();
            Assert.NotEmpty(failed);
            Assert.All(failed, t =>
            {
                Assert.Equal("c", t.Parameters["C"]);
                Assert.Equal("InvalidOperationException: CUDA out of memory", t.Error);
                Assert.Null(t.Metric);
                Assert.Equal(1, t.Epochs); // it reported one epoch, then threw
            });
            Assert.NotEqual("c", result.BestTrial!.Parameters["C"]);
            Assert.Contains(result.Trials, t => t.Status == TrialStatus.Completed);
        }

        [Fact]
        public async Task AMissingOrNaNMetricFailsTheTrialAndDisposesItsModel()
        {
            var models = new List<FakeModel>();
            var result = await new SweepExperiment<FakeModel>()
                .SetMaxTrials(3)
                .SetTrialRunner((context, _) =>
                {
                    var model = new FakeModel(context.TrialId, 0);
                    lock (models)
                        models.Add(model);
                    var metrics = context.TrialId switch
                    {
                        0 => new Dictionary<string, double> { ["LogLoss"] = 0.3 },
                        1 => new Dictionary<string, double> { ["MicroAccuracy"] = double.NaN },
                        _ => new Dictionary<string, double> { ["MicroAccuracy"] = 0.8 },
                    };
                    return Task.FromResult(new TrialOutput<FakeModel>(model, metrics));
                })
                .RunAsync();
            Assert.Equal(TrialStatus.Failed, result.Trials[0].Status);
            Assert.Contains("no value of the metric MicroAccuracy", result.Trials[0].Error);
            Assert.Equal(TrialStatus.Failed, result.Trials[1].Status);
            Assert.Contains("NaN", result.Trials[1].Error);
            Assert.Equal(2, result.BestTrial!.Id);
            Assert.Equal(new[] { 1, 1, 0 }, models.OrderBy(m => m.TrialId).Select(m => m.DisposeCount));
        }

        [Fact]
        public async Task WhenEveryTrialFailsThereIsNoBest()
        {
            var result = await new SweepExperiment<FakeModel>()
                .SetMaxTrials(2)
                .SetTrialRunner((_, _) => throw new NotSupportedException("nope"))
                .RunAsync();
            Assert.All(result.Trials, t => Assert.Equal("NotSupportedException: nope", t.Error));
            Assert.Null(result.BestTrial);
            Assert.Null(result.BestModel);
        }

        [Fact]
        public async Task CancellingBeforeAnyTrialFinishesReturnsNoTrials()
        {
            using var cancellation = new CancellationTokenSource();
            cancellation.Cancel();
            var result = await TestSweeps.Experiment(new FakeTrialRunner()).SetMaxTrials(3).RunAsync(cancellation.Token);
            Assert.Equal(SweepStopReason.Cancelled, result.StopReason);
            Assert.Empty(result.Trials);
        }

        [Fact]
        public async Task ARunnerIsRequired()
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => new SweepExperiment<FakeModel>().SetMaxTrials(1).RunAsync());
        }
    }
}
