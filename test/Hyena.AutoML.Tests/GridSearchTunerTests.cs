using System.Linq;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public sealed class GridSearchTunerTests
    {
        private static SweepSearchSpace Space() => new SweepSearchSpace()
            .Choice("C", "a", "b", "c")
            .Range("Depth", 1, 2)
            .Range("X", 0.0, 1.0)
            .Fixed("BatchSize", 64);

        [Fact]
        public void EnumeratesEveryPointOnceThenStops()
        {
            var tuner = new GridSearchTuner(stepsPerRange: 3);
            var space = Space();
            Assert.Equal(18, tuner.CountPoints(space));
            var points = Enumerable.Range(0, 18).Select(i => tuner.Propose(space, i)!).ToArray();
            Assert.Null(tuner.Propose(space, 18));
            var expected =
                from c in new[] { "a", "b", "c" }
                from d in new[] { 1, 2 }
                from x in new[] { 0.0, 0.5, 1.0 }
                select $"C={c}, Depth={d}, X={x.ToString(System.Globalization.CultureInfo.InvariantCulture)}, BatchSize=64";
            Assert.Equal(expected, points.Select(p => p.ToString()));
        }

        [Fact]
        public void RangesGetEvenlySpacedPointsOnTheirScale()
        {
            Assert.Equal(new object[] { 1e-4, 1e-3, 1e-2 }, new RangeParameter("L", 1e-4, 1e-2, logBase: true).GridPoints(3)
                .Select(v => (object)System.Math.Round((double)v, 12)));
            Assert.Equal(new object[] { 1, 4, 7, 10 }, new RangeParameter("I", 1, 10).GridPoints(4));
            Assert.Equal(new object[] { 1, 2, 3 }, new RangeParameter("I", 1, 3).GridPoints(5));
        }

        [Fact]
        public async Task ASweepRunsTheWholeGrid()
        {
            var runner = new FakeTrialRunner();
            var result = await TestSweeps.Experiment(runner, Space()).SetGridSearchTuner(3).SetMaxEpochsPerTrial(2).RunAsync();
            Assert.Equal(SweepStopReason.SearchSpaceExhausted, result.StopReason);
            Assert.Equal(18, result.Trials.Count);
            Assert.Equal(18, result.Trials.Select(t => t.Parameters).Distinct().Count());
            // The best point of the objective on this grid: X = 0.5 (closest to 0.3) with C = "b".
            Assert.Equal("b", result.BestTrial!.Parameters["C"]);
            Assert.Equal(0.5, result.BestTrial.Parameters["X"]);
        }
    }
}
