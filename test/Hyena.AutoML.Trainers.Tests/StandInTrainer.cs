using System;
using System.Collections.Generic;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    /// <summary>A row of 4 features and a string label.</summary>
    public sealed class FeatureRow
    {
        public string Label { get; set; } = "";

        [VectorType(4)]
        public float[] Features { get; set; } = Array.Empty<float>();
    }

    /// <summary>
    /// Stands in for a Hyena trainer, to test the runner without torch: checks the options the runner set,
    /// calls ShouldContinue once per epoch with validation metrics that grow with the learning rate, then
    /// fits ML.NET's SDCA (a real, saveable model that Evaluate accepts) for as many iterations as epochs.
    /// </summary>
    public sealed class StandInTrainer : IEstimator<ITransformer>
    {
        private readonly MLContext _mlContext;
        private readonly HyenaImageClassificationTrainer.Options _options;

        public StandInTrainer(MLContext mlContext, HyenaImageClassificationTrainer.Options options)
        {
            _mlContext = mlContext;
            _options = options;
        }

        public static List<HyenaImageClassificationTrainer.Options> Seen { get; } = new();

        public ITransformer Fit(IDataView input)
        {
            lock (Seen)
                Seen.Add(_options);
            if (_options.ValidationSet is null)
                throw new InvalidOperationException("The runner did not set a validation set.");
            int epochs = 0;
            for (int epoch = 1; epoch <= _options.MaxEpochs; epoch++)
            {
                epochs = epoch;
                double accuracy = 1 - 1 / (1 + epoch * _options.LearningRate * 100);
                var report = new HyenaTrainingProgress
                {
                    Kind = HyenaProgressKind.Epoch,
                    Epoch = epoch,
                    MaxEpochs = _options.MaxEpochs,
                    ValidationMicroAccuracy = accuracy,
                    ValidationMacroAccuracy = accuracy,
                    ValidationLogLoss = 1 - accuracy,
                };
                if (_options.ShouldContinue is { } shouldContinue && !shouldContinue(report))
                    break;
            }
            return _mlContext.MulticlassClassification.Trainers
                .SdcaMaximumEntropy(_options.LabelColumnName, _options.FeatureColumnName, maximumNumberOfIterations: epochs)
                .Fit(input);
        }

        public SchemaShape GetOutputSchema(SchemaShape inputSchema) => throw new NotSupportedException();

        /// <summary>Three separable classes: feature c is high for class c.</summary>
        public static IDataView Data(MLContext mlContext, int count, int seed)
        {
            var random = new Random(seed);
            var rows = new List<FeatureRow>();
            for (int i = 0; i < count; i++)
            {
                int c = i % 3;
                var features = new float[4];
                for (int j = 0; j < 4; j++)
                    features[j] = (float)(random.NextDouble() + (j == c ? 1.0 : 0));
                rows.Add(new FeatureRow { Label = "c" + c, Features = features });
            }
            return mlContext.Data.LoadFromEnumerable(rows);
        }
    }
}
