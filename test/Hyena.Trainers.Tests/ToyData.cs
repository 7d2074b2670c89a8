using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>A text row.</summary>
    public sealed class TextRow
    {
        public string? Text { get; set; }
        public string Label { get; set; } = "";
    }

    /// <summary>A flattened-pixel image row.</summary>
    public sealed class PixelRow
    {
        [VectorType(64)]
        public float[] Features { get; set; } = Array.Empty<float>();
        public string Label { get; set; } = "";
    }

    /// <summary>Small generated tasks that need long-range information.</summary>
    public static class ToyData
    {
        public static readonly string[] Markers = { "alpha", "bravo", "charlie" };

        /// <summary>
        /// Random lowercase filler of the given length with one marker word placed anywhere; the class
        /// is the marker. Chance is 1/3.
        /// </summary>
        public static List<TextRow> MarkerText(int count, int length, int seed)
        {
            var random = new Random(seed);
            var rows = new List<TextRow>(count);
            const string filler = "defgijklmnopqstuvwxyz      ";
            for (int i = 0; i < count; i++)
            {
                int cls = random.Next(Markers.Length);
                var marker = " " + Markers[cls] + " ";
                var text = new StringBuilder(length);
                int at = random.Next(length - marker.Length);
                while (text.Length < length)
                {
                    if (text.Length == at)
                        text.Append(marker);
                    else
                        text.Append(filler[random.Next(filler.Length)]);
                }
                rows.Add(new TextRow { Text = text.ToString(0, length), Label = Markers[cls] });
            }
            return rows;
        }

        /// <summary>
        /// 8 x 8 noise images holding one bright stroke of three pixels anywhere: horizontal,
        /// vertical or diagonal (the class). In raster order the strokes are pixels 1, 8 or 9
        /// positions apart. Chance is 1/3.
        /// </summary>
        public static List<PixelRow> StrokeImages(int count, int seed)
        {
            var random = new Random(seed);
            string[] names = { "horizontal", "vertical", "diagonal" };
            (int dy, int dx)[] steps = { (0, 1), (1, 0), (1, 1) };
            var rows = new List<PixelRow>(count);
            for (int i = 0; i < count; i++)
            {
                int cls = random.Next(3);
                var pixels = Enumerable.Range(0, 64).Select(_ => (float)(random.NextDouble() * 0.4)).ToArray();
                var (dy, dx) = steps[cls];
                int y = random.Next(8 - 2 * dy), x = random.Next(8 - 2 * dx);
                for (int k = 0; k < 3; k++)
                    pixels[(y + k * dy) * 8 + x + k * dx] = 1f;
                rows.Add(new PixelRow { Features = pixels, Label = names[cls] });
            }
            return rows;
        }
    }
}
