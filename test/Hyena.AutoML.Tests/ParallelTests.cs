using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public sealed class ParallelTests
    {
        [Fact]
        public async Task RunsOneTrialPerDeviceAtOnce()
        {
            var devices = Enumerable.Range(0, 4).Select(SweepDevice.Cuda).ToArray();
            FakeTrialRunner? runner = null;
            runner = new FakeTrialRunner
            {
                // Each of the first four trials waits until four have run at once (or a generous timeout).
                OnStart = context =>
                {
                    if (context.TrialId < 4)
                        SpinWait.SpinUntil(() => runner!.MaxConcurrent >= 4, TimeSpan.FromSeconds(10));
                },
                EpochDelay = _ => TimeSpan.FromMilliseconds(2),
            };
            var result = await TestSweeps.Experiment(runner).SetDevices(devices).SetMaxTrials(12).SetMaxEpochsPerTrial(3).RunAsync();
            Assert.Equal(4, runner.MaxConcurrent);
            Assert.False(runner.DeviceSharedAtOnce);
            Assert.Equal(12, result.Trials.Count);
            Assert.Equal(devices.ToHashSet(), result.Trials.Take(4).Select(t => t.Device).ToHashSet());
        }

        [Fact]
        public async Task CpuParallelismRunsSeveralCpuTrials()
        {
            FakeTrialRunner? runner = null;
            runner = new FakeTrialRunner
            {
                OnStart = context =>
                {
                    if (context.TrialId < 3)
                        SpinWait.SpinUntil(() => runner!.MaxConcurrent >= 3, TimeSpan.FromSeconds(10));
                },
            };
            var result = await TestSweeps.Experiment(runner).SetCpuParallelism(3).SetMaxTrials(6).RunAsync();
            Assert.Equal(3, runner.MaxConcurrent);
            Assert.All(result.Trials, t => Assert.Equal(SweepDevice.Cpu, t.Device));
        }

        [Fact]
        public async Task ParallelSuccessiveHalvingGivesTheSameTrialsAsSequential()
        {
            // Per-trial epoch times in an order unrelated to ids, so trials finish out of order in parallel.
            TimeSpan Delay(int id) => TimeSpan.FromMilliseconds((id * 7) % 5);
            async Task<SweepResult<FakeModel>> Run(int parallelism) => await TestSweeps.Experiment(new FakeTrialRunner { EpochDelay = Delay })
                .SetSuccessiveHalvingTuner(minEpochs: 1, reductionFactor: 2)
                .SetMaxTrials(20)
                .SetCpuParallelism(parallelism)
                .RunAsync();

            var sequential = await Run(1);
            var parallel = await Run(4);
            Assert.Equal(TestSweeps.Fingerprint(sequential.Trials), TestSweeps.Fingerprint(parallel.Trials));
            Assert.Equal(sequential.BestTrial!.Id, parallel.BestTrial!.Id);
            Assert.Contains(sequential.Trials, t => t.Status == TrialStatus.StoppedEarly);
        }

        [Fact]
        public async Task ParallelRandomSearchGivesTheSameTrialsAsSequential()
        {
            var sequential = await TestSweeps.Experiment(new FakeTrialRunner()).SetMaxTrials(10).RunAsync();
            var parallel = await TestSweeps.Experiment(new FakeTrialRunner { EpochDelay = id => TimeSpan.FromMilliseconds(id % 3) })
                .SetCpuParallelism(3).SetMaxTrials(10).RunAsync();
            Assert.Equal(TestSweeps.Fingerprint(sequential.Trials), TestSweeps.Fingerprint(parallel.Trials));
        }
    }
}
