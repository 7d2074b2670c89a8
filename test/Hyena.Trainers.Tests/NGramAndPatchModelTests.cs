using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>A text model with hashed byte n-grams and patches: it learns, scores alike in any batch, and round-trips through model.zip.</summary>
    public class NGramAndPatchModelTests
    {
        [Fact]
        public void ANGramPatchModelLearnsAndRoundTrips()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(ToyData.MarkerText(900, 200, seed: 1));
            var testRows = ToyData.MarkerText(150, 200, seed: 2);
            var test = ml.Data.LoadFromEnumerable(testRows);
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HyenaTextClassification(new HyenaTextClassificationTrainer.Options
                {
                    MaxSequenceLength = 202, // not a multiple of the patch: the last patch is completed with padding
                    NGramOrder = 3,
                    NGramBuckets = 4096,
                    Pooling = HyenaPooling.Max, // one marker anywhere: the max finds it where the mean dilutes it
                    PatchSize = 4,
                    ModelDimension = 32,
                    Depth = 1,
                    FilterOrder = 16,
                    MaxEpochs = 6,
                    BatchSize = 16,
                    ScoringBatchSize = 7,
                    LearningRate = 5e-3,
                    Seed = 1,
                    Device = HyenaDevice.Cpu,
                }))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            using var model = pipeline.Fit(train);
            var hyena = TrainedTextModelFixture.FindHyena(model);
            Assert.Equal(3, hyena.ModelConfig.NGramOrder);
            Assert.Equal(4096, hyena.ModelConfig.NGramBuckets);
            Assert.Equal(4, hyena.ModelConfig.PatchSize);
            Assert.Equal(51, hyena.ModelConfig.Operator.MaxLength); // 202 bytes in patches of 4

            var scored = model.Transform(test);
            var metrics = ml.MulticlassClassification.Evaluate(scored);
            Assert.True(metrics.MicroAccuracy >= 0.9, $"accuracy {metrics.MicroAccuracy:P1}");
            var before = scored.GetColumn<float[]>("Score").ToArray();

            // One row at a time (no batch padding at all) gives the same scores as batches of 7.
            var engine = ml.Model.CreatePredictionEngine<TextRow, ScoreRow>(model);
            for (int i = 0; i < 20; i++)
            {
                var single = engine.Predict(testRows[i]).Score;
                for (int c = 0; c < 3; c++)
                    Assert.True(Math.Abs(before[i][c] - single[c]) <= 1e-5, $"row {i} class {c}: {before[i][c]} batched vs {single[c]} alone");
            }

            ModelReload.AssertSameScores(ml, model, train, test,
                loaded => Assert.Equal(4, TrainedTextModelFixture.FindHyena(loaded).ModelConfig.PatchSize));
        }

        private sealed class ScoreRow
        {
            public float[] Score { get; set; } = Array.Empty<float>();
        }
    }
}
