using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// A numeric range: integers in [Min, Max] (both ends included) or floating-point numbers in [Min, Max],
    /// sampled uniformly on the linear scale or, with <see cref="LogBase"/>, on the log scale (for learning
    /// rates and other scale parameters). Integer values are <see cref="int"/>, others <see cref="double"/>.
    /// </summary>
    public sealed class RangeParameter : SearchParameter
    {
        /// <summary>A floating-point range [min, max].</summary>
        /// <param name="name">The options field it sets.</param>
        /// <param name="min">Smallest value; positive with <paramref name="logBase"/>.</param>
        /// <param name="max">Largest value; more than <paramref name="min"/>.</param>
        /// <param name="logBase">Sample uniformly on the log scale.</param>
        public RangeParameter(string name, double min, double max, bool logBase = false)
            : this(name, min, max, logBase, isInteger: false)
        {
        }

        /// <summary>An integer range [min, max], both ends included.</summary>
        /// <param name="name">The options field it sets.</param>
        /// <param name="min">Smallest value; at least 1 with <paramref name="logBase"/>.</param>
        /// <param name="max">Largest value; more than <paramref name="min"/>.</param>
        /// <param name="logBase">Sample uniformly on the log scale.</param>
        public RangeParameter(string name, int min, int max, bool logBase = false)
            : this(name, min, max, logBase, isInteger: true)
        {
        }

        private RangeParameter(string name, double min, double max, bool logBase, bool isInteger)
            : base(name)
        {
            if (!double.IsFinite(min) || !double.IsFinite(max))
                throw new ArgumentOutOfRangeException(nameof(min), $"Range '{name}': min ({min}) and max ({max}) must be finite.");
            if (!(max > min))
                throw new ArgumentOutOfRangeException(nameof(max), $"Range '{name}': max ({max}) must be more than min ({min}); use Fixed for a single value.");
            if (logBase && !(min > 0))
                throw new ArgumentOutOfRangeException(nameof(min), $"Range '{name}': a log-scale range needs min > 0; got {min}.");
            Min = min;
            Max = max;
            LogBase = logBase;
            IsInteger = isInteger;
        }

        /// <summary>Smallest value.</summary>
        public double Min { get; }

        /// <summary>Largest value.</summary>
        public double Max { get; }

        /// <summary>Whether values are spread uniformly on the log scale.</summary>
        public bool LogBase { get; }

        /// <summary>Whether values are integers (<see cref="int"/>); else <see cref="double"/>.</summary>
        public bool IsInteger { get; }

        /// <inheritdoc/>
        public override Type ValueType => IsInteger ? typeof(int) : typeof(double);

        /// <inheritdoc/>
        public override object Sample(double u)
        {
            if (!(u >= 0 && u < 1))
                throw new ArgumentOutOfRangeException(nameof(u), u, "A sample position must be in [0, 1).");
            if (IsInteger)
            {
                // Each integer gets an equal share of [0, 1) (of the log scale over [min, max + 1) when LogBase).
                double x = LogBase
                    ? Math.Exp(Math.Log(Min) + u * (Math.Log(Max + 1) - Math.Log(Min)))
                    : Min + u * (Max - Min + 1);
                return (int)Math.Clamp(Math.Floor(x), Min, Max);
            }
            double value = LogBase ? Min * Math.Pow(Max / Min, u) : Min + u * (Max - Min);
            return Math.Clamp(value, Min, Max);
        }

        /// <inheritdoc/>
        public override IReadOnlyList<object> GridPoints(int stepsPerRange)
        {
            if (stepsPerRange < 2)
                throw new ArgumentOutOfRangeException(nameof(stepsPerRange), stepsPerRange, "A grid needs at least 2 points per range.");
            if (IsInteger && Max - Min + 1 <= stepsPerRange)
                return Enumerable.Range((int)Min, (int)(Max - Min) + 1).Cast<object>().ToArray();
            var points = new List<object>();
            for (int i = 0; i < stepsPerRange; i++)
            {
                double t = (double)i / (stepsPerRange - 1);
                double x = LogBase ? Min * Math.Pow(Max / Min, t) : Min + t * (Max - Min);
                x = i == stepsPerRange - 1 ? Max : Math.Clamp(x, Min, Max);
                object point = IsInteger ? (object)(int)Math.Round(x) : x;
                if (!points.Contains(point))
                    points.Add(point);
            }
            return points;
        }

        /// <inheritdoc/>
        public override bool Contains(object value)
        {
            if (IsInteger)
                return value is int i && i >= Min && i <= Max;
            return value is double d && d >= Min && d <= Max;
        }

        internal override object FromJson(JsonElement element)
        {
            if (element.ValueKind != JsonValueKind.Number)
                throw new ArgumentException($"Range '{Name}' expects a number; the state has {element.GetRawText()}.", Name);
            object value = IsInteger ? (object)element.GetInt32() : element.GetDouble();
            return RequireContained(value);
        }

        /// <inheritdoc/>
        public override string ToString()
            => string.Create(CultureInfo.InvariantCulture,
                $"{Name}: {(IsInteger ? "integer" : "float")} in [{ValueConversion.Format(Min)}, {ValueConversion.Format(Max)}]{(LogBase ? ", log scale" : "")}");
    }
}
