using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public sealed class StateFileTests : IDisposable
    {
        private readonly TempFolders _folders = new();

        public void Dispose() => _folders.Dispose();

        private static readonly SweepSearchSpace Space = new SweepSearchSpace()
            .Range("LearningRate", 1e-5, 1e-1, logBase: true)
            .Range("Depth", 1, 8)
            .Choice("Pooling", Pooling.Mean, Pooling.Last)
            .Choice("Ratio", 0.1, 0.25)
            .Choice("Name", "a,b", "c\"d")
            .Choice("Flag", false, true)
            .Fixed("BatchSize", 64);

        private static TrialResult Trial(int id, TrialStatus status) => new()
        {
            Id = id,
            Seed = 1234 + id,
            Parameters = new RandomSearchTuner(9).Propose(Space, id)!,
            Device = id % 2 == 0 ? SweepDevice.Cuda(1) : SweepDevice.Cpu,
            Status = status,
            Metric = status == TrialStatus.Failed ? null : 0.1 * id + 1e-17,
            Metrics = status == TrialStatus.Failed ? new Dictionary<string, double>() : new Dictionary<string, double> { ["MicroAccuracy"] = 0.1 * id + 1e-17, ["LogLoss"] = 1.5 },
            Curve = new[]
            {
                new EpochResult { Epoch = 1, Metric = 0.3, Metrics = new Dictionary<string, double> { ["MicroAccuracy"] = 0.3, ["LogLoss"] = double.NaN }, Elapsed = TimeSpan.FromSeconds(1.25) },
                new EpochResult { Epoch = 2, Metric = null, Metrics = new Dictionary<string, double> { ["TrainingLoss"] = 0.7 }, Elapsed = TimeSpan.FromSeconds(2.5) },
            },
            MaxEpochs = 9,
            StartedAtUtc = new DateTime(2025, 3, 4, 5, 6, 7, DateTimeKind.Utc),
            Duration = TimeSpan.FromSeconds(3.75),
            Error = status == TrialStatus.Failed ? "InvalidOperationException: out of \"memory\", really\nbad" : null,
        };

        [Fact]
        public void TheStateRoundTripsThroughItsFile()
        {
            string folder = _folders.New();
            var store = new SweepStateStore(folder);
            var trials = new[] { Trial(0, TrialStatus.Completed), Trial(1, TrialStatus.Failed), Trial(2, TrialStatus.StoppedEarly), Trial(3, TrialStatus.StoppedByTimeBudget) };
            var state = new SweepState
            {
                Sweep = new SweepDefinition { Seed = 5, Tuner = "RandomSearch(seed=5)", Metric = "MicroAccuracy", HigherIsBetter = true, MaxEpochs = 9, SearchSpace = Space.Select(p => p.ToString()).ToList() },
                ElapsedSeconds = 12.5,
                BestTrialId = 3,
                BestModelFile = SweepStateStore.ModelFileName(3),
                Trials = trials.Select(TrialState.FromResult).ToList(),
            };
            store.Save(state);
            Assert.Equal(new[] { "state.json" }, store.ListFiles());

            SweepState loaded = store.Load()!;
            Assert.Null(loaded.Sweep.FindDifference(state.Sweep));
            Assert.Equal((12.5, 3, "model-trial-0003.zip"), (loaded.ElapsedSeconds, loaded.BestTrialId, loaded.BestModelFile));
            var back = loaded.Trials.Select(t => t.ToResult(Space, SweepMetric.MicroAccuracy)).ToArray();
            for (int i = 0; i < trials.Length; i++)
            {
                TrialResult a = trials[i], b = back[i];
                Assert.Equal(a.Parameters, b.Parameters);
                Assert.Equal((a.Id, a.Seed, a.Device, a.Status, a.Metric, a.MaxEpochs, a.StartedAtUtc, a.Error),
                             (b.Id, b.Seed, b.Device, b.Status, b.Metric, b.MaxEpochs, b.StartedAtUtc, b.Error));
                Assert.Equal(a.Duration.TotalSeconds, b.Duration.TotalSeconds, 6);
                Assert.Equal(a.Metrics, b.Metrics);
                Assert.Equal(a.Curve.Select(e => e.Epoch), b.Curve.Select(e => e.Epoch));
                Assert.Equal(a.Curve.Select(e => e.Metric), b.Curve.Select(e => e.Metric));
                Assert.Equal(a.Curve.Select(e => e.Metrics.Count), b.Curve.Select(e => e.Metrics.Count));
                Assert.True(double.IsNaN(b.Curve[0].Metrics["LogLoss"]));
                Assert.Equal(a.Curve.Select(e => e.Elapsed), b.Curve.Select(e => e.Elapsed));
            }
            Assert.Equal(Pooling.Last.GetType(), back[0].Parameters["Pooling"].GetType());
        }

        [Fact]
        public void TheStateIsReadableJsonWithNamedValues()
        {
            string folder = _folders.New();
            var store = new SweepStateStore(folder);
            store.Save(new SweepState { Trials = { TrialState.FromResult(Trial(0, TrialStatus.Completed)) } });
            using var document = JsonDocument.Parse(File.ReadAllText(store.StatePath));
            JsonElement root = document.RootElement;
            Assert.Equal("hyena-sweep-state", root.GetProperty("format").GetString());
            Assert.Equal(1, root.GetProperty("version").GetInt32());
            JsonElement trial = root.GetProperty("trials")[0];
            Assert.Equal("Completed", trial.GetProperty("status").GetString());
            Assert.Equal("cuda:1", trial.GetProperty("device").GetString());
            Assert.Equal(JsonValueKind.String, trial.GetProperty("parameters").GetProperty("Pooling").ValueKind);
            Assert.Equal(64, trial.GetProperty("parameters").GetProperty("BatchSize").GetInt32());
        }

        [Fact]
        public void AStoredValueOutsideTheSpaceIsAnError()
        {
            var values = TrialState.FromResult(Trial(0, TrialStatus.Completed)).Parameters;
            values["Depth"] = JsonSerializer.SerializeToElement(99);
            Assert.Throws<ArgumentException>(() => Space.FromJson(values));
        }

        [Fact]
        public void ACorruptOrForeignFileIsReportedWithItsPath()
        {
            string folder = _folders.New();
            var store = new SweepStateStore(folder);
            File.WriteAllText(store.StatePath, "{ not json");
            Assert.Contains(store.StatePath, Assert.Throws<InvalidDataException>(() => store.Load()).Message);
            File.WriteAllText(store.StatePath, "{\"format\": \"something-else\"}");
            Assert.Throws<InvalidDataException>(() => store.Load());
        }
    }
}
