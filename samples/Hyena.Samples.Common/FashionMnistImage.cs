using System;

namespace Hyena.Samples
{
    /// <summary>One Fashion-MNIST image: 784 pixels in [0, 1] in raster order, and its class.</summary>
    public sealed class FashionMnistImage
    {
        /// <summary>Creates an image.</summary>
        /// <param name="pixels">784 values in [0, 1], row by row from the top left.</param>
        /// <param name="classIndex">The class, 0 to 9.</param>
        public FashionMnistImage(float[] pixels, int classIndex)
        {
            ArgumentNullException.ThrowIfNull(pixels);
            if (pixels.Length != FashionMnist.PixelCount)
                throw new ArgumentException($"An image has {FashionMnist.PixelCount} pixels, not {pixels.Length}.", nameof(pixels));
            if ((uint)classIndex >= FashionMnist.ClassCount)
                throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, $"The class index must be in [0, {FashionMnist.ClassCount}).");

            Pixels = pixels;
            ClassIndex = classIndex;
        }

        /// <summary>The 784 pixels in [0, 1] (the byte value divided by 255), row by row from the top left.</summary>
        public float[] Pixels { get; }

        /// <summary>The class, 0 to 9 (see <see cref="FashionMnist.ClassNames"/>).</summary>
        public int ClassIndex { get; }

        /// <summary>The class name, such as "T-shirt/top" or "Ankle boot".</summary>
        public string ClassName => FashionMnist.ClassNames[ClassIndex];

        /// <summary>Converts the image to a row for <c>MLContext.Data.LoadFromEnumerable</c>; the pixels are shared, not copied.</summary>
        /// <returns>A row with <see cref="FashionMnistRow.Features"/> and <see cref="FashionMnistRow.Label"/> set.</returns>
        public FashionMnistRow ToRow() => new() { Features = Pixels, Label = ClassName };
    }
}
