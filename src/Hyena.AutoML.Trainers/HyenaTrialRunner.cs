using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>Creates trial runners for the Hyena trainers.</summary>
    public static class HyenaTrialRunner
    {
        /// <summary>Trials of <see cref="HyenaTextClassificationTrainer"/>.</summary>
        /// <param name="baseOptions">Options every trial starts from (columns, sequence length, tokenizer, ...); the assignment is written over a copy.</param>
        /// <param name="preprocessing">Fitted on each training fold before the trainer, for example
        /// <c>mlContext.Transforms.Conversion.MapValueToKey("Label")</c>; it becomes part of the model.</param>
        public static HyenaTrialRunner<HyenaTextClassificationTrainer.Options> ForTextClassification(
            HyenaTextClassificationTrainer.Options? baseOptions = null, IEstimator<ITransformer>? preprocessing = null)
            => new(baseOptions ?? new HyenaTextClassificationTrainer.Options(),
                (mlContext, options) => mlContext.MulticlassClassification.Trainers.HyenaTextClassification(options),
                preprocessing);

        /// <summary>Trials of <see cref="HyenaImageClassificationTrainer"/>.</summary>
        /// <param name="baseOptions">Options every trial starts from (columns, image size, ...); the assignment is written over a copy.</param>
        /// <param name="preprocessing">Fitted on each training fold before the trainer, for example
        /// <c>mlContext.Transforms.Conversion.MapValueToKey("Label")</c>; it becomes part of the model.</param>
        public static HyenaTrialRunner<HyenaImageClassificationTrainer.Options> ForImageClassification(
            HyenaImageClassificationTrainer.Options? baseOptions = null, IEstimator<ITransformer>? preprocessing = null)
            => new(baseOptions ?? new HyenaImageClassificationTrainer.Options(),
                (mlContext, options) => mlContext.MulticlassClassification.Trainers.HyenaImageClassification(options),
                preprocessing);
    }

    /// <summary>
    /// Runs one Hyena classification trial: copies the base options, writes the trial's assignment over them
    /// (by field name), sets the seed, epoch budget, device, validation set and cancellation token, fits with
    /// <see cref="HyenaClassificationOptionsBase.ShouldContinue"/> reporting each epoch's validation metrics
    /// (MicroAccuracy, MacroAccuracy, LogLoss, TrainingLoss, TrainingAccuracy) to the sweep and stopping when
    /// the sweep says so, then evaluates the model on the validation set with
    /// <c>mlContext.MulticlassClassification.Evaluate</c>. Each trial has its own MLContext (seeded with the
    /// trial's seed) and its own model.
    /// </summary>
    /// <remarks>
    /// <para>Cross-validation: folds train one after the other. The first fold reports its epochs to the sweep
    /// (so successive halving judges it); the others train with the same options for the same number of
    /// epochs; the metrics are the folds' means and the model is the first fold's.</para>
    /// <para>Saved models: as an <see cref="IModelPersistence{TModel}"/>, the runner lets the sweep save the
    /// best model as model.zip in its state folder (mlContext.Model.Save with the training data's schema) and
    /// load it after a resume. To refit a trial instead, fit with <see cref="CreateOptions(TrialResult)"/>
    /// (same seed, budget and device); on the CPU this gives the same weights if the trial was not stopped
    /// early, since ShouldContinue is not replayed.</para>
    /// </remarks>
    /// <typeparam name="TOptions">The trainer's options type.</typeparam>
    public sealed class HyenaTrialRunner<TOptions> : ITrialRunner<ITransformer>, IModelPersistence<ITransformer>
        where TOptions : HyenaClassificationOptionsBase, new()
    {
        private readonly TOptions _baseOptions;
        private readonly Func<MLContext, TOptions, IEstimator<ITransformer>> _createTrainer;

        /// <summary>Creates a runner.</summary>
        /// <param name="baseOptions">Options every trial starts from; the runner copies them and never changes them.</param>
        /// <param name="createTrainer">Makes the trainer from a trial's MLContext and options.</param>
        /// <param name="preprocessing">Fitted on each training fold before the trainer (labels to keys, ...); part of the model.</param>
        public HyenaTrialRunner(TOptions baseOptions, Func<MLContext, TOptions, IEstimator<ITransformer>> createTrainer,
            IEstimator<ITransformer>? preprocessing = null)
        {
            _baseOptions = baseOptions ?? throw new ArgumentNullException(nameof(baseOptions));
            _createTrainer = createTrainer ?? throw new ArgumentNullException(nameof(createTrainer));
            Preprocessing = preprocessing;
        }

        /// <summary>The estimator fitted before the trainer, or null.</summary>
        public IEstimator<ITransformer>? Preprocessing { get; }

        /// <summary>A copy of the base options with <paramref name="parameters"/> written over it.</summary>
        public TOptions CreateOptions(ParameterAssignment parameters)
        {
            ArgumentNullException.ThrowIfNull(parameters);
            return parameters.ApplyTo(Copy(_baseOptions));
        }

        /// <summary>The options a finished trial trained with (assignment, seed, epoch budget, device), to refit it.</summary>
        public TOptions CreateOptions(TrialResult trial)
        {
            ArgumentNullException.ThrowIfNull(trial);
            TOptions options = CreateOptions(trial.Parameters);
            options.Seed = trial.Seed;
            options.MaxEpochs = trial.MaxEpochs;
            options.Device = trial.Device.ToHyenaDevice();
            return options;
        }

        /// <inheritdoc/>
        public Task<TrialOutput<ITransformer>> RunAsync(TrialContext context, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(context);
            cancellationToken.ThrowIfCancellationRequested();
            SweepDataset dataset = context.Dataset
                ?? throw new InvalidOperationException("A Hyena trial needs data: call SetDataset on the sweep.");
            var mlContext = new MLContext(context.Seed);
            var sums = new Dictionary<string, double>();
            ITransformer? model = null;
            int firstFoldEpochs = context.MaxEpochs;
            try
            {
                for (int i = 0; i < dataset.Folds.Count; i++)
                {
                    var fold = FitFold(mlContext, context, dataset.Folds[i], replayEpochs: i == 0 ? null : firstFoldEpochs, cancellationToken);
                    if (i == 0)
                    {
                        model = fold.Model;
                        firstFoldEpochs = fold.Epochs;
                    }
                    else
                    {
                        (fold.Model as IDisposable)?.Dispose();
                    }
                    foreach (var (name, value) in fold.Metrics)
                        sums[name] = sums.GetValueOrDefault(name) + value;
                }
            }
            catch
            {
                (model as IDisposable)?.Dispose();
                throw;
            }
            var metrics = sums.ToDictionary(m => m.Key, m => m.Value / dataset.Folds.Count);
            return Task.FromResult(new TrialOutput<ITransformer>(model, metrics));
        }

        /// <summary>Saves the model as model.zip with the schema of the first training fold.</summary>
        public void Save(ITransformer model, SweepDataset? dataset, string path)
        {
            ArgumentNullException.ThrowIfNull(model);
            DataViewSchema schema = (dataset ?? throw new InvalidOperationException("Saving a Hyena model needs the sweep's data for its schema."))
                .Folds[0].Train.Schema;
            new MLContext().Model.Save(model, schema, path);
        }

        /// <summary>Loads a model.zip written by <see cref="Save"/>.</summary>
        public ITransformer Load(string path) => new MLContext().Model.Load(path, out _);

        private (ITransformer Model, IReadOnlyDictionary<string, double> Metrics, int Epochs) FitFold(
            MLContext mlContext, TrialContext context, SweepFold fold, int? replayEpochs, CancellationToken cancellationToken)
        {
            ITransformer? prefix = Preprocessing?.Fit(fold.Train);
            IDataView train = prefix?.Transform(fold.Train) ?? fold.Train;
            IDataView validation = prefix?.Transform(fold.Validation) ?? fold.Validation;

            TOptions options = CreateOptions(context.Parameters);
            options.Seed = context.Seed;
            options.MaxEpochs = context.MaxEpochs;
            options.Device = context.Device.ToHyenaDevice();
            options.ValidationSet = validation;
            options.CancellationToken = cancellationToken;
            Func<HyenaTrainingProgress, bool>? userShouldContinue = options.ShouldContinue;
            int lastEpoch = 0;
            options.ShouldContinue = progress =>
            {
                if (progress.Kind != HyenaProgressKind.Epoch)
                    return true;
                lastEpoch = progress.Epoch;
                bool sweepGoesOn = replayEpochs is int stopAt
                    ? progress.Epoch < stopAt
                    : context.ReportEpoch(progress.Epoch, EpochMetrics(progress));
                bool userGoesOn = userShouldContinue?.Invoke(progress) ?? true;
                return sweepGoesOn && userGoesOn;
            };

            ITransformer trained = _createTrainer(mlContext, options).Fit(train);
            ITransformer model = prefix is null ? trained : new TransformerChain<ITransformer>(prefix, trained);
            try
            {
                IDataView scored = trained.Transform(validation);
                MulticlassClassificationMetrics metrics = mlContext.MulticlassClassification.Evaluate(
                    scored, options.LabelColumnName, options.ScoreColumnName, options.PredictedLabelColumnName);
                var values = new Dictionary<string, double>
                {
                    [SweepMetric.MicroAccuracy.Name] = metrics.MicroAccuracy,
                    [SweepMetric.MacroAccuracy.Name] = metrics.MacroAccuracy,
                    [SweepMetric.LogLoss.Name] = metrics.LogLoss,
                    [SweepMetric.LogLossReduction.Name] = metrics.LogLossReduction,
                };
                return (model, values, lastEpoch == 0 ? options.MaxEpochs : lastEpoch);
            }
            catch
            {
                (model as IDisposable)?.Dispose();
                throw;
            }
        }

        /// <summary>An epoch report as sweep metrics (validation metrics are absent without a validation set).</summary>
        private static IReadOnlyDictionary<string, double> EpochMetrics(HyenaTrainingProgress progress)
        {
            var metrics = new Dictionary<string, double>
            {
                ["TrainingLoss"] = progress.TrainingLoss,
                ["TrainingAccuracy"] = progress.TrainingAccuracy,
            };
            if (progress.ValidationMicroAccuracy is double micro)
                metrics[SweepMetric.MicroAccuracy.Name] = micro;
            if (progress.ValidationMacroAccuracy is double macro)
                metrics[SweepMetric.MacroAccuracy.Name] = macro;
            if (progress.ValidationLogLoss is double logLoss)
                metrics[SweepMetric.LogLoss.Name] = logLoss;
            return metrics;
        }

        /// <summary>A shallow copy of the options (public fields and settable properties; references such as a tokenizer are shared).</summary>
        private static TOptions Copy(TOptions source)
        {
            var copy = new TOptions();
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
            foreach (FieldInfo field in typeof(TOptions).GetFields(flags).Where(f => !f.IsInitOnly && !f.IsLiteral))
                field.SetValue(copy, field.GetValue(source));
            foreach (PropertyInfo property in typeof(TOptions).GetProperties(flags).Where(p => p.CanRead && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0))
                property.SetValue(copy, property.GetValue(source));
            return copy;
        }
    }
}
