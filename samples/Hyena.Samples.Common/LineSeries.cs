using System;
using System.Collections.Generic;

namespace Hyena.Samples
{
    /// <summary>One named series of (x, y) points of a <see cref="LinePlot"/>.</summary>
    public sealed class LineSeries
    {
        /// <summary>Creates a series; the points are copied.</summary>
        /// <param name="name">The legend text.</param>
        /// <param name="x">The x values.</param>
        /// <param name="y">The y values, as many as x values; NaN or infinite points are left out of the plot.</param>
        /// <param name="onRightAxis">True to plot against the right-hand y axis.</param>
        public LineSeries(string name, IReadOnlyList<double> x, IReadOnlyList<double> y, bool onRightAxis = false)
        {
            ArgumentNullException.ThrowIfNull(name);
            ArgumentNullException.ThrowIfNull(x);
            ArgumentNullException.ThrowIfNull(y);
            if (x.Count != y.Count)
                throw new ArgumentException($"The series has {x.Count} x values but {y.Count} y values.", nameof(y));

            Name = name;
            X = new List<double>(x);
            Y = new List<double>(y);
            OnRightAxis = onRightAxis;
        }

        /// <summary>The legend text.</summary>
        public string Name { get; }

        /// <summary>The x values.</summary>
        public IReadOnlyList<double> X { get; }

        /// <summary>The y values.</summary>
        public IReadOnlyList<double> Y { get; }

        /// <summary>Whether the series is plotted against the right-hand y axis.</summary>
        public bool OnRightAxis { get; }
    }
}
