using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// What the Hyena text and image trainers share: schema checks, reading the data, building the
    /// network, the training loop and the fitted transformer. A trainer supplies only how its input
    /// column becomes a sequence (its featurizer).
    /// </summary>
    /// <typeparam name="TOptions">The trainer's options.</typeparam>
    public abstract class HyenaClassificationTrainerBase<TOptions> : IEstimator<HyenaClassificationTransformer>
        where TOptions : HyenaClassificationOptionsBase
    {
        private protected HyenaClassificationTrainerBase(IHostEnvironment env, TOptions options, string name)
        {
            Contracts.CheckValue(env, nameof(env));
            Host = env.Register(name);
            new OptionsValidation($"{name}.Options").ValidateCommon(options);
            TrainerOptions = options;
        }

        private protected IHost Host { get; }

        private protected TOptions TrainerOptions { get; }

        /// <summary>The name of the input column (text or features).</summary>
        private protected abstract string InputColumnName { get; }

        /// <summary>Makes the featurizer of the input column of the training data.</summary>
        private protected abstract InputFeaturizer CreateFeaturizer(DataViewSchema schema);

        /// <summary>The estimator's schema check of the input column.</summary>
        private protected abstract SchemaShape.Column CheckInputColumn(SchemaShape inputSchema);

        /// <summary>Weight of the auxiliary next-token loss (token input only); 0 turns it off.</summary>
        private protected virtual double NextTokenLossWeight => 0;

        /// <summary>Longest hashed n-gram embedded (token input only; 1 embeds single tokens) and the rows of its table.</summary>
        private protected virtual (int Order, int Buckets) NGrams => (1, 0);

        /// <summary>Hook run on the raw training rows before training (the image trainer fits its standardisation here).</summary>
        private protected virtual void PrepareTrainingRows(InputFeaturizer featurizer, SequenceDataset train)
        {
        }

        /// <summary>Trains a Hyena classifier on <paramref name="input"/>.</summary>
        /// <exception cref="OperationCanceledException">Training was cancelled (options' token or MLContext.CancelExecution).</exception>
        public HyenaClassificationTransformer Fit(IDataView input) => FitCore(input, null);

        /// <summary>
        /// Continues training <paramref name="initialModel"/> on <paramref name="input"/> (ML.NET's
        /// retraining pattern): fine-tuning a saved model on new data, or a curriculum (train on short
        /// sequences first, then on long ones). The new model starts from a copy of the initial
        /// model's weights and reads its input the same way (the initial model's tokenizer, maximum
        /// length, truncation or image shape and pixel standardisation); the network's shape also
        /// comes from the initial model. The options say only how it is trained (epochs, learning rate,
        /// batch size, device, seed, validation, progress). <paramref name="initialModel"/> is not
        /// changed and stays usable.
        /// </summary>
        /// <param name="input">Training data: the same input column and the same label classes, in the same key order, as the initial model's.</param>
        /// <param name="initialModel">A fitted (or loaded) Hyena model of this trainer's kind.</param>
        /// <exception cref="ArgumentException">The initial model reads another column or kind of input, or was trained on other classes.</exception>
        /// <exception cref="OperationCanceledException">Training was cancelled (options' token or MLContext.CancelExecution).</exception>
        public HyenaClassificationTransformer Fit(IDataView input, HyenaClassificationTransformer initialModel)
        {
            Host.CheckValue(initialModel, nameof(initialModel));
            return FitCore(input, initialModel);
        }

        private HyenaClassificationTransformer FitCore(IDataView input, HyenaClassificationTransformer? initialModel)
        {
            Host.CheckValue(input, nameof(input));
            var options = TrainerOptions;
            using var channel = Host.Start("Training");
            void CheckCanceled()
            {
                options.CancellationToken.ThrowIfCancellationRequested();
                Host.CheckAlive();
            }

            var label = LabelDescription.FromSchema(input.Schema, options.LabelColumnName);
            if (label.ClassCount < 2)
                throw new ArgumentOutOfRangeException(nameof(input), $"Label column '{label.Name}' has a key type of {label.ClassCount} value; a classifier needs at least two classes.");
            var featurizer = CreateFeaturizer(input.Schema);
            featurizer.CheckColumn(input.Schema);
            if (initialModel is not null)
            {
                featurizer = WarmStart.CheckCompatible(initialModel, featurizer, label, NextTokenLossWeight);
                featurizer.CheckColumn(input.Schema);
            }

            var train = SequenceDataset.Read(Host, channel, input, featurizer, options.LabelColumnName, "Training", CheckCanceled);
            if (train.Count == 0)
                throw new ArgumentOutOfRangeException(nameof(input), "The training data has no rows with a label: nothing to train on.");
            var present = train.Labels.Distinct().ToList();
            if (present.Count < 2)
                throw new ArgumentOutOfRangeException(nameof(input),
                    $"The training data holds a single class ('{label.ClassNames[present[0]]}') in label column '{label.Name}'; a classifier needs at least two.");
            if (initialModel is null)
                PrepareTrainingRows(featurizer, train); // a continued model keeps the initial model's input preparation

            SequenceDataset? validation = null;
            if (options.ValidationSet is not null)
            {
                LabelDescription.FromSchema(options.ValidationSet.Schema, options.LabelColumnName);
                validation = SequenceDataset.Read(Host, channel, options.ValidationSet, featurizer, options.LabelColumnName, "Validation", CheckCanceled);
                if (validation.Count == 0)
                    throw new ArgumentOutOfRangeException(nameof(options.ValidationSet), "The validation set has no rows with a label.");
            }

            int seed = options.Seed ?? Host.Rand.Next();
            var device = options.Device.Resolve();
            channel.Info($"Training a Hyena classifier on {train.Count} rows ({train.TotalPositions} positions) of {featurizer.Description}; " +
                $"{label.ClassCount} classes; device {device}{(options.MixedPrecision && device.type == DeviceType.CUDA ? " (bfloat16 mixed precision)" : "")}; seed {seed}" +
                $"{(options.Deterministic ? "; deterministic algorithms" : "")}" +
                $"{(initialModel is null ? "" : "; continuing from the initial model's weights")}.");

            if (options.Deterministic && options.MaxTrainingTime is TimeSpan budget)
                channel.Warning($"Deterministic is set with MaxTrainingTime {budget}: the clock decides how many epochs run and where the " +
                    "learning-rate decay ends, so two runs from one seed may still differ. Leave MaxTrainingTime null to repeat a training bit for bit.");
            // Before any weight is made: held until training is done (the returned transformer scores as usual).
            using var deterministic = options.Deterministic ? DeterministicAlgorithms.Enable(device) : null;
            RandomSeed.Set(seed, device);
            var model = initialModel is null ? new HyenaSequenceClassifier(BuildConfig(featurizer, label.ClassCount)) : initialModel.CopyNetwork();
            try
            {
                model.to(device);
                bool mixedPrecision = options.MixedPrecision && device.type == DeviceType.CUDA;
                if (mixedPrecision)
                    model.ComputeDtype = ScalarType.BFloat16;
                model.RecomputeBlocks = options.RecomputeBlocks;
                new TrainingLoop(options, device, seed, channel, CheckCanceled, NextTokenLossWeight).Run(model, train, validation);
                model.eval();
                return new HyenaClassificationTransformer(Host, model, featurizer, label, options.ScoreColumnName,
                    options.PredictedLabelColumnName, options.ScoringBatchSize, options.Device, options.MixedPrecision, device);
            }
            catch
            {
                model.Dispose(); // nothing half-made is left behind
                throw;
            }
        }

        private HyenaClassifierConfig BuildConfig(InputFeaturizer featurizer, int classCount)
        {
            var o = TrainerOptions;
            return new HyenaClassifierConfig
            {
                VocabularySize = featurizer.VocabularySize > 0 ? featurizer.VocabularySize : 0,
                InputChannels = featurizer.Channels,
                ClassCount = classCount,
                Depth = o.Depth,
                MlpRatio = o.MlpRatio,
                Dropout = o.Dropout,
                Pooling = o.Pooling,
                NextTokenHead = NextTokenLossWeight > 0,
                NGramOrder = NGrams.Order,
                NGramBuckets = NGrams.Order > 1 ? NGrams.Buckets : 0,
                PatchSize = o.PatchSize,
                Operator = new HyenaOperatorConfig
                {
                    ModelDimension = o.ModelDimension,
                    MaxLength = (featurizer.MaxPositions + o.PatchSize - 1) / o.PatchSize,
                    Order = o.Order,
                    FilterOrder = o.FilterOrder,
                    EmbeddingDimension = o.FilterEmbeddingDimension,
                    Frequency = o.FilterFrequency,
                    Dropout = o.Dropout,
                },
            }.Validate();
        }

        /// <summary>The output schema: the input's columns plus Score and PredictedLabel, with ML.NET's multiclass annotations.</summary>
        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Host.CheckValue(inputSchema, nameof(inputSchema));
            var options = TrainerOptions;
            if (!inputSchema.TryFindColumn(options.LabelColumnName, out var labelColumn))
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "label", options.LabelColumnName);
            if (!labelColumn.IsKey || labelColumn.Kind != SchemaShape.Column.VectorKind.Scalar)
                throw Host.ExceptSchemaMismatch(nameof(inputSchema), "label", options.LabelColumnName,
                    "a key type (use MapValueToKey)", labelColumn.GetTypeString());
            CheckInputColumn(inputSchema);

            var result = inputSchema.ToDictionary(c => c.Name);
            var predictedAnnotations = new List<SchemaShape.Column>();
            if (labelColumn.Annotations.TryFindColumn(AnnotationUtils.Kinds.KeyValues, out var keyValues))
                predictedAnnotations.Add(keyValues);
            result[options.PredictedLabelColumnName] = new SchemaShape.Column(options.PredictedLabelColumnName,
                SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, new SchemaShape(predictedAnnotations));
            result[options.ScoreColumnName] = new SchemaShape.Column(options.ScoreColumnName, SchemaShape.Column.VectorKind.Vector,
                NumberDataViewType.Single, false, new SchemaShape(AnnotationUtils.AnnotationsForMulticlassScoreColumn(labelColumn)));
            return new SchemaShape(result.Values);
        }
    }
}
