using System;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena
{
    /// <summary>Turns an <see cref="MLImage"/> into pixels of a given size and channel count, in [0, 1].</summary>
    internal static class ImageResampler
    {
        /// <summary>
        /// Bilinear resampling to <paramref name="height"/> x <paramref name="width"/>, then gray
        /// (ITU-R BT.601 luma) for one channel or R, G, B for three; raster order, channels of a pixel together.
        /// </summary>
        public static float[] ToPixels(MLImage image, int height, int width, int channels)
        {
            var pixels = image.Pixels;
            int sourceWidth = image.Width, sourceHeight = image.Height;
            if (sourceWidth < 1 || sourceHeight < 1 || pixels.Length < sourceWidth * sourceHeight * 4)
                throw new InvalidOperationException($"The image is {sourceWidth} x {sourceHeight} with {pixels.Length} bytes of pixels; expected 4 bytes per pixel.");
            bool bgra = image.PixelFormat == MLPixelFormat.Bgra32;
            int red = bgra ? 2 : 0, blue = bgra ? 0 : 2;

            var result = new float[height * width * channels];
            double scaleY = (double)sourceHeight / height, scaleX = (double)sourceWidth / width;
            Span<float> rgb = stackalloc float[3];
            for (int y = 0; y < height; y++)
            {
                double sy = Math.Clamp((y + 0.5) * scaleY - 0.5, 0, sourceHeight - 1);
                int y0 = (int)sy, y1 = Math.Min(y0 + 1, sourceHeight - 1);
                double fy = sy - y0;
                for (int x = 0; x < width; x++)
                {
                    double sx = Math.Clamp((x + 0.5) * scaleX - 0.5, 0, sourceWidth - 1);
                    int x0 = (int)sx, x1 = Math.Min(x0 + 1, sourceWidth - 1);
                    double fx = sx - x0;
                    for (int c = 0; c < 3; c++)
                    {
                        int offset = c == 0 ? red : c == 1 ? 1 : blue;
                        double top = pixels[(y0 * sourceWidth + x0) * 4 + offset] * (1 - fx) + pixels[(y0 * sourceWidth + x1) * 4 + offset] * fx;
                        double bottom = pixels[(y1 * sourceWidth + x0) * 4 + offset] * (1 - fx) + pixels[(y1 * sourceWidth + x1) * 4 + offset] * fx;
                        rgb[c] = (float)((top * (1 - fy) + bottom * fy) / 255.0);
                    }
                    int o = (y * width + x) * channels;
                    if (channels == 1)
                        result[o] = 0.299f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
                    else
                    {
                        result[o] = rgb[0];
                        result[o + 1] = rgb[1];
                        result[o + 2] = rgb[2];
                    }
                }
            }
            return result;
        }
    }
}
