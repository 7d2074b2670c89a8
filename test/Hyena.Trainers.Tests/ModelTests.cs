using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Scoring, persistence and disposal of a fitted model.</summary>
    public class ModelTests : IClassFixture<TrainedTextModelFixture>
    {
        private readonly TrainedTextModelFixture _fixture;

        public ModelTests(TrainedTextModelFixture fixture) => _fixture = fixture;

        private sealed class Prediction
        {
            public string PredictedLabel { get; set; } = "";
            public float[] Score { get; set; } = Array.Empty<float>();
        }

        private static float[][] Scores(IDataView scored)
            => scored.GetColumn<float[]>("Score").ToArray();

        [Fact]
        public void OutputsFollowMulticlassConventions()
        {
            var scored = _fixture.Model.Transform(_fixture.Test);
            var score = scored.Schema["Score"];
            Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 3), score.Type);
            VBuffer<ReadOnlyMemory<char>> slotNames = default;
            score.GetSlotNames(ref slotNames);
            Assert.Equal(new[] { "alpha", "bravo", "charlie" }.OrderBy(s => s), slotNames.DenseValues().Select(s => s.ToString()).OrderBy(s => s));
            // MapKeyToValue restored the original labels from PredictedLabel's KeyValues.
            var predicted = scored.GetColumn<string>("PredictedLabel").ToArray();
            Assert.All(predicted, p => Assert.Contains(p, ToyData.Markers));
            foreach (var row in Scores(scored))
                Assert.Equal(1.0, row.Sum(), 4);
            var metrics = _fixture.Context.MulticlassClassification.Evaluate(scored);
            Assert.InRange(metrics.MicroAccuracy, 0, 1);
            Assert.Equal(3, metrics.PerClassLogLoss.Count);
        }

        [Fact]
        public void NullEmptyAndTooLongTextAreScored()
        {
            var scores = Scores(_fixture.Model.Transform(_fixture.Test));
            Assert.Equal(_fixture.TestRows.Count, scores.Length);
            int n = scores.Length;
            // Null and empty text are both the empty sequence: the same scores.
            Assert.Equal(scores[n - 3], scores[n - 2]);
            Assert.All(scores.SelectMany(s => s), v => Assert.True(float.IsFinite(v)));
        }

        [Fact]
        public void PredictionEngineMatchesBatchedScoring()
        {
            var batched = Scores(_fixture.Model.Transform(_fixture.Test));
            var engine = _fixture.Context.Model.CreatePredictionEngine<TextRow, Prediction>(_fixture.Model, new PredictionEngineOptions { OwnsTransformer = false });
            for (int i = 0; i < _fixture.TestRows.Count; i++)
            {
                var single = engine.Predict(_fixture.TestRows[i]);
                for (int c = 0; c < 3; c++)
                    Assert.Equal(batched[i][c], single.Score[c], 4);
                Assert.Contains(single.PredictedLabel, ToyData.Markers);
            }
        }

        [Fact]
        public void BatchCompositionDoesNotChangeScores()
        {
            // Scoring batch size 7 mixes rows of different lengths; each row alone must score the same.
            var together = Scores(_fixture.Model.Transform(_fixture.Test));
            for (int i = 0; i < 5; i++)
            {
                var alone = Scores(_fixture.Model.Transform(_fixture.Context.Data.LoadFromEnumerable(new[] { _fixture.TestRows[i] })))[0];
                for (int c = 0; c < 3; c++)
                    Assert.Equal(together[i][c], alone[c], 5);
            }
        }

        [Fact]
        public void ModelZipRoundTripInANewContextGivesTheSameScores()
        {
            string path = Path.Combine(Path.GetTempPath(), $"hyena-{Guid.NewGuid():N}.zip");
            try
            {
                _fixture.Context.Model.Save(_fixture.Model, _fixture.Train.Schema, path);
                var before = Scores(_fixture.Model.Transform(_fixture.Test));

                var fresh = new MLContext(seed: 99);
                var loaded = fresh.Model.Load(path, out var schema);
                try
                {
                    Assert.NotNull(schema.GetColumnOrNull("Text"));
                    var after = Scores(loaded.Transform(fresh.Data.LoadFromEnumerable(_fixture.TestRows)));
                    for (int i = 0; i < before.Length; i++)
                        for (int c = 0; c < 3; c++)
                            Assert.True(Math.Abs(before[i][c] - after[i][c]) <= 1e-5, $"row {i} class {c}: {before[i][c]} vs {after[i][c]}");
                    var labels = loaded.Transform(fresh.Data.LoadFromEnumerable(_fixture.TestRows)).GetColumn<string>("PredictedLabel").ToArray();
                    Assert.Equal(_fixture.Model.Transform(_fixture.Test).GetColumn<string>("PredictedLabel").ToArray(), labels);
                }
                finally
                {
                    (loaded as IDisposable)?.Dispose();
                }
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void CorruptedOrTruncatedZipIsAClearError()
        {
            string path = Path.Combine(Path.GetTempPath(), $"hyena-{Guid.NewGuid():N}.zip");
            try
            {
                _fixture.Context.Model.Save(_fixture.Model, _fixture.Train.Schema, path);
                var bytes = File.ReadAllBytes(path);

                File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length / 2).ToArray());
                var truncated = Record.Exception(() => new MLContext().Model.Load(path, out _));
                Assert.NotNull(truncated);
                Assert.IsNotType<NullReferenceException>(truncated);

                // Damage the weights inside an otherwise valid zip.
                using (var zip = new System.IO.Compression.ZipArchive(new MemoryStream(bytes), System.IO.Compression.ZipArchiveMode.Read))
                using (var output = File.Create(path))
                using (var copy = new System.IO.Compression.ZipArchive(output, System.IO.Compression.ZipArchiveMode.Create))
                {
                    foreach (var entry in zip.Entries)
                    {
                        using var source = entry.Open();
                        using var buffer = new MemoryStream();
                        source.CopyTo(buffer);
                        var content = buffer.ToArray();
                        if (entry.FullName.EndsWith("Weights", StringComparison.Ordinal))
                            content = content.AsSpan(0, content.Length - 100).ToArray();
                        using var target = copy.CreateEntry(entry.FullName).Open();
                        target.Write(content);
                    }
                }
                var damaged = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(path, out _));
                Assert.Contains("corrupted or truncated", damaged.ToString());
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void EpochProgressReachesTheMLContextLog()
        {
            lock (_fixture.Log)
            {
                var epochs = _fixture.Log.Where(m => m.Contains("epoch 2/2", StringComparison.Ordinal)).ToList();
                Assert.NotEmpty(epochs);
                Assert.Contains("tokens/s", epochs[0]);
                Assert.Contains("left", epochs[0]);
            }
        }

        [Fact]
        public void DisposingTheChainDisposesTheModel()
        {
            var ml = new MLContext(seed: 1);
            var model = _fixture.Pipeline.Fit(_fixture.Train);
            var hyena = TrainedTextModelFixture.FindHyena(model);
            (model as IDisposable)!.Dispose();
            Assert.Throws<ObjectDisposedException>(() => hyena.Transform(_fixture.Test));
        }
    }
}
