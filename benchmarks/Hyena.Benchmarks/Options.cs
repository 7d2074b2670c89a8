using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Hyena.Benchmarks
{
    /// <summary>Command-line options: <c>--name value</c> pairs after the verb.</summary>
    internal sealed class Options
    {
        private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
        private readonly HashSet<string> _used = new(StringComparer.Ordinal);

        public Options(IEnumerable<string> args)
        {
            var list = args.ToList();
            for (int i = 0; i < list.Count; i++)
            {
                string arg = list[i];
                if (!arg.StartsWith("--", StringComparison.Ordinal))
                    throw new ArgumentException($"Unexpected argument '{arg}': options are --name value.");
                string name = arg.Substring(2);
                string value;
                int eq = name.IndexOf('=');
                if (eq >= 0)
                {
                    value = name.Substring(eq + 1);
                    name = name.Substring(0, eq);
                }
                else if (i + 1 < list.Count && !list[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    value = list[++i];
                }
                else
                {
                    value = "true";
                }
                _values[name] = value;
            }
        }

        public string? Get(string name)
        {
            _used.Add(name);
            return _values.TryGetValue(name, out var v) ? v : null;
        }

        public string Get(string name, string fallback) => Get(name) ?? fallback;

        public int Int(string name, int fallback) => Get(name) is string v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

        public double Double(string name, double fallback) => Get(name) is string v ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

        public bool Bool(string name, bool fallback) => Get(name) is string v ? v is "true" or "1" or "yes" : fallback;

        public IReadOnlyList<long> Lengths(string name, IReadOnlyList<long> fallback)
            => Get(name) is string v ? v.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(ParseLength).ToList() : fallback;

        public IReadOnlyList<string> List(string name, IReadOnlyList<string> fallback)
            => Get(name) is string v ? v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() : fallback;

        /// <summary>Refuses options that no code asked for (typos).</summary>
        public void CheckAllUsed()
        {
            var unknown = _values.Keys.Where(k => !_used.Contains(k)).ToList();
            if (unknown.Count > 0)
                throw new ArgumentException("Unknown option(s): " + string.Join(", ", unknown.Select(u => "--" + u)));
        }

        /// <summary>"2048", "2k" (2048), "1M" (1048576).</summary>
        public static long ParseLength(string text)
        {
            text = text.Trim();
            long scale = 1;
            if (text.EndsWith("k", StringComparison.OrdinalIgnoreCase)) { scale = 1024; text = text[..^1]; }
            else if (text.EndsWith("M", StringComparison.Ordinal) || text.EndsWith("m", StringComparison.Ordinal)) { scale = 1024 * 1024; text = text[..^1]; }
            return (long)(double.Parse(text, CultureInfo.InvariantCulture) * scale);
        }

        /// <summary>2048 as "2k", 1048576 as "1M", 1000 as "1000".</summary>
        public static string FormatLength(long length)
        {
            if (length >= 1024 * 1024 && length % (1024 * 1024) == 0) return (length / (1024 * 1024)).ToString(CultureInfo.InvariantCulture) + "M";
            if (length >= 1024 && length % 1024 == 0) return (length / 1024).ToString(CultureInfo.InvariantCulture) + "k";
            return length.ToString(CultureInfo.InvariantCulture);
        }
    }
}
