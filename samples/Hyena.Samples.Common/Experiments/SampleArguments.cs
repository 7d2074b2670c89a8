using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Hyena.Samples
{
    /// <summary>
    /// Command-line options of a sample: <c>--name value</c> pairs and <c>--flag</c> switches. Every
    /// option a sample reads must be declared with its help text; an unknown option or a value that
    /// does not parse is an error that names it.
    /// </summary>
    public sealed class SampleArguments
    {
        private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);
        private readonly List<(string Name, string Help, bool IsFlag)> _declared = new();
        private readonly string _sampleName;

        /// <summary>Parses <paramref name="args"/> of the sample <paramref name="sampleName"/>.</summary>
        public SampleArguments(string sampleName, IReadOnlyList<string> args)
        {
            _sampleName = sampleName ?? throw new ArgumentNullException(nameof(sampleName));
            for (int i = 0; i < args.Count; i++)
            {
                string arg = args[i];
                if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                    throw new ArgumentException($"{sampleName}: unexpected argument '{arg}'; options look like --name value.");
                string name = arg.Substring(2);
                bool hasValue = i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal);
                _values[name] = hasValue ? args[++i] : null;
            }
        }

        /// <summary>Whether --help was given.</summary>
        public bool HelpRequested => _values.ContainsKey("help");

        /// <summary>A string option.</summary>
        public string String(string name, string defaultValue, string help)
        {
            Declare(name, help + $" (default {defaultValue})", isFlag: false);
            return _values.TryGetValue(name, out var value) ? value ?? throw Missing(name) : defaultValue;
        }

        /// <summary>An integer option.</summary>
        public int Int(string name, int defaultValue, string help)
        {
            Declare(name, help + $" (default {defaultValue})", isFlag: false);
            if (!_values.TryGetValue(name, out var value))
                return defaultValue;
            return int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed)
                ? parsed
                : throw new ArgumentException($"{_sampleName}: --{name} needs an integer; got '{value}'.");
        }

        /// <summary>A floating-point option.</summary>
        public double Double(string name, double defaultValue, string help)
        {
            Declare(name, help + $" (default {defaultValue.ToString(CultureInfo.InvariantCulture)})", isFlag: false);
            if (!_values.TryGetValue(name, out var value))
                return defaultValue;
            return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed)
                ? parsed
                : throw new ArgumentException($"{_sampleName}: --{name} needs a number; got '{value}'.");
        }

        /// <summary>An option that takes one of the names of <typeparamref name="TEnum"/> (case-insensitive).</summary>
        public TEnum Enum<TEnum>(string name, TEnum defaultValue, string help) where TEnum : struct, System.Enum
        {
            string names = string.Join(", ", System.Enum.GetNames<TEnum>());
            Declare(name, $"{help}: {names} (default {defaultValue})", isFlag: false);
            if (!_values.TryGetValue(name, out var value))
                return defaultValue;
            if (value is null)
                throw Missing(name);
            return System.Enum.TryParse(value, ignoreCase: true, out TEnum parsed) && System.Enum.IsDefined(parsed) && !char.IsDigit(value.TrimStart('-')[0])
                ? parsed
                : throw new ArgumentException($"{_sampleName}: --{name} needs one of {names}; got '{value}'.");
        }

        /// <summary>A switch, true when given.</summary>
        public bool Flag(string name, string help)
        {
            Declare(name, help, isFlag: true);
            if (!_values.TryGetValue(name, out var value))
                return false;
            return value is null ? true : throw new ArgumentException($"{_sampleName}: --{name} takes no value; got '{value}'.");
        }

        /// <summary>
        /// Call after reading every option: prints the help and returns false for --help, and
        /// refuses options the sample does not know.
        /// </summary>
        public bool Validate()
        {
            if (HelpRequested)
            {
                Console.WriteLine($"Options of {_sampleName}:");
                foreach (var (name, help, isFlag) in _declared)
                    Console.WriteLine($"  --{name}{(isFlag ? "" : " <value>"),-10}  {help}");
                return false;
            }
            var unknown = _values.Keys.Where(k => _declared.All(d => d.Name != k)).ToList();
            if (unknown.Count > 0)
                throw new ArgumentException($"{_sampleName}: unknown option(s) {string.Join(", ", unknown.Select(u => "--" + u))}; --help lists them.");
            return true;
        }

        private void Declare(string name, string help, bool isFlag)
        {
            if (_declared.All(d => d.Name != name))
                _declared.Add((name, help, isFlag));
        }

        private ArgumentException Missing(string name) => new($"{_sampleName}: --{name} needs a value.");
    }
}
