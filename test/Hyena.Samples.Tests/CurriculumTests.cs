using System.Linq;
using Hyena.Samples;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Hyena;

namespace Hyena.Samples.Tests
{
    public class CurriculumTests
    {
        private static HyenaTextClassificationTrainer.Options Tiny(int maxLength, int epochs) => new()
        {
            TextColumnName = nameof(TokenRow.Tokens), VocabularySize = 30, MaxSequenceLength = maxLength, ModelDimension = 8,
            Depth = 1, FilterOrder = 8, MaxEpochs = epochs, BatchSize = 8, Pooling = HyenaPooling.Last, Seed = 1, Device = HyenaDevice.Cpu,
        };

        private static TokenRow[] Rows(int length, int count, int seed)
            => new AssociativeRecall(length, seed: seed).Generate(count)
                .Select(e => TokenRow.Of(e.Tokens, e.LabelClass.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToArray();

        [Fact]
        public void TrainsShortThenLongAndPredictsTheTasksLabels()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(Rows(65, 48, seed: 1));
            var shortRows = ml.Data.LoadFromEnumerable(Rows(17, 64, seed: 2));
            var stages = new System.Collections.Generic.List<int>();
            var shortStage = Tiny(65, 2);
            shortStage.Progress = new Progress(p => { if (p.Kind == HyenaProgressKind.Epoch) stages.Add(1); });
            var longStage = Tiny(65, 1);
            longStage.Progress = new Progress(p => { if (p.Kind == HyenaProgressKind.Epoch) stages.Add(2); });

            var model = Curriculum.Fit(ml, train, shortRows, shortStage, longStage);
            try
            {
                Assert.Equal(new[] { 1, 1, 2 }, stages);
                var predicted = model.Transform(train).GetColumn<string>("PredictedLabel").ToArray();
                Assert.Equal(48, predicted.Length);
                var classes = Enumerable.Range(0, 15).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
                Assert.All(predicted, p => Assert.Contains(p, classes));
                var hyena = ((TransformerChain<ITransformer>)model).OfType<HyenaClassificationTransformer>().Single();
                Assert.Equal(65, hyena.ModelConfig.Operator.MaxLength);
            }
            finally
            {
                (model as System.IDisposable)?.Dispose();
            }
        }

        private sealed class Progress : System.IProgress<HyenaTrainingProgress>
        {
            private readonly System.Action<HyenaTrainingProgress> _report;

            public Progress(System.Action<HyenaTrainingProgress> report) => _report = report;

            public void Report(HyenaTrainingProgress value) => _report(value);
        }
    }
}
