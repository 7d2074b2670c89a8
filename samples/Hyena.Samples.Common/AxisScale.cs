using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Hyena.Samples
{
    /// <summary>
    /// The range and ticks of one chart axis, in plotted units (log10 of the values on a log scale): "nice"
    /// steps of 1, 2, 2.5 or 5 times a power of ten on a linear scale, powers of ten (or 1-2-5 within one
    /// decade) on a log scale.
    /// </summary>
    internal sealed class AxisScale
    {
        private AxisScale(double min, double max, IReadOnlyList<(double Value, string Label)> majorTicks, IReadOnlyList<double> minorTicks)
        {
            Min = min;
            Max = max;
            MajorTicks = majorTicks;
            MinorTicks = minorTicks;
        }

        /// <summary>The low end of the axis, in plotted units.</summary>
        public double Min { get; }

        /// <summary>The high end of the axis, in plotted units.</summary>
        public double Max { get; }

        /// <summary>The labelled ticks, in plotted units.</summary>
        public IReadOnlyList<(double Value, string Label)> MajorTicks { get; }

        /// <summary>Unlabelled ticks (log scales only), in plotted units.</summary>
        public IReadOnlyList<double> MinorTicks { get; }

        /// <summary>Maps a plotted value to a pixel coordinate between <paramref name="pixelAtMin"/> and <paramref name="pixelAtMax"/>.</summary>
        public float ToPixel(double value, float pixelAtMin, float pixelAtMax) =>
            (float)(pixelAtMin + ((value - Min) / (Max - Min) * (pixelAtMax - pixelAtMin)));

        /// <summary>Makes the scale that holds the values with a 5% margin.</summary>
        /// <param name="values">The plotted values (log10 already applied on a log scale); may be empty.</param>
        /// <param name="logScale">Whether the axis is logarithmic.</param>
        /// <param name="integerTicks">Whether only integer ticks are wanted (linear scales only).</param>
        /// <returns>The scale.</returns>
        public static AxisScale Create(IEnumerable<double> values, bool logScale, bool integerTicks)
        {
            double lo = double.PositiveInfinity;
            double hi = double.NegativeInfinity;
            foreach (double v in values)
            {
                lo = Math.Min(lo, v);
                hi = Math.Max(hi, v);
            }

            if (double.IsInfinity(lo))
            {
                lo = 0;
                hi = 1;
            }
            else if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi)))
            {
                double pad = logScale ? 0.5 : Math.Abs(hi) > 0 ? Math.Abs(hi) * 0.1 : 1;
                lo -= pad;
                hi += pad;
            }

            double margin = (hi - lo) * 0.05;
            lo -= margin;
            hi += margin;
            return logScale ? CreateLog(lo, hi) : CreateLinear(lo, hi, integerTicks);
        }

        private static AxisScale CreateLinear(double lo, double hi, bool integerTicks)
        {
            double step = NiceStep((hi - lo) / 6);
            if (integerTicks)
                step = step < 1 ? 1 : step == 2.5 ? 2 : Math.Round(step);

            int decimals = Decimals(step);
            var ticks = new List<(double, string)>();
            for (double t = Math.Ceiling(lo / step) * step; t <= hi + (step * 1e-9); t += step)
            {
                double value = Math.Abs(t) < step * 1e-9 ? 0 : t;
                ticks.Add((value, value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture)));
            }

            return new AxisScale(lo, hi, ticks, Array.Empty<double>());
        }

        private static AxisScale CreateLog(double lo, double hi)
        {
            int firstDecade = (int)Math.Floor(lo);
            int lastDecade = (int)Math.Ceiling(hi);
            var decades = Enumerable.Range(firstDecade, lastDecade - firstDecade + 1).Where(e => e >= lo && e <= hi).ToList();
            var major = new List<(double, string)>();
            var minor = new List<double>();
            if (decades.Count >= 2)
            {
                int every = (int)Math.Ceiling(decades.Count / 8.0);
                foreach (int e in decades.Where(e => e % every == 0))
                    major.Add((e, FormatLogTick(e)));
            }
            else
            {
                for (int e = firstDecade; e <= lastDecade; e++)
                {
                    foreach (int m in new[] { 1, 2, 5 })
                    {
                        double v = e + Math.Log10(m);
                        if (v >= lo && v <= hi)
                            major.Add((v, FormatLogTick(v)));
                    }
                }
            }

            for (int e = firstDecade; e <= lastDecade; e++)
            {
                for (int m = 2; m <= 9; m++)
                {
                    double v = e + Math.Log10(m);
                    if (v >= lo && v <= hi && !major.Any(t => Math.Abs(t.Item1 - v) < 1e-9))
                        minor.Add(v);
                }
            }

            return new AxisScale(lo, hi, major, minor);
        }

        private static double NiceStep(double rough)
        {
            double exponent = Math.Floor(Math.Log10(rough));
            double power = Math.Pow(10, exponent);
            double fraction = rough / power;
            double nice = fraction < 1.5 ? 1 : fraction < 2.25 ? 2 : fraction < 3.5 ? 2.5 : fraction < 7.5 ? 5 : 10;
            return nice * power;
        }

        private static int Decimals(double step)
        {
            for (int d = 0; d < 12; d++)
            {
                double scaled = step * Math.Pow(10, d);
                if (Math.Abs(scaled - Math.Round(scaled)) < 1e-6 * scaled)
                    return d;
            }

            return 12;
        }

        private static string FormatLogTick(double exponent)
        {
            double value = Math.Pow(10, exponent);
            return value >= 1 && value < 1e15
                ? Math.Round(value).ToString("#,0", CultureInfo.InvariantCulture)
                : value.ToString("G3", CultureInfo.InvariantCulture);
        }
    }
}
