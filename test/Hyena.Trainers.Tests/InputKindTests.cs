using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Already-tokenized sequences, tokenizers and image columns, end to end.</summary>
    public class InputKindTests
    {
        private static HyenaTextClassificationTrainer.Options Tiny(int epochs = 1) => new()
        {
            MaxSequenceLength = 64, ModelDimension = 16, Depth = 1, FilterOrder = 16, MaxEpochs = epochs, BatchSize = 8, Seed = 2, Device = HyenaDevice.Cpu,
        };

        private static float[][] Scores(ITransformer model, IDataView data) => model.Transform(data).GetColumn<float[]>("Score").ToArray();

        public sealed class DnaRow
        {
            public string[] Bases { get; set; } = Array.Empty<string>();
            public string Label { get; set; } = "";
        }

        [Fact]
        public void KeyVectorSequencesTrainScoreAndReload()
        {
            // DNA-like sequences; the class is whether "GATTACA" occurs.
            var random = new Random(4);
            var rows = Enumerable.Range(0, 80).Select(i =>
            {
                var bases = Enumerable.Range(0, 40).Select(_ => "ACGT"[random.Next(4)].ToString()).ToArray();
                bool motif = i % 2 == 0;
                if (motif)
                    "GATTACA".Select(c => c.ToString()).ToArray().CopyTo(bases, random.Next(33));
                return new DnaRow { Bases = bases, Label = motif ? "motif" : "none" };
            }).ToList();
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(rows);
            var options = Tiny();
            options.TextColumnName = "Bases";
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Conversion.MapValueToKey("Bases"))
                .Append(ml.MulticlassClassification.Trainers.HyenaTextClassification(options));
            var model = pipeline.Fit(data);
            try
            {
                var hyena = TrainedTextModelFixture.FindHyena(model);
                Assert.Equal(5, hyena.ModelConfig.VocabularySize); // 4 bases + padding
                ModelReload.AssertSameScores(ml, model, data, data);
            }
            finally
            {
                model.Dispose();
            }
        }

        [Fact]
        public void TiktokenModelTokenizesIdenticallyAfterReload()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(ToyData.MarkerText(40, 60, 5));
            var options = Tiny();
            options.Tokenizer = TiktokenTokenizer.CreateForModel("gpt2");
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HyenaTextClassification(options)).Fit(train);
            try
            {
                var hyena = TrainedTextModelFixture.FindHyena(model);
                Assert.Contains("gpt2", hyena.InputDescription);
                Assert.Equal(50258, hyena.ModelConfig.VocabularySize);
                ModelReload.AssertSameScores(ml, model, train, train);
            }
            finally
            {
                model.Dispose();
            }
        }

        public sealed class ImagePathRow
        {
            public string ImagePath { get; set; } = "";
            public string Label { get; set; } = "";
        }

        [Fact]
        public void ImageColumnsFromLoadImagesAreResizedAndLearned()
        {
            // Bright left half versus bright right half, 12 x 10 PNGs read as 6 x 6 gray.
            string folder = Path.Combine(Path.GetTempPath(), $"hyena-images-{Guid.NewGuid():N}");
            Directory.CreateDirectory(folder);
            try
            {
                var random = new Random(3);
                var rows = new List<ImagePathRow>();
                for (int i = 0; i < 60; i++)
                {
                    bool left = i % 2 == 0;
                    var pixels = new byte[12 * 10 * 4];
                    for (int y = 0; y < 10; y++)
                        for (int x = 0; x < 12; x++)
                        {
                            byte v = (byte)((x < 6) == left ? 200 + random.Next(55) : random.Next(60));
                            int o = (y * 12 + x) * 4;
                            pixels[o] = pixels[o + 1] = pixels[o + 2] = v;
                            pixels[o + 3] = 255;
                        }
                    string path = Path.Combine(folder, $"{i}.png");
                    using (var image = MLImage.CreateFromPixels(12, 10, MLPixelFormat.Rgba32, pixels))
                        image.Save(path);
                    rows.Add(new ImagePathRow { ImagePath = path, Label = left ? "left" : "right" });
                }
                var ml = new MLContext(seed: 1);
                var data = ml.Data.LoadFromEnumerable(rows);
                var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                    .Append(ml.Transforms.LoadImages("Image", folder, "ImagePath"))
                    .Append(ml.MulticlassClassification.Trainers.HyenaImageClassification(new HyenaImageClassificationTrainer.Options
                    {
                        FeatureColumnName = "Image", ImageHeight = 6, ImageWidth = 6, ImageChannels = 1,
                        ModelDimension = 16, Depth = 1, FilterOrder = 16, MaxEpochs = 6, BatchSize = 8, LearningRate = 3e-3, Seed = 1, Device = HyenaDevice.Cpu,
                    }));
                var model = pipeline.Fit(data);
                try
                {
                    var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
                    Assert.True(metrics.MicroAccuracy >= 0.9, $"accuracy {metrics.MicroAccuracy:P1}");
                    ModelReload.AssertSameScores(ml, model, data, data);
                }
                finally
                {
                    model.Dispose();
                }
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
