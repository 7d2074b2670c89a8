using System;

namespace Microsoft.ML.Hyena
{
    /// <summary>Checks of trainer options that name the field, the rule and the value.</summary>
    internal sealed class OptionsValidation
    {
        private readonly string _optionsName;

        public OptionsValidation(string optionsName) => _optionsName = optionsName;

        /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="condition"/> holds.</summary>
        public void Require(bool condition, string field, object? value, string rule)
        {
            if (!condition)
                throw new ArgumentOutOfRangeException(field, value, $"{_optionsName}.{field} {rule}; got {value ?? "null"}.");
        }

        /// <summary>Throws <see cref="ArgumentException"/> when a column name is null or blank.</summary>
        public void RequireColumnName(string? name, string field)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException($"{_optionsName}.{field} must name a column; got '{name}'.", field);
        }

        /// <summary>The checks every Hyena classification trainer shares.</summary>
        public void ValidateCommon(HyenaClassificationOptionsBase o)
        {
            if (o is null)
                throw new ArgumentNullException("options");
            RequireColumnName(o.LabelColumnName, nameof(o.LabelColumnName));
            RequireColumnName(o.ScoreColumnName, nameof(o.ScoreColumnName));
            RequireColumnName(o.PredictedLabelColumnName, nameof(o.PredictedLabelColumnName));
            Require(o.ModelDimension >= 1, nameof(o.ModelDimension), o.ModelDimension, "must be at least 1");
            Require(o.Depth >= 1, nameof(o.Depth), o.Depth, "must be at least 1");
            Require(o.Order >= 2, nameof(o.Order), o.Order, "must be at least 2");
            Require(o.FilterOrder >= 1, nameof(o.FilterOrder), o.FilterOrder, "must be at least 1");
            Require(o.FilterEmbeddingDimension >= 3 && o.FilterEmbeddingDimension % 2 == 1, nameof(o.FilterEmbeddingDimension), o.FilterEmbeddingDimension, "must be odd and at least 3");
            Require(double.IsFinite(o.FilterFrequency) && o.FilterFrequency > 0, nameof(o.FilterFrequency), o.FilterFrequency, "must be finite and positive");
            Require(o.MlpRatio >= 1, nameof(o.MlpRatio), o.MlpRatio, "must be at least 1");
            Require(o.Dropout >= 0 && o.Dropout < 1, nameof(o.Dropout), o.Dropout, "must be in [0, 1)");
            Require(Enum.IsDefined(o.Pooling), nameof(o.Pooling), o.Pooling, "must be Mean, Last or Max");
            Require(o.PatchSize >= 1, nameof(o.PatchSize), o.PatchSize, "must be at least 1");
            Require(o.BatchSize >= 1, nameof(o.BatchSize), o.BatchSize, "must be at least 1");
            Require(o.MaxEpochs >= 1, nameof(o.MaxEpochs), o.MaxEpochs, "must be at least 1");
            Require(double.IsFinite(o.LearningRate) && o.LearningRate > 0, nameof(o.LearningRate), o.LearningRate, "must be finite and positive");
            Require(double.IsFinite(o.WeightDecay) && o.WeightDecay >= 0, nameof(o.WeightDecay), o.WeightDecay, "must be finite and at least 0");
            Require(o.WarmupFraction >= 0 && o.WarmupFraction < 1, nameof(o.WarmupFraction), o.WarmupFraction, "must be in [0, 1)");
            Require(double.IsFinite(o.GradientClipNorm) && o.GradientClipNorm >= 0, nameof(o.GradientClipNorm), o.GradientClipNorm, "must be finite and at least 0");
            Require(o.LabelSmoothing >= 0 && o.LabelSmoothing < 1, nameof(o.LabelSmoothing), o.LabelSmoothing, "must be in [0, 1)");
            Require(o.WeightAveragingDecay >= 0 && o.WeightAveragingDecay < 1, nameof(o.WeightAveragingDecay), o.WeightAveragingDecay, "must be in [0, 1)");
            Require(o.ScoringBatchSize >= 1, nameof(o.ScoringBatchSize), o.ScoringBatchSize, "must be at least 1");
            Require(o.MaxTrainingTime is null || o.MaxTrainingTime > TimeSpan.Zero, nameof(o.MaxTrainingTime), o.MaxTrainingTime, "must be positive or null");
            Require(o.EarlyStoppingPatience >= 0, nameof(o.EarlyStoppingPatience), o.EarlyStoppingPatience, "must be at least 0");
        }
    }
}
