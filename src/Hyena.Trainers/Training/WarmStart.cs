using System;
using System.Collections.Generic;
using System.Linq;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Checks that a model can continue training on new data (the trainers' <c>Fit(input, initialModel)</c>):
    /// same kind of input, same input column, same classes in the same key order, and the next-token head
    /// when the auxiliary loss is asked for.
    /// </summary>
    internal static class WarmStart
    {
        /// <summary>
        /// Returns the featurizer to train with (the initial model's, so the input is read exactly as
        /// before), or throws an error naming what differs. <paramref name="fresh"/> is the featurizer
        /// the trainer's options would make for the new data; <paramref name="nextTokenLossWeight"/> the
        /// options' auxiliary loss weight, which needs the initial model's next-token head.
        /// </summary>
        public static InputFeaturizer CheckCompatible(HyenaClassificationTransformer initialModel, InputFeaturizer fresh, LabelDescription label,
            double nextTokenLossWeight)
        {
            var initial = initialModel.Featurizer;
            if (initial.GetType() != fresh.GetType())
                throw new ArgumentException($"initialModel reads {initial.Description}, but this trainer reads {fresh.Description}: continue training with the trainer the model was made with.", nameof(initialModel));
            if (!string.Equals(initial.ColumnName, fresh.ColumnName, StringComparison.Ordinal))
                throw new ArgumentException($"initialModel reads input column '{initial.ColumnName}', but the options name column '{fresh.ColumnName}'.", nameof(initialModel));
            if (!initialModel.ClassNames.SequenceEqual(label.ClassNames, StringComparer.Ordinal))
                throw new ArgumentException($"Label column '{label.Name}' has the classes {Describe(label.ClassNames)}, but initialModel was trained on {Describe(initialModel.ClassNames)}: " +
                    "the classes and their key order must be the same (map both data sets' labels with one fitted MapValueToKey, or with keyOrdinality ByValue).", nameof(initialModel));
            if (nextTokenLossWeight > 0 && !initialModel.ModelConfig.NextTokenHead)
                throw new ArgumentException("NextTokenLossWeight is above 0, but initialModel was trained without the next-token head (NextTokenLossWeight 0); set it to 0 to continue training that model.", nameof(initialModel));
            return initial;
        }

        private static string Describe(IReadOnlyList<string> classes)
        {
            const int shown = 8;
            var head = string.Join(", ", classes.Take(shown).Select(c => $"'{c}'"));
            return classes.Count > shown ? $"[{head}, ... ({classes.Count} in all)]" : $"[{head}]";
        }
    }
}
