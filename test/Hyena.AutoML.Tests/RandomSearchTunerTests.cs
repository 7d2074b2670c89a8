using System;
using System.Linq;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public sealed class RandomSearchTunerTests
    {
        private const int Samples = 4000;

        private static SweepSearchSpace Space() => new SweepSearchSpace()
            .Range("Linear", 2.0, 6.0)
            .Range("Log", 1e-4, 1e-0, logBase: true)
            .Range("Int", 3, 7)
            .Range("LogInt", 1, 1000, logBase: true)
            .Choice("Choice", "a", "b", "c")
            .Fixed("Fixed", 64);

        private static ParameterAssignment[] Sample(int seed)
        {
            var tuner = new RandomSearchTuner(seed);
            var space = Space();
            return Enumerable.Range(0, Samples).Select(i => tuner.Propose(space, i)!).ToArray();
        }

        [Fact]
        public void ValuesStayInsideTheirRangesAndChoices()
        {
            var samples = Sample(7);
            Assert.All(samples, s =>
            {
                Assert.InRange((double)s["Linear"], 2.0, 6.0);
                Assert.InRange((double)s["Log"], 1e-4, 1.0);
                Assert.InRange((int)s["Int"], 3, 7);
                Assert.InRange((int)s["LogInt"], 1, 1000);
                Assert.Contains((string)s["Choice"], new[] { "a", "b", "c" });
                Assert.Equal(64, s["Fixed"]);
            });
            // Every integer of the range (ends included) and every choice comes up about equally often.
            var ints = samples.GroupBy(s => (int)s["Int"]).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(new[] { 3, 4, 5, 6, 7 }, ints.Keys.OrderBy(k => k));
            Assert.All(ints.Values, n => Assert.InRange(n, Samples / 5 * 0.85, Samples / 5 * 1.15));
            var choices = samples.GroupBy(s => (string)s["Choice"]).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(3, choices.Count);
            Assert.All(choices.Values, n => Assert.InRange(n, Samples / 3 * 0.85, Samples / 3 * 1.15));
        }

        [Fact]
        public void LinearRangesAreUniformAndLogRangesAreUniformInTheLog()
        {
            var samples = Sample(11);
            double belowMidpoint = samples.Count(s => (double)s["Linear"] < 4.0) / (double)Samples;
            Assert.InRange(belowMidpoint, 0.46, 0.54);
            // Log scale: half below the geometric mean (1e-2), almost all below the arithmetic midpoint (0.5).
            double belowGeometricMean = samples.Count(s => (double)s["Log"] < 1e-2) / (double)Samples;
            Assert.InRange(belowGeometricMean, 0.46, 0.54);
            double belowArithmeticMidpoint = samples.Count(s => (double)s["Log"] < 0.5) / (double)Samples;
            Assert.InRange(belowArithmeticMidpoint, 0.9, 0.97);
            // Each decade of the log integer range gets about a third.
            double firstDecades = samples.Count(s => (int)s["LogInt"] < 10) / (double)Samples;
            Assert.InRange(firstDecades, 0.29, 0.38);
        }

        [Fact]
        public void TheSameSeedGivesTheSameTrialsInAnyOrder()
        {
            var space = Space();
            var tuner = new RandomSearchTuner(5);
            var forward = Enumerable.Range(0, 50).Select(i => tuner.Propose(space, i)).ToArray();
            var backward = Enumerable.Range(0, 50).Reverse().Select(i => new RandomSearchTuner(5).Propose(space, i)).Reverse().ToArray();
            Assert.Equal(forward, backward);
            var other = Enumerable.Range(0, 50).Select(i => new RandomSearchTuner(6).Propose(space, i)).ToArray();
            Assert.NotEqual(forward, other);
            Assert.Equal(50, forward.Distinct().Count());
        }

        [Fact]
        public void SamplesAndSeedsAreFixedAcrossVersions()
        {
            // Golden values: the generator is this library's SplitMix64 (not System.Random), so old sweeps
            // resume with the same trials. A change here breaks the resume of existing state folders.
            var space = new SweepSearchSpace().Range("U", 0.0, 1.0).Range("I", 1, 100).Choice("C", "a", "b", "c");
            Assert.Equal("U=0.4685539988151882, I=52, C=b", new RandomSearchTuner(42).Propose(space, 7)!.ToString());
            Assert.Equal(1731419530, SeedSequence.TrialSeed(0, 0));
            Assert.Equal(1989461705, SeedSequence.TrialSeed(42, 7));
            Assert.NotEqual(SeedSequence.TrialSeed(0, 0), SeedSequence.TrialSeed(0, 1));
            Assert.NotEqual(SeedSequence.TrialSeed(0, 0), SeedSequence.TrialSeed(1, 0));
        }
    }
}
