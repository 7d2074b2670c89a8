using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace Hyena.Benchmarks
{
    /// <summary>
    /// Rows of results: appended to a CSV file as they come (so a run cut short keeps what it measured),
    /// echoed as one line each, and printed as an aligned table at the end. The CSV starts with
    /// '#' comment lines holding the command, date and machine (pandas: read_csv(path, comment='#')).
    /// </summary>
    internal sealed class Report : IDisposable
    {
        private readonly string[] _columns;
        private readonly List<string[]> _rows = new();
        private readonly StreamWriter _csv;

        public Report(string path, IEnumerable<string> header, params string[] columns)
        {
            _columns = columns;
            Path = path;
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            _csv = new StreamWriter(path, append: false, new UTF8Encoding(false)) { AutoFlush = true };
            foreach (var line in header)
                _csv.WriteLine("# " + line.Replace('\n', ' '));
            _csv.WriteLine(string.Join(",", columns.Select(Csv)));
        }

        public string Path { get; }

        public void Add(params object?[] values)
        {
            if (values.Length != _columns.Length)
                throw new ArgumentException($"{values.Length} values for {_columns.Length} columns");
            var cells = values.Select(Format).ToArray();
            _rows.Add(cells);
            _csv.WriteLine(string.Join(",", cells.Select(Csv)));
            Console.WriteLine("  " + string.Join("  ", _columns.Zip(cells, (c, v) => $"{c}={v}")));
        }

        public static string Format(object? value) => value switch
        {
            null => "",
            double d when double.IsNaN(d) => "",
            double d => d.ToString(Math.Abs(d) >= 100 ? "0.0" : Math.Abs(d) >= 1 ? "0.00" : "0.000", CultureInfo.InvariantCulture),
            float f => Format((double)f),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };

        private static string Csv(string cell) => cell.IndexOfAny(new[] { ',', '"', '\n' }) >= 0 ? "\"" + cell.Replace("\"", "\"\"") + "\"" : cell;

        /// <summary>The rows as an aligned table (numbers right-aligned).</summary>
        public string Table() => Aligned(_columns, _rows);

        public static string Aligned(IReadOnlyList<string> columns, IReadOnlyList<string[]> rows)
        {
            var widths = columns.Select((c, i) => Math.Max(c.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
            bool[] numeric = columns.Select((c, i) => rows.Count > 0 && rows.All(r => r[i].Length == 0 || double.TryParse(r[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _))).ToArray();
            var sb = new StringBuilder();
            sb.AppendLine(string.Join("  ", columns.Select((c, i) => numeric[i] ? c.PadLeft(widths[i]) : c.PadRight(widths[i]))).TrimEnd());
            sb.AppendLine(string.Join("  ", widths.Select(w => new string('-', w))));
            foreach (var row in rows)
                sb.AppendLine(string.Join("  ", row.Select((v, i) => numeric[i] ? v.PadLeft(widths[i]) : v.PadRight(widths[i]))).TrimEnd());
            return sb.ToString();
        }

        public IReadOnlyList<string[]> Rows => _rows;

        public IReadOnlyList<string> Columns => _columns;

        public void Dispose() => _csv.Dispose();
    }
}
