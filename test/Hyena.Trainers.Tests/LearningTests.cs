using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena.Tests
{
    public class LearningTests
    {
        [Fact]
        public void TextMarkerAnywhereInAFewHundredCharactersIsLearned()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(ToyData.MarkerText(1200, 256, seed: 1));
            var test = ml.Data.LoadFromEnumerable(ToyData.MarkerText(300, 256, seed: 2));
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HyenaTextClassification(new HyenaTextClassificationTrainer.Options
                {
                    MaxSequenceLength = 256,
                    ModelDimension = 32,
                    Depth = 2,
                    FilterOrder = 32,
                    MaxEpochs = 4,
                    BatchSize = 16,
                    LearningRate = 5e-3,
                    Seed = 1,
                    Device = HyenaDevice.Cpu,
                }))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            using var model = pipeline.Fit(train);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
            Assert.True(metrics.MicroAccuracy >= 0.9, $"accuracy {metrics.MicroAccuracy:P1}");
        }
    }
}

namespace Microsoft.ML.Hyena.Tests
{
    public class ImageLearningTests
    {
        [Theory]
        [InlineData(1)]
        [InlineData(4)]
        public void StrokeImagesAreLearned(int pixelsPerPosition)
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(ToyData.StrokeImages(500, seed: 1));
            var test = ml.Data.LoadFromEnumerable(ToyData.StrokeImages(200, seed: 2));
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HyenaImageClassification(new HyenaImageClassificationTrainer.Options
                {
                    ImageHeight = 8, ImageWidth = 8, PixelsPerPosition = pixelsPerPosition,
                    ModelDimension = 32, Depth = 2, FilterOrder = 32, MaxEpochs = 8, BatchSize = 16, LearningRate = 3e-3,
                    Seed = 1, Device = HyenaDevice.Cpu,
                }))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            using var model = pipeline.Fit(train);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
            Assert.True(metrics.MicroAccuracy >= 0.9, $"accuracy {metrics.MicroAccuracy:P1}");
        }
    }
}
