using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public sealed class SuccessiveHalvingTests
    {
        [Fact]
        public void RungsAreMinEpochsTimesPowersOfEtaBelowTheBudget()
        {
            Assert.Equal(new[] { 1, 3, 9 }, new SuccessiveHalvingTuner(1, 3).GetDecisionEpochs(27));
            Assert.Equal(new[] { 2, 4, 8 }, new SuccessiveHalvingTuner(2, 2).GetDecisionEpochs(16));
            Assert.Empty(new SuccessiveHalvingTuner(5, 3).GetDecisionEpochs(5));
        }

        [Fact]
        public void OnlyTheTopOneOverEtaOfARungGoesOn()
        {
            var tuner = new SuccessiveHalvingTuner(1, 3);
            bool Continues(double value, params double[] earlier)
                => tuner.ShouldContinue(new EarlyStoppingContext(earlier.Length, 1, value, earlier, SweepMetric.MicroAccuracy));
            Assert.True(Continues(0.1));                                  // alone: goes on
            Assert.False(Continues(0.1, 0.5));                            // 2 recorded: only the best goes on
            Assert.True(Continues(0.6, 0.5, 0.2));
            Assert.False(Continues(0.4, 0.5, 0.6, 0.1, 0.2, 0.3));        // 6 recorded: top 2 go on
            Assert.True(Continues(0.55, 0.5, 0.6, 0.1, 0.2, 0.3));
            // Lower is better for a loss.
            Assert.True(tuner.ShouldContinue(new EarlyStoppingContext(1, 1, 0.2, new[] { 0.5 }, SweepMetric.LogLoss)));
        }

        /// <summary>The rule, written independently: which epoch each trial stops at.</summary>
        private static int[] ExpectedEpochs(IReadOnlyList<double> qualities, int[] rungs, int eta, int maxEpochs)
        {
            var epochs = new int[qualities.Count];
            for (int t = 0; t < qualities.Count; t++)
            {
                epochs[t] = maxEpochs;
                foreach (int rung in rungs)
                {
                    var earlier = Enumerable.Range(0, t).Where(j => epochs[j] >= rung)
                        .Select(j => FakeTrialRunner.CurveAt(qualities[j], rung)).ToArray();
                    double own = FakeTrialRunner.CurveAt(qualities[t], rung);
                    int keep = Math.Max(1, (earlier.Length + 1) / eta);
                    if (earlier.Count(v => v > own) >= keep)
                    {
                        epochs[t] = rung;
                        break;
                    }
                }
            }
            return epochs;
        }

        [Fact]
        public async Task StopsWeakTrialsAtRungsAndPromotesGoodOnes()
        {
            var runner = new FakeTrialRunner();
            var result = await TestSweeps.Experiment(runner)
                .SetSuccessiveHalvingTuner(minEpochs: 1, reductionFactor: 3)
                .SetMaxTrials(27)
                .RunAsync();

            var space = TestSweeps.Space();
            var qualities = result.Trials.Select(t => FakeTrialRunner.DefaultQuality(t.Parameters)).ToArray();
            int[] expected = ExpectedEpochs(qualities, new[] { 1, 3 }, 3, 9);
            Assert.Equal(expected, result.Trials.Select(t => t.Epochs));
            Assert.All(result.Trials, t => Assert.Equal(t.Epochs == 9 ? TrialStatus.Completed : TrialStatus.StoppedEarly, t.Status));
            Assert.Contains(result.Trials, t => t.Status == TrialStatus.StoppedEarly && t.Epochs == 1);
            Assert.Contains(result.Trials, t => t.Status == TrialStatus.StoppedEarly && t.Epochs == 3);
            // Far fewer epochs than 27 full trials, and the best configuration trained fully and won.
            Assert.True(result.Trials.Sum(t => t.Epochs) < 27 * 9 / 2);
            int bestQuality = Array.IndexOf(qualities, qualities.Max());
            Assert.Equal(bestQuality, result.BestTrial!.Id);
            Assert.Equal(TrialStatus.Completed, result.BestTrial.Status);
            Assert.Equal(9, result.BestTrial.Epochs);
        }

        [Fact]
        public async Task SuccessiveHalvingCanWrapAGrid()
        {
            var space = new SweepSearchSpace().Range("X", 0.0, 1.0);
            var runner = new FakeTrialRunner();
            var result = await TestSweeps.Experiment(runner, space)
                .SetTuner(new SuccessiveHalvingTuner(new GridSearchTuner(9), minEpochs: 1, reductionFactor: 2))
                .SetMaxEpochsPerTrial(4)
                .RunAsync();
            Assert.Equal(9, result.Trials.Count);
            Assert.Equal(0.25, result.BestTrial!.Parameters["X"]);
            Assert.Contains(result.Trials, t => t.Status == TrialStatus.StoppedEarly);
        }
    }
}
