using System;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Hyena trainers in ML.NET's catalog: <c>mlContext.MulticlassClassification.Trainers.HyenaTextClassification(...)</c>
    /// and <c>...HyenaImageClassification(...)</c>. Bring them into scope with <c>using Microsoft.ML.Hyena;</c>.
    /// </summary>
    public static class HyenaCatalog
    {
        /// <summary>Creates a Hyena text (or token sequence) classification trainer with the common options.</summary>
        /// <param name="catalog">The multiclass classification trainers catalog.</param>
        /// <param name="labelColumnName">Key-typed label column.</param>
        /// <param name="textColumnName">Text column, or a vector of keys or integers.</param>
        /// <param name="maxSequenceLength">Longest sequence in tokens; longer inputs are truncated (head kept).</param>
        /// <param name="maxEpochs">Most passes over the training data.</param>
        /// <param name="batchSize">Rows per optimizer step.</param>
        /// <param name="validationSet">Optional validation data, evaluated after each epoch; the best epoch's weights are kept.</param>
        public static HyenaTextClassificationTrainer HyenaTextClassification(
            this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
            string labelColumnName = DefaultColumnNames.Label,
            string textColumnName = "Text",
            int maxSequenceLength = 1024,
            int maxEpochs = 10,
            int batchSize = 32,
            IDataView? validationSet = null)
            => HyenaTextClassification(catalog, new HyenaTextClassificationTrainer.Options
            {
                LabelColumnName = labelColumnName,
                TextColumnName = textColumnName,
                MaxSequenceLength = maxSequenceLength,
                MaxEpochs = maxEpochs,
                BatchSize = batchSize,
                ValidationSet = validationSet,
            });

        /// <summary>Creates a Hyena text (or token sequence) classification trainer with all options.</summary>
        public static HyenaTextClassificationTrainer HyenaTextClassification(
            this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
            HyenaTextClassificationTrainer.Options options)
            => new HyenaTextClassificationTrainer(Environment(catalog), options ?? throw new ArgumentNullException(nameof(options)));

        /// <summary>Creates a Hyena image classification trainer with the common options.</summary>
        /// <param name="catalog">The multiclass classification trainers catalog.</param>
        /// <param name="labelColumnName">Key-typed label column.</param>
        /// <param name="featureColumnName">Float vector of flattened pixels, or an image column.</param>
        /// <param name="imageHeight">Image height in pixels.</param>
        /// <param name="imageWidth">Image width in pixels.</param>
        /// <param name="imageChannels">Channels per pixel (1 gray, 3 RGB).</param>
        /// <param name="maxEpochs">Most passes over the training data.</param>
        /// <param name="batchSize">Rows per optimizer step.</param>
        /// <param name="validationSet">Optional validation data, evaluated after each epoch; the best epoch's weights are kept.</param>
        public static HyenaImageClassificationTrainer HyenaImageClassification(
            this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
            string labelColumnName = DefaultColumnNames.Label,
            string featureColumnName = DefaultColumnNames.Features,
            int imageHeight = 28,
            int imageWidth = 28,
            int imageChannels = 1,
            int maxEpochs = 10,
            int batchSize = 32,
            IDataView? validationSet = null)
            => HyenaImageClassification(catalog, new HyenaImageClassificationTrainer.Options
            {
                LabelColumnName = labelColumnName,
                FeatureColumnName = featureColumnName,
                ImageHeight = imageHeight,
                ImageWidth = imageWidth,
                ImageChannels = imageChannels,
                MaxEpochs = maxEpochs,
                BatchSize = batchSize,
                ValidationSet = validationSet,
            });

        /// <summary>Creates a Hyena image classification trainer with all options.</summary>
        public static HyenaImageClassificationTrainer HyenaImageClassification(
            this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
            HyenaImageClassificationTrainer.Options options)
            => new HyenaImageClassificationTrainer(Environment(catalog), options ?? throw new ArgumentNullException(nameof(options)));

        private static IHostEnvironment Environment(MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog)
            => (catalog ?? throw new ArgumentNullException(nameof(catalog))).GetEnvironment();
    }
}
