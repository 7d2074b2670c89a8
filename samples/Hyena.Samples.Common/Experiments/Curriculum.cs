using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Hyena;

namespace Hyena.Samples
{
    /// <summary>
    /// A two-stage curriculum with the text trainer's continued training (<c>Fit(input, initialModel)</c>):
    /// first a model for the task's maximum length is trained on short sequences (cheap steps, the same
    /// mechanism to learn), then it continues on the task's own sequences.
    /// </summary>
    public static class Curriculum
    {
        /// <summary>
        /// Trains on <paramref name="shortRows"/> with <paramref name="shortStage"/> (whose MaxSequenceLength is the
        /// task's, so the model fits the long sequences), then continues on <paramref name="train"/> with
        /// <paramref name="longStage"/>; both data sets have a string column
        /// "Label", mapped to keys by one mapping fitted on <paramref name="train"/> (so the classes keep
        /// their key order). Returns key mapping, classifier and key-to-value mapping as one chain.
        /// </summary>
        public static ITransformer Fit(MLContext ml, IDataView train, IDataView shortRows,
            HyenaTextClassificationTrainer.Options shortStage, HyenaTextClassificationTrainer.Options longStage)
        {
            ArgumentNullException.ThrowIfNull(ml);
            ArgumentNullException.ThrowIfNull(shortStage);
            ArgumentNullException.ThrowIfNull(longStage);
            var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
            Console.WriteLine($"--- curriculum stage 1: up to {shortStage.MaxEpochs} epochs on the short sequences");
            using var initial = ml.MulticlassClassification.Trainers.HyenaTextClassification(shortStage).Fit(keys.Transform(shortRows));
            Console.WriteLine("--- curriculum stage 2: the task's sequences, starting from stage 1's weights");
            var keyed = keys.Transform(train);
            var hyena = ml.MulticlassClassification.Trainers.HyenaTextClassification(longStage).Fit(keyed, initial);
            var values = ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(hyena.Transform(keyed));
            return new TransformerChain<ITransformer>(keys, hyena, values);
        }
    }
}
