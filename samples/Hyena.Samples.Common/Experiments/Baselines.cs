using Microsoft.ML;

namespace Hyena.Samples
{
    /// <summary>ML.NET's own trainers as the samples' baselines, each a whole pipeline from the raw columns.</summary>
    public static class Baselines
    {
        /// <summary>SdcaMaximumEntropy on the pixel vector "Features".</summary>
        public static IEstimator<ITransformer> ImageSdca(MLContext ml)
            => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features"));

        /// <summary>LightGbm on the pixel vector "Features".</summary>
        public static IEstimator<ITransformer> ImageLightGbm(MLContext ml)
            => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.LightGbm("Label", "Features"));

        /// <summary>FeaturizeText (word and character n-grams) of "Text", then SdcaMaximumEntropy.</summary>
        public static IEstimator<ITransformer> TextSdca(MLContext ml)
            => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Text.FeaturizeText("Features", "Text"))
                .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Features"));

        /// <summary>FeaturizeText (word and character n-grams) of "Text", then LightGbm.</summary>
        public static IEstimator<ITransformer> TextLightGbm(MLContext ml)
            => ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Text.FeaturizeText("Features", "Text"))
                .Append(ml.MulticlassClassification.Trainers.LightGbm("Label", "Features"));
    }
}
