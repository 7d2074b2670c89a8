using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Trains a Hyena sequence classifier on images read as a sequence of pixels in raster order
    /// (the "sequential image" protocol: a 28 x 28 image is a sequence of 784 positions). Reach it with
    /// <c>mlContext.MulticlassClassification.Trainers.HyenaImageClassification(...)</c>.
    /// </summary>
    /// <remarks>
    /// The feature column is a known-size float vector of ImageHeight x ImageWidth x ImageChannels
    /// values (rows of pixels, channels of a pixel together), or an ML.NET image column (from
    /// LoadImages), which is resized to ImageHeight x ImageWidth and converted to gray (1 channel) or
    /// RGB (3 channels) with values in [0, 1]. Pixels are standardised with the training set's mean and
    /// deviation per channel, saved with the model. A vector of the wrong size, NaN or infinite pixels
    /// are errors naming the column.
    /// </remarks>
    public sealed class HyenaImageClassificationTrainer : HyenaClassificationTrainerBase<HyenaImageClassificationTrainer.Options>
    {
        /// <summary>Options of <see cref="HyenaImageClassificationTrainer"/>.</summary>
        public sealed class Options : HyenaClassificationOptionsBase
        {
            /// <summary>Input column: a float vector of flattened pixels or an image column. Default "Features".</summary>
            public string FeatureColumnName = DefaultColumnNames.Features;

            /// <summary>Image height in pixels. Default 28; at least 1.</summary>
            public int ImageHeight = 28;

            /// <summary>Image width in pixels. Default 28; at least 1.</summary>
            public int ImageWidth = 28;

            /// <summary>Channels per pixel: 1 (gray) or 3 (RGB) for image columns; any positive number for vectors. Default 1.</summary>
            public int ImageChannels = 1;

            /// <summary>
            /// Consecutive pixels (in raster order) that form one sequence position: 1 reads the image pixel
            /// by pixel (784 positions for 28 x 28); 4 gives 196 positions of 4 pixels, four times faster.
            /// Must divide ImageHeight x ImageWidth. Default 1.
            /// </summary>
            public int PixelsPerPosition = 1;

            /// <summary>Standardise each channel with the training set's mean and standard deviation. Default true.</summary>
            public bool StandardizePixels = true;
        }

        internal HyenaImageClassificationTrainer(IHostEnvironment env, Options options)
            : base(env, options, nameof(HyenaImageClassificationTrainer))
        {
            var check = new OptionsValidation("HyenaImageClassificationTrainer.Options");
            check.RequireColumnName(options.FeatureColumnName, nameof(options.FeatureColumnName));
            check.Require(options.ImageHeight >= 1, nameof(options.ImageHeight), options.ImageHeight, "must be at least 1");
            check.Require(options.ImageWidth >= 1, nameof(options.ImageWidth), options.ImageWidth, "must be at least 1");
            check.Require(options.ImageChannels >= 1, nameof(options.ImageChannels), options.ImageChannels, "must be at least 1");
            check.Require((long)options.ImageHeight * options.ImageWidth * options.ImageChannels <= int.MaxValue,
                nameof(options.ImageHeight), options.ImageHeight, "times ImageWidth times ImageChannels must fit in an int");
            check.Require(options.PixelsPerPosition >= 1 && (long)options.ImageHeight * options.ImageWidth % options.PixelsPerPosition == 0,
                nameof(options.PixelsPerPosition), options.PixelsPerPosition, $"must be at least 1 and divide ImageHeight x ImageWidth ({(long)options.ImageHeight * options.ImageWidth})");
        }

        private protected override InputFeaturizer CreateFeaturizer(DataViewSchema schema)
            => ImageFeaturizer.Create(Host, schema, TrainerOptions);

        private protected override string InputColumnName => TrainerOptions.FeatureColumnName;

        private protected override void PrepareTrainingRows(InputFeaturizer featurizer, SequenceDataset train)
        {
            if (TrainerOptions.StandardizePixels)
                ((ImageFeaturizer)featurizer).FitStandardization(train.Rows);
        }

        private protected override SchemaShape.Column CheckInputColumn(SchemaShape inputSchema)
            => ImageFeaturizer.CheckColumn(Host, inputSchema, TrainerOptions);
    }
}
