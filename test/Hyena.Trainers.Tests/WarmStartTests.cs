using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Continued training: <c>Fit(input, initialModel)</c> starts from the initial model's weights and input preparation.</summary>
    public class WarmStartTests
    {
        private static HyenaTextClassificationTrainer.Options Text(double learningRate = 3e-3, int epochs = 1) => new()
        {
            MaxSequenceLength = 64, ModelDimension = 16, Depth = 1, FilterOrder = 16, MaxEpochs = epochs, BatchSize = 8,
            LearningRate = learningRate, Seed = 7, Device = HyenaDevice.Cpu,
        };

        private static HyenaImageClassificationTrainer.Options Image(double learningRate = 3e-3) => new()
        {
            ImageHeight = 8, ImageWidth = 8, ModelDimension = 8, Depth = 1, FilterOrder = 8, MaxEpochs = 1, BatchSize = 8,
            LearningRate = learningRate, Seed = 3, Device = HyenaDevice.Cpu,
        };

        private static (MLContext Ml, IDataView First, IDataView Second, IDataView Test) TextData()
        {
            var ml = new MLContext(seed: 1);
            var all = ToyData.MarkerText(150, 60, seed: 21);
            var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Fit(ml.Data.LoadFromEnumerable(all));
            IDataView Part(int skip, int take) => keys.Transform(ml.Data.LoadFromEnumerable(all.Skip(skip).Take(take)));
            return (ml, Part(0, 60), Part(60, 60), Part(120, 30));
        }

        private static TorchSharp.torch.nn.Module InitialNetwork(HyenaClassificationTransformer model) => model.Network;

        private static float[][] Scores(ITransformer model, IDataView data) => model.Transform(data).GetColumn<float[]>("Score").ToArray();

        private static double LargestDifference(float[][] a, float[][] b) => a.Zip(b, (x, y) => x.Zip(y, (p, q) => Math.Abs(p - q)).Max()).Max();

        [Fact]
        public void ContinuedTrainingStartsFromTheInitialWeights()
        {
            var (ml, first, second, test) = TextData();
            var trainers = ml.MulticlassClassification.Trainers;
            using var initial = trainers.HyenaTextClassification(Text(epochs: 3)).Fit(first);
            var before = Scores(initial, test);

            // The continued network starts from an exact copy of the initial weights.
            using (var copy = initial.CopyNetwork())
            {
                var source = StateDict.Export(copy);
                foreach (var (name, tensor) in StateDict.Export(InitialNetwork(initial)))
                    Assert.True(tensor.equal(source[name]).all().item<bool>(), name);
            }

            // With a vanishing learning rate for the weights (the filter MLP keeps its own hinted rate,
            // as in the reference) one epoch stays close to the initial model, far closer than a model
            // trained from scratch with the same options.
            using var kept = trainers.HyenaTextClassification(Text(learningRate: 1e-12)).Fit(second, initial);
            using var scratch = trainers.HyenaTextClassification(Text(learningRate: 1e-12)).Fit(second);
            double keptDifference = LargestDifference(before, Scores(kept, test));
            double scratchDifference = LargestDifference(before, Scores(scratch, test));
            Assert.True(keptDifference * 5 < scratchDifference, $"continued {keptDifference}, from scratch {scratchDifference}");

            // A real continuation changes the weights and leaves the initial model as it was.
            using var continued = trainers.HyenaTextClassification(Text()).Fit(second, initial);
            Assert.True(LargestDifference(before, Scores(continued, test)) > 1e-4);
            Assert.Equal(before, Scores(initial, test));
            Assert.Equal(initial.ModelConfig, continued.ModelConfig);
        }

        [Fact]
        public void ContinuedImageModelKeepsTheInitialStandardisation()
        {
            var ml = new MLContext(seed: 1);
            var rows = ToyData.StrokeImages(120, seed: 5);
            // The second part is brighter: re-fitting the standardisation on it would change every score.
            var brighter = ToyData.StrokeImages(60, seed: 6).Select(r => new PixelRow { Features = r.Features.Select(v => v * 3 + 1).ToArray(), Label = r.Label }).ToList();
            var keys = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Fit(ml.Data.LoadFromEnumerable(rows));
            var first = keys.Transform(ml.Data.LoadFromEnumerable(rows.Take(90)));
            var test = keys.Transform(ml.Data.LoadFromEnumerable(rows.Skip(90)));
            var trainers = ml.MulticlassClassification.Trainers;
            using var initial = trainers.HyenaImageClassification(Image()).Fit(first);
            using var kept = trainers.HyenaImageClassification(Image(learningRate: 1e-12)).Fit(keys.Transform(ml.Data.LoadFromEnumerable(brighter)), initial);
            Assert.Same(initial.Featurizer, kept.Featurizer);
            using var refitted = trainers.HyenaImageClassification(Image(learningRate: 1e-12)).Fit(keys.Transform(ml.Data.LoadFromEnumerable(brighter)));
            double keptDifference = LargestDifference(Scores(initial, test), Scores(kept, test));
            double refittedDifference = LargestDifference(Scores(initial, test), Scores(refitted, test));
            Assert.True(keptDifference * 5 < refittedDifference, $"continued {keptDifference}, from scratch {refittedDifference}");
        }

        [Fact]
        public void ContinuedModelSavesAndLoads()
        {
            var (ml, first, second, test) = TextData();
            using var initial = ml.MulticlassClassification.Trainers.HyenaTextClassification(Text()).Fit(first);
            using var continued = ml.MulticlassClassification.Trainers.HyenaTextClassification(Text()).Fit(second, initial);
            using var stream = new System.IO.MemoryStream();
            ml.Model.Save(continued, second.Schema, stream);
            stream.Position = 0;
            var loaded = ml.Model.Load(stream, out _);
            try
            {
                Assert.True(LargestDifference(Scores(continued, test), Scores(loaded, test)) < 1e-5);
                // A loaded model can be the initial model too.
                using var again = ml.MulticlassClassification.Trainers.HyenaTextClassification(Text()).Fit(second, (HyenaClassificationTransformer)loaded);
                Assert.Equal(initial.ModelConfig, again.ModelConfig);
            }
            finally
            {
                (loaded as IDisposable)?.Dispose();
            }
        }

        [Fact]
        public void IncompatibleInitialModelsAreRefusedWithClearErrors()
        {
            var (ml, first, second, _) = TextData();
            var trainers = ml.MulticlassClassification.Trainers;
            using var initial = trainers.HyenaTextClassification(Text()).Fit(first);

            Assert.Throws<ArgumentNullException>(() => trainers.HyenaTextClassification(Text()).Fit(second, null!));

            // Another input column.
            var renamed = ml.Transforms.CopyColumns("Body", "Text").Fit(second).Transform(second);
            var options = Text();
            options.TextColumnName = "Body";
            var column = Assert.Throws<ArgumentException>(() => trainers.HyenaTextClassification(options).Fit(renamed, initial));
            Assert.Contains("'Text'", column.Message);
            Assert.Contains("'Body'", column.Message);

            // Another kind of model.
            var images = ToyData.StrokeImages(30, seed: 2);
            var imageData = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(images)).Transform(ml.Data.LoadFromEnumerable(images));
            using var imageModel = trainers.HyenaImageClassification(Image()).Fit(imageData);
            var kind = Assert.Throws<ArgumentException>(() => trainers.HyenaTextClassification(Text()).Fit(second, imageModel));
            Assert.Equal("initialModel", kind.ParamName);

            // The same classes in another key order.
            // (occurrence order: the rows are sorted so that 'charlie' comes first)
            var raw = ml.Data.LoadFromEnumerable(ToyData.MarkerText(40, 60, seed: 22).OrderByDescending(r => r.Label).ToList());
            var reordered = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Fit(raw).Transform(raw);
            var byOccurrence = ml.Transforms.Conversion.MapValueToKey("Label").Fit(raw).Transform(raw);
            using var occurrenceModel = trainers.HyenaTextClassification(Text()).Fit(byOccurrence);
            var classes = Assert.Throws<ArgumentException>(() => trainers.HyenaTextClassification(Text()).Fit(reordered, occurrenceModel));
            Assert.Contains("Label column 'Label'", classes.Message);
            Assert.Contains("key order", classes.Message);

            // The auxiliary next-token loss needs the head the initial model was made without.
            var nextToken = Text();
            nextToken.NextTokenLossWeight = 1;
            var head = Assert.Throws<ArgumentException>(() => trainers.HyenaTextClassification(nextToken).Fit(second, initial));
            Assert.Contains("NextTokenLossWeight", head.Message);

            // A disposed model.
            var disposed = trainers.HyenaTextClassification(Text()).Fit(first);
            disposed.Dispose();
            Assert.Throws<ObjectDisposedException>(() => trainers.HyenaTextClassification(Text()).Fit(second, disposed));
        }
    }
}
