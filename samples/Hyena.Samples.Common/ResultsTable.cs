using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Hyena.Samples
{
    /// <summary>
    /// A table of results (column headers and rows of values) printed as aligned text: columns of numbers and
    /// durations right-aligned, others left-aligned. <see cref="ResultsFile"/> writes the same values as CSV and JSON.
    /// </summary>
    public sealed class ResultsTable
    {
        private readonly string[] _columns;
        private readonly List<object?[]> _rows = new();
        private readonly Dictionary<int, string> _formats = new();

        /// <summary>Creates an empty table.</summary>
        /// <param name="columns">The column headers, at least one.</param>
        public ResultsTable(params string[] columns)
        {
            ArgumentNullException.ThrowIfNull(columns);
            if (columns.Length == 0)
                throw new ArgumentException("A table needs at least one column.", nameof(columns));
            if (columns.Any(c => c is null))
                throw new ArgumentException("A column header is null.", nameof(columns));
            _columns = (string[])columns.Clone();
        }

        /// <summary>The column headers.</summary>
        public IReadOnlyList<string> Columns => _columns;

        /// <summary>The rows, each with one value per column (null for an empty cell).</summary>
        public IReadOnlyList<IReadOnlyList<object?>> Rows => _rows;

        /// <summary>Sets how a column's numbers are shown on the console (CSV and JSON keep full precision).</summary>
        /// <param name="column">The column header.</param>
        /// <param name="format">A .NET numeric format, such as "0.00" or "P2".</param>
        /// <returns>This table.</returns>
        public ResultsTable SetFormat(string column, string format)
        {
            ArgumentNullException.ThrowIfNull(column);
            ArgumentNullException.ThrowIfNull(format);
            int index = Array.IndexOf(_columns, column);
            if (index < 0)
                throw new ArgumentException($"'{column}' is not a column; the columns are {string.Join(", ", _columns)}.", nameof(column));
            _formats[index] = format;
            return this;
        }

        /// <summary>Adds a row.</summary>
        /// <param name="values">One value per column: strings, numbers, booleans, <see cref="TimeSpan"/>s or null.</param>
        /// <returns>This table.</returns>
        public ResultsTable AddRow(params object?[] values)
        {
            ArgumentNullException.ThrowIfNull(values);
            if (values.Length != _columns.Length)
                throw new ArgumentException($"The row has {values.Length} values but the table has {_columns.Length} columns ({string.Join(", ", _columns)}).", nameof(values));
            _rows.Add((object?[])values.Clone());
            return this;
        }

        /// <summary>Prints the table.</summary>
        /// <param name="writer">Where to print; the console when null.</param>
        public void Print(TextWriter? writer = null)
        {
            (writer ?? Console.Out).Write(ToString());
        }

        /// <summary>The table as aligned text: headers, a rule, then the rows, each line ending with a new line.</summary>
        /// <returns>The text.</returns>
        public override string ToString()
        {
            var cells = _rows.Select(row => row.Select((value, c) => FormatForConsole(value, c)).ToArray()).ToList();
            var widths = new int[_columns.Length];
            var rightAlign = new bool[_columns.Length];
            for (int c = 0; c < _columns.Length; c++)
            {
                widths[c] = Math.Max(_columns[c].Length, cells.Count == 0 ? 0 : cells.Max(row => row[c].Length));
                rightAlign[c] = _rows.Count > 0 && _rows.All(row => row[c] is null || row[c] is TimeSpan || IsNumber(row[c]));
            }

            var text = new StringBuilder();
            AppendLine(text, _columns, widths, rightAlign);
            text.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            foreach (string[] row in cells)
                AppendLine(text, row, widths, rightAlign);
            return text.ToString();
        }

        /// <summary>Formats a value with invariant culture and full precision, as written to CSV ("" for null).</summary>
        /// <param name="value">The value.</param>
        /// <returns>The text.</returns>
        public static string FormatInvariant(object? value) => value switch
        {
            null => string.Empty,
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            float f => f.ToString("R", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            TimeSpan t => t.TotalSeconds.ToString("R", CultureInfo.InvariantCulture),
            DateTime dt => dt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };

        /// <summary>Whether a value is a number (an integer or floating-point type).</summary>
        /// <param name="value">The value.</param>
        /// <returns>True for numbers.</returns>
        public static bool IsNumber(object? value) =>
            value is byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal;

        private string FormatForConsole(object? value, int column)
        {
            if (value is null)
                return string.Empty;
            if (_formats.TryGetValue(column, out string? format) && value is IFormattable formattable && IsNumber(value))
                return formattable.ToString(format, CultureInfo.InvariantCulture);
            return value switch
            {
                double d => FormatDouble(d),
                float f => FormatDouble(f),
                TimeSpan t => ConsoleProgressBar.FormatDuration(t),
                _ => FormatInvariant(value),
            };
        }

        private static string FormatDouble(double value)
        {
            if (!double.IsFinite(value))
                return value.ToString(CultureInfo.InvariantCulture);
            double magnitude = Math.Abs(value);
            return magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e7)
                ? value.ToString("0.###e+0", CultureInfo.InvariantCulture)
                : value.ToString("0.####", CultureInfo.InvariantCulture);
        }

        private static void AppendLine(StringBuilder text, IReadOnlyList<string> cells, int[] widths, bool[] rightAlign)
        {
            var parts = new string[cells.Count];
            for (int c = 0; c < cells.Count; c++)
                parts[c] = rightAlign[c] ? cells[c].PadLeft(widths[c]) : cells[c].PadRight(widths[c]);
            text.AppendLine(string.Join("  ", parts).TrimEnd());
        }
    }
}
