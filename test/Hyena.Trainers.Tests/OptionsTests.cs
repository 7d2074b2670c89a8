using System;
using Microsoft.ML;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Invalid options are refused when the trainer is built, naming the field.</summary>
    public class OptionsTests
    {
        private static readonly MLContext _ml = new();

        [Theory]
        [InlineData("ModelDimension")]
        [InlineData("Depth")]
        [InlineData("Order")]
        [InlineData("FilterEmbeddingDimension")]
        [InlineData("Dropout")]
        [InlineData("BatchSize")]
        [InlineData("MaxEpochs")]
        [InlineData("LearningRate")]
        [InlineData("WeightDecay")]
        [InlineData("WarmupFraction")]
        [InlineData("EarlyStoppingPatience")]
        [InlineData("MaxSequenceLength")]
        [InlineData("PatchSize")]
        [InlineData("NGramOrder")]
        [InlineData("NGramBuckets")]
        [InlineData("NextTokenLossWeight")]
        public void TextOptionIsNamed(string field)
        {
            var options = new HyenaTextClassificationTrainer.Options();
            switch (field)
            {
                case "ModelDimension": options.ModelDimension = 0; break;
                case "Depth": options.Depth = 0; break;
                case "Order": options.Order = 1; break;
                case "FilterEmbeddingDimension": options.FilterEmbeddingDimension = 4; break;
                case "Dropout": options.Dropout = 1; break;
                case "BatchSize": options.BatchSize = 0; break;
                case "MaxEpochs": options.MaxEpochs = 0; break;
                case "LearningRate": options.LearningRate = double.NaN; break;
                case "WeightDecay": options.WeightDecay = -1; break;
                case "WarmupFraction": options.WarmupFraction = 1; break;
                case "EarlyStoppingPatience": options.EarlyStoppingPatience = -1; break;
                case "PatchSize": options.PatchSize = 0; break;
                case "NGramOrder": options.NGramOrder = 0; break;
                case "NGramBuckets": options.NGramBuckets = 0; break;
                case "NextTokenLossWeight": options.NextTokenLossWeight = 0.5; options.PatchSize = 2; break; // predicts every position: needs PatchSize 1
                default: options.MaxSequenceLength = 0; break;
            }
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.HyenaTextClassification(options));
            Assert.Equal(field, error.ParamName);
            Assert.Contains($"HyenaTextClassificationTrainer.Options.{field}", error.Message);
        }

        [Theory]
        [InlineData("ImageHeight")]
        [InlineData("ImageChannels")]
        [InlineData("PixelsPerPosition")]
        public void ImageOptionIsNamed(string field)
        {
            var options = new HyenaImageClassificationTrainer.Options();
            switch (field)
            {
                case "ImageHeight": options.ImageHeight = 0; break;
                case "ImageChannels": options.ImageChannels = 0; break;
                default: options.PixelsPerPosition = 5; break; // 784 is not a multiple of 5
            }
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => _ml.MulticlassClassification.Trainers.HyenaImageClassification(options));
            Assert.Equal(field, error.ParamName);
            Assert.Contains($"HyenaImageClassificationTrainer.Options.{field}", error.Message);
        }

        [Fact]
        public void BlankColumnNameIsRefused()
        {
            var error = Assert.Throws<ArgumentException>(() =>
                _ml.MulticlassClassification.Trainers.HyenaTextClassification(new HyenaTextClassificationTrainer.Options { TextColumnName = " " }));
            Assert.Contains("TextColumnName", error.Message);
        }

        [Fact]
        public void CommonOverloadPassesItsArguments()
        {
            var trainer = _ml.MulticlassClassification.Trainers.HyenaTextClassification(labelColumnName: "L", textColumnName: "Body", maxSequenceLength: 7);
            var error = Assert.ThrowsAny<ArgumentException>(() => trainer.GetOutputSchema(SchemaShapes.Of(_ml.Data.LoadFromEnumerable(ToyData.MarkerText(2, 10, 1)).Schema)));
            Assert.Contains("L", error.Message);
        }
    }
}
