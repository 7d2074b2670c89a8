using System;
using System.Collections.Generic;
using Microsoft.ML;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>One small text model trained once and shared by the tests that only score.</summary>
    public sealed class TrainedTextModelFixture : IDisposable
    {
        public TrainedTextModelFixture()
        {
            Context = new MLContext(seed: 3);
            Log = new List<string>();
            Context.Log += (_, e) => { lock (Log) Log.Add(e.Message); };
            TrainRows = ToyData.MarkerText(120, 80, seed: 11);
            TestRows = ToyData.MarkerText(40, 80, seed: 12);
            TestRows.Add(new TextRow { Text = null, Label = "alpha" });
            TestRows.Add(new TextRow { Text = "", Label = "bravo" });
            TestRows.Add(new TextRow { Text = new string('x', 500) + " charlie", Label = "charlie" }); // longer than MaxSequenceLength
            Train = Context.Data.LoadFromEnumerable(TrainRows);
            Test = Context.Data.LoadFromEnumerable(TestRows);
            Pipeline = Context.Transforms.Conversion.MapValueToKey("Label")
                .Append(Context.MulticlassClassification.Trainers.HyenaTextClassification(Options()))
                .Append(Context.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            Model = Pipeline.Fit(Train);
            Hyena = FindHyena(Model);
        }

        public static HyenaTextClassificationTrainer.Options Options() => new()
        {
            MaxSequenceLength = 96,
            ModelDimension = 16,
            Depth = 1,
            FilterOrder = 16,
            MaxEpochs = 2,
            BatchSize = 16,
            ScoringBatchSize = 7,
            Seed = 5,
            Device = HyenaDevice.Cpu,
        };

        public MLContext Context { get; }

        public HyenaClassificationTransformer Hyena { get; }

        public static HyenaClassificationTransformer FindHyena(ITransformer model)
        {
            if (model is HyenaClassificationTransformer hyena)
                return hyena;
            if (model is System.Collections.Generic.IEnumerable<ITransformer> chain)
            {
                foreach (var part in chain)
                {
                    if (part is HyenaClassificationTransformer found)
                        return found;
                }
            }
            throw new InvalidOperationException("no Hyena transformer in the model");
        }

        public List<string> Log { get; }

        public List<TextRow> TrainRows { get; }

        public List<TextRow> TestRows { get; }

        public IDataView Train { get; }

        public IDataView Test { get; }

        public IEstimator<ITransformer> Pipeline { get; }

        public ITransformer Model { get; }

        public void Dispose() => (Model as IDisposable)?.Dispose();
    }
}
