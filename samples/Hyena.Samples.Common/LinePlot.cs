using System;
using System.Collections.Generic;
using System.IO;

namespace Hyena.Samples
{
    /// <summary>
    /// A "value versus x" line chart saved as PNG: one or more named series, a left and optionally a right y axis,
    /// optional log scales, the legend below the chart. Drawn with SkiaSharp 2.88 (the version ML.NET's image
    /// support uses), headless: no display and no system library needed. Used for training curves
    /// (<see cref="TrainingCurvePlot"/>), metric versus trial, time versus sequence length...
    /// </summary>
    public sealed class LinePlot
    {
        private readonly List<LineSeries> _series = new();

        /// <summary>Creates an empty chart.</summary>
        /// <param name="title">The title.</param>
        /// <param name="xLabel">The x axis label.</param>
        /// <param name="yLabel">The left y axis label.</param>
        public LinePlot(string title, string xLabel, string yLabel)
        {
            Title = title ?? throw new ArgumentNullException(nameof(title));
            XLabel = xLabel ?? throw new ArgumentNullException(nameof(xLabel));
            YLabel = yLabel ?? throw new ArgumentNullException(nameof(yLabel));
        }

        /// <summary>The title.</summary>
        public string Title { get; set; }

        /// <summary>The x axis label.</summary>
        public string XLabel { get; set; }

        /// <summary>The left y axis label.</summary>
        public string YLabel { get; set; }

        /// <summary>The right y axis label (used when a series is on the right axis).</summary>
        public string? RightYLabel { get; set; }

        /// <summary>Whether the x axis is logarithmic (base 10); points with x &lt;= 0 are then left out.</summary>
        public bool LogScaleX { get; set; }

        /// <summary>Whether the x axis shows integer ticks only (epochs, trial numbers...); ignored on a log scale.</summary>
        public bool IntegerTicksX { get; set; }

        /// <summary>Whether the left y axis is logarithmic (base 10); its points with y &lt;= 0 are then left out.</summary>
        public bool LogScaleY { get; set; }

        /// <summary>The series, in the order added.</summary>
        public IReadOnlyList<LineSeries> Series => _series;

        /// <summary>Adds a series.</summary>
        /// <param name="name">The legend text.</param>
        /// <param name="x">The x values.</param>
        /// <param name="y">The y values.</param>
        /// <param name="onRightAxis">True to plot against the right y axis.</param>
        /// <returns>This chart.</returns>
        public LinePlot AddSeries(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, bool onRightAxis = false)
        {
            _series.Add(new LineSeries(name, x, y, onRightAxis));
            return this;
        }

        /// <summary>Adds a series.</summary>
        /// <param name="series">The series.</param>
        /// <returns>This chart.</returns>
        public LinePlot AddSeries(LineSeries series)
        {
            ArgumentNullException.ThrowIfNull(series);
            _series.Add(series);
            return this;
        }

        /// <summary>Renders the chart to a PNG file (its folder is created when missing).</summary>
        /// <param name="path">The file to write.</param>
        /// <param name="width">The width in pixels.</param>
        /// <param name="height">The height in pixels.</param>
        public void SavePng(string path, int width = 900, int height = 540)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(path);
            byte[] png = RenderPng(width, height);
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(folder))
                Directory.CreateDirectory(folder);
            File.WriteAllBytes(path, png);
        }

        /// <summary>Renders the chart as PNG bytes.</summary>
        /// <param name="width">The width in pixels, 100 or more.</param>
        /// <param name="height">The height in pixels, 100 or more.</param>
        /// <returns>The PNG file's bytes.</returns>
        public byte[] RenderPng(int width = 900, int height = 540)
        {
            if (width < 100)
                throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be at least 100 pixels.");
            if (height < 100)
                throw new ArgumentOutOfRangeException(nameof(height), height, "The height must be at least 100 pixels.");

            return PlotRenderer.RenderPng(this, width, height);
        }
    }
}
