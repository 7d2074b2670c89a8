using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// The CSV of a sweep's trials (RFC 4180, invariant culture), one row per trial in id order, with the
    /// columns: <c>trial</c>, one column per search-space parameter, the metric (named after it; empty when
    /// the trial failed), <c>epochs</c>, <c>duration_s</c>, <c>status</c>, <c>device</c>, <c>seed</c>,
    /// <c>error</c>. A sweep with a state folder keeps <c>trials.csv</c> there up to date.
    /// </summary>
    public static class TrialCsv
    {
        /// <summary>Writes the header and one row per trial.</summary>
        public static void Write(TextWriter writer, SweepSearchSpace space, SweepMetric metric, IEnumerable<TrialResult> trials)
        {
            ArgumentNullException.ThrowIfNull(writer);
            ArgumentNullException.ThrowIfNull(space);
            ArgumentNullException.ThrowIfNull(metric);
            ArgumentNullException.ThrowIfNull(trials);
            var header = new List<string> { "trial" };
            header.AddRange(space.Select(p => p.Name));
            header.AddRange(new[] { metric.Name, "epochs", "duration_s", "status", "device", "seed", "error" });
            WriteRow(writer, header);
            foreach (TrialResult trial in trials.OrderBy(t => t.Id))
            {
                var row = new List<string> { trial.Id.ToString(CultureInfo.InvariantCulture) };
                row.AddRange(space.Select(p => trial.Parameters.TryGetValue(p.Name, out object? v) ? ValueConversion.Format(v) : ""));
                row.Add(trial.Metric is double m ? ValueConversion.Format(m) : "");
                row.Add(trial.Epochs.ToString(CultureInfo.InvariantCulture));
                row.Add(trial.Duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture));
                row.Add(trial.Status.ToString());
                row.Add(trial.Device.ToString());
                row.Add(trial.Seed.ToString(CultureInfo.InvariantCulture));
                row.Add(trial.Error ?? "");
                WriteRow(writer, row);
            }
        }

        private static void WriteRow(TextWriter writer, IEnumerable<string> fields)
        {
            writer.Write(string.Join(",", fields.Select(Escape)));
            writer.Write("\r\n");
        }

        private static string Escape(string field)
            => field.IndexOfAny(new[] { ',', '"', '\r', '\n' }) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";
    }
}
