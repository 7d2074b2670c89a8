using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Hyena.Samples
{
    /// <summary>
    /// Writes a <see cref="ResultsTable"/> as CSV and JSON together with how the figures were produced: the exact
    /// command line and arguments, the date (UTC, ISO 8601) and the machine (processor count, operating system,
    /// .NET version), plus optional settings. Values keep full precision (invariant culture; durations in seconds).
    /// </summary>
    public static class ResultsFile
    {
        private static readonly UTF8Encoding _utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

        /// <summary>Writes <c>{basePath}.csv</c> and <c>{basePath}.json</c> (the folder is created when missing).</summary>
        /// <param name="basePath">The path without extension, such as "runs/fashion-mnist/results".</param>
        /// <param name="table">The figures.</param>
        /// <param name="run">The run's record; <see cref="RunInfo.Capture"/> of this process when null.</param>
        /// <param name="settings">Settings to record (hyper-parameters, data set...), in the order given.</param>
        /// <returns>The paths written.</returns>
        public static (string CsvPath, string JsonPath) Write(string basePath, ResultsTable table, RunInfo? run = null, IEnumerable<KeyValuePair<string, object?>>? settings = null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(basePath);
            ArgumentNullException.ThrowIfNull(table);
            run ??= RunInfo.Capture();
            var settingList = settings?.ToList();

            string? folder = Path.GetDirectoryName(Path.GetFullPath(basePath));
            if (!string.IsNullOrEmpty(folder))
                Directory.CreateDirectory(folder);

            string csvPath = basePath + ".csv";
            string jsonPath = basePath + ".json";
            using (var writer = new StreamWriter(csvPath, append: false, _utf8NoBom))
                WriteCsv(writer, table, run, settingList);
            using (var stream = new FileStream(jsonPath, FileMode.Create, FileAccess.Write, FileShare.None))
                WriteJson(stream, table, run, settingList);
            return (csvPath, jsonPath);
        }

        /// <summary>
        /// Writes CSV (RFC 4180 quoting, "\n" line ends): first comment lines starting with "# " (command, arguments,
        /// date, machine, settings), then the header row and the rows. Readers skip the comments with, for example,
        /// pandas' <c>comment='#'</c>.
        /// </summary>
        /// <param name="writer">Where to write.</param>
        /// <param name="table">The figures.</param>
        /// <param name="run">The run's record; no comment lines when null.</param>
        /// <param name="settings">Settings to record as comment lines.</param>
        public static void WriteCsv(TextWriter writer, ResultsTable table, RunInfo? run = null, IEnumerable<KeyValuePair<string, object?>>? settings = null)
        {
            ArgumentNullException.ThrowIfNull(writer);
            ArgumentNullException.ThrowIfNull(table);

            if (run is not null)
            {
                Comment(writer, "command", run.CommandLine);
                Comment(writer, "arguments", string.Join(' ', run.Arguments.Select(QuoteArgument)));
                Comment(writer, "date_utc", run.DateUtcIso8601);
                Comment(writer, "machine", $"{run.ProcessorCount} processors, {run.OSDescription} ({run.OSArchitecture}), {run.FrameworkDescription}");
            }

            if (settings is not null)
            {
                foreach (KeyValuePair<string, object?> setting in settings)
                    Comment(writer, setting.Key, ResultsTable.FormatInvariant(setting.Value));
            }

            writer.Write(string.Join(',', table.Columns.Select(Quote)));
            writer.Write('\n');
            foreach (IReadOnlyList<object?> row in table.Rows)
            {
                writer.Write(string.Join(',', row.Select(value => Quote(ResultsTable.FormatInvariant(value)))));
                writer.Write('\n');
            }

            writer.Flush();
        }

        /// <summary>
        /// Writes JSON: <c>{"run": {"commandLine", "arguments", "dateUtc", "machine": {"processorCount", "os",
        /// "osArchitecture", "dotnet"}}, "settings": {...}, "columns": [...], "rows": [{column: value}, ...]}</c>.
        /// Numbers stay numbers (NaN and infinities become null), durations are seconds.
        /// </summary>
        /// <param name="stream">Where to write; not closed.</param>
        /// <param name="table">The figures.</param>
        /// <param name="run">The run's record; left out when null.</param>
        /// <param name="settings">Settings to record.</param>
        public static void WriteJson(Stream stream, ResultsTable table, RunInfo? run = null, IEnumerable<KeyValuePair<string, object?>>? settings = null)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentNullException.ThrowIfNull(table);

            using var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            json.WriteStartObject();
            if (run is not null)
            {
                json.WriteStartObject("run");
                json.WriteString("commandLine", run.CommandLine);
                json.WriteStartArray("arguments");
                foreach (string argument in run.Arguments)
                    json.WriteStringValue(argument);
                json.WriteEndArray();
                json.WriteString("dateUtc", run.DateUtcIso8601);
                json.WriteStartObject("machine");
                json.WriteNumber("processorCount", run.ProcessorCount);
                json.WriteString("os", run.OSDescription);
                json.WriteString("osArchitecture", run.OSArchitecture);
                json.WriteString("dotnet", run.FrameworkDescription);
                json.WriteEndObject();
                json.WriteEndObject();
            }

            if (settings is not null)
            {
                json.WriteStartObject("settings");
                foreach (KeyValuePair<string, object?> setting in settings)
                {
                    json.WritePropertyName(setting.Key);
                    WriteValue(json, setting.Value);
                }

                json.WriteEndObject();
            }

            json.WriteStartArray("columns");
            foreach (string column in table.Columns)
                json.WriteStringValue(column);
            json.WriteEndArray();

            json.WriteStartArray("rows");
            foreach (IReadOnlyList<object?> row in table.Rows)
            {
                json.WriteStartObject();
                for (int c = 0; c < table.Columns.Count; c++)
                {
                    json.WritePropertyName(table.Columns[c]);
                    WriteValue(json, row[c]);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.Flush();
        }

        private static void WriteValue(Utf8JsonWriter json, object? value)
        {
            switch (value)
            {
                case null:
                    json.WriteNullValue();
                    break;
                case bool b:
                    json.WriteBooleanValue(b);
                    break;
                case double d:
                    WriteDouble(json, d);
                    break;
                case float f:
                    WriteDouble(json, f);
                    break;
                case decimal m:
                    json.WriteNumberValue(m);
                    break;
                case TimeSpan t:
                    WriteDouble(json, t.TotalSeconds);
                    break;
                case ulong u:
                    json.WriteNumberValue(u);
                    break;
                case byte or sbyte or short or ushort or int or uint or long:
                    json.WriteNumberValue(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    json.WriteStringValue(ResultsTable.FormatInvariant(value));
                    break;
            }
        }

        private static void WriteDouble(Utf8JsonWriter json, double value)
        {
            if (double.IsFinite(value))
                json.WriteNumberValue(value);
            else
                json.WriteNullValue();
        }

        private static void Comment(TextWriter writer, string key, string value)
        {
            writer.Write("# ");
            writer.Write(key);
            writer.Write(": ");
            writer.Write(value.Replace('\r', ' ').Replace('\n', ' '));
            writer.Write('\n');
        }

        private static string Quote(string text) =>
            text.IndexOfAny(new[] { ',', '"', '\r', '\n' }) >= 0 || (text.Length > 0 && text[0] == '#')
                ? "\"" + text.Replace("\"", "\"\"") + "\""
                : text;

        private static string QuoteArgument(string argument) =>
            argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '"', '\'' }) < 0
                ? argument
                : "'" + argument.Replace("'", "'\\''") + "'";
    }
}
