using System;
using Microsoft.ML.Data;

namespace Hyena.Samples
{
    /// <summary>
    /// A Fashion-MNIST image as a row for <c>mlContext.Data.LoadFromEnumerable</c>: a vector of 784 pixels in [0, 1]
    /// and the class name as the label (map it to a key with <c>MapValueToKey</c> for multiclass trainers).
    /// </summary>
    public sealed class FashionMnistRow
    {
        /// <summary>The 784 pixels in [0, 1], in raster order.</summary>
        [VectorType(FashionMnist.PixelCount)]
        public float[] Features { get; set; } = Array.Empty<float>();

        /// <summary>The class name, such as "Trouser".</summary>
        public string Label { get; set; } = string.Empty;
    }
}
