using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Every bad input gets a clear error naming the column and what was expected.</summary>
    public class BadInputTests
    {
        private static readonly MLContext _ml = new(seed: 1);

        private static HyenaTextClassificationTrainer.Options TinyText() => new()
        {
            MaxSequenceLength = 32, ModelDimension = 8, Depth = 1, FilterOrder = 8, MaxEpochs = 1, Seed = 1, Device = HyenaDevice.Cpu,
        };

        private static HyenaImageClassificationTrainer.Options TinyImage() => new()
        {
            ImageHeight = 8, ImageWidth = 8, ModelDimension = 8, Depth = 1, FilterOrder = 8, MaxEpochs = 1, Seed = 1, Device = HyenaDevice.Cpu,
        };

        private static IDataView Keyed(IDataView data) => _ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);

        public sealed class WrongSizeRow
        {
            [VectorType(10)]
            public float[] Features { get; set; } = new float[10];
            public string Label { get; set; } = "";
        }

        public sealed class VariableRow
        {
            public float[] Features { get; set; } = Array.Empty<float>();
            public string Label { get; set; } = "";
        }

        public sealed class NumberRow
        {
            public float Text { get; set; }
            public string Label { get; set; } = "";
        }

        [Fact]
        public void LabelThatIsNotAKeySuggestsMapValueToKey()
        {
            var data = _ml.Data.LoadFromEnumerable(ToyData.MarkerText(10, 20, 1));
            var error = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.HyenaTextClassification(TinyText()).Fit(data));
            Assert.Contains("'Label'", error.Message);
            Assert.Contains("MapValueToKey", error.Message);
            var schemaError = Assert.ThrowsAny<ArgumentException>(() =>
                _ml.MulticlassClassification.Trainers.HyenaTextClassification(TinyText()).GetOutputSchema(SchemaShapes.Of(data.Schema)));
            Assert.Contains("Label", schemaError.Message);
        }

        [Fact]
        public void MissingColumnIsNamed()
        {
            var data = Keyed(_ml.Data.LoadFromEnumerable(ToyData.MarkerText(10, 20, 1)));
            var options = TinyText();
            options.TextColumnName = "Body";
            var error = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(data));
            Assert.Contains("Body", error.Message);
        }

        [Fact]
        public void ColumnOfTheWrongTypeIsNamedWithTheExpectedTypes()
        {
            var data = Keyed(_ml.Data.LoadFromEnumerable(new[] { new NumberRow { Text = 1, Label = "a" }, new NumberRow { Text = 2, Label = "b" } }));
            var error = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.HyenaTextClassification(TinyText()).Fit(data));
            Assert.Contains("'Text'", error.Message);
            Assert.Contains("text, a vector of keys, or a vector of integers", error.Message);
        }

        [Fact]
        public void PixelVectorOfTheWrongSizeIsNamed()
        {
            var data = Keyed(_ml.Data.LoadFromEnumerable(new[] { new WrongSizeRow { Label = "a" }, new WrongSizeRow { Label = "b" } }));
            var error = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.HyenaImageClassification(TinyImage()).Fit(data));
            Assert.Contains("'Features'", error.Message);
            Assert.Contains("10 values", error.Message);
            Assert.Contains("8 x 8 x 1 = 64", error.Message);
        }

        [Fact]
        public void VariableSizePixelVectorOfTheWrongSizeIsNamedWithItsRow()
        {
            var rows = ToyData.StrokeImages(4, 1).Select(r => new VariableRow { Features = r.Features, Label = r.Label }).ToList();
            rows.Add(new VariableRow { Features = new float[63], Label = "top" });
            var data = Keyed(_ml.Data.LoadFromEnumerable(rows));
            var error = Assert.Throws<InvalidOperationException>(() => _ml.MulticlassClassification.Trainers.HyenaImageClassification(TinyImage()).Fit(data));
            Assert.Contains("'Features', row 4", error.Message);
            Assert.Contains("63 values", error.Message);
        }

        [Theory]
        [InlineData(float.NaN)]
        [InlineData(float.PositiveInfinity)]
        public void NonFinitePixelsAreRefused(float bad)
        {
            var rows = ToyData.StrokeImages(6, 1);
            rows[3].Features[17] = bad;
            var data = Keyed(_ml.Data.LoadFromEnumerable(rows));
            var error = Assert.Throws<InvalidOperationException>(() => _ml.MulticlassClassification.Trainers.HyenaImageClassification(TinyImage()).Fit(data));
            Assert.Contains("'Features', row 3", error.Message);
            Assert.Contains("not finite", error.Message);
        }

        [Fact]
        public void NonFinitePixelsAreRefusedWhenScoringToo()
        {
            var train = Keyed(_ml.Data.LoadFromEnumerable(ToyData.StrokeImages(12, 1)));
            using var model = _ml.MulticlassClassification.Trainers.HyenaImageClassification(TinyImage()).Fit(train);
            var rows = ToyData.StrokeImages(3, 2);
            rows[1].Features[0] = float.NaN;
            var scored = model.Transform(Keyed(_ml.Data.LoadFromEnumerable(rows)));
            var error = Assert.Throws<InvalidOperationException>(() => scored.GetColumn<float[]>("Score").ToArray());
            Assert.Contains("'Features', row 1", error.Message);
        }

        [Fact]
        public void EmptyTrainingSetIsRefused()
        {
            var empty = _ml.Data.LoadFromEnumerable(new List<TextRow>());
            var keyed = _ml.Transforms.Conversion.MapValueToKey("Label").Fit(_ml.Data.LoadFromEnumerable(ToyData.MarkerText(5, 10, 1))).Transform(empty);
            var error = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.HyenaTextClassification(TinyText()).Fit(keyed));
            Assert.Contains("no rows", error.Message);
        }

        [Fact]
        public void SingleClassIsRefused()
        {
            var rows = ToyData.MarkerText(6, 20, 1);
            foreach (var row in rows)
                row.Label = "only";
            var data = Keyed(_ml.Data.LoadFromEnumerable(rows));
            var error = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.HyenaTextClassification(TinyText()).Fit(data));
            Assert.Contains("'Label'", error.Message);
            Assert.Contains("at least two", error.Message);
        }

        [Fact]
        public void SingleClassPresentInALargerKeyIsRefused()
        {
            var rows = ToyData.MarkerText(6, 20, 1);
            var keyMap = _ml.Transforms.Conversion.MapValueToKey("Label").Fit(_ml.Data.LoadFromEnumerable(rows));
            foreach (var row in rows)
                row.Label = "alpha";
            var data = keyMap.Transform(_ml.Data.LoadFromEnumerable(rows));
            var error = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.HyenaTextClassification(TinyText()).Fit(data));
            Assert.Contains("single class ('alpha')", error.Message);
        }

        [Fact]
        public void IntegerTokensNeedAVocabularySize()
        {
            var data = Keyed(_ml.Data.LoadFromEnumerable(new[]
            {
                new IntTokenRow { Text = new[] { 1, 2, 3 }, Label = "a" },
                new IntTokenRow { Text = new[] { 3, 2 }, Label = "b" },
            }));
            var error = Assert.ThrowsAny<ArgumentException>(() => _ml.MulticlassClassification.Trainers.HyenaTextClassification(TinyText()).Fit(data));
            Assert.Contains("VocabularySize", error.Message);

            var options = TinyText();
            options.VocabularySize = 3;
            var outOfRange = Assert.Throws<InvalidOperationException>(() => _ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(data));
            Assert.Contains("'Text', row 0", outOfRange.Message);
            Assert.Contains("outside [0, 3)", outOfRange.Message);
        }

        public sealed class IntTokenRow
        {
            public int[] Text { get; set; } = Array.Empty<int>();
            public string Label { get; set; } = "";
        }

        [Fact]
        public void ScoringDataWithoutTheInputColumnIsNamed()
        {
            var train = Keyed(_ml.Data.LoadFromEnumerable(ToyData.MarkerText(12, 20, 1)));
            using var model = _ml.MulticlassClassification.Trainers.HyenaTextClassification(TinyText()).Fit(train);
            var other = _ml.Data.LoadFromEnumerable(new[] { new NumberRow() });
            var error = Assert.ThrowsAny<ArgumentException>(() => model.Transform(other));
            Assert.Contains("'Text'", error.Message);
        }
    }
}
