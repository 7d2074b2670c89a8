using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// A choice among values of one type (numbers, strings, booleans or an enum), each equally likely
    /// under random search; a grid visits them in the order given.
    /// </summary>
    public sealed class ChoiceParameter : SearchParameter
    {
        private readonly object[] _values;

        /// <summary>Creates a choice among <paramref name="values"/> (at least one, all of one type, no repeats).</summary>
        public ChoiceParameter(string name, IEnumerable<object> values)
            : base(name)
        {
            _values = (values ?? throw new ArgumentNullException(nameof(values))).ToArray();
            if (_values.Length == 0)
                throw new ArgumentException($"Choice '{name}' needs at least one value.", nameof(values));
            if (_values.Any(v => v is null))
                throw new ArgumentException($"Choice '{name}' has a null value.", nameof(values));
            Type type = _values[0].GetType();
            if (!ValueConversion.IsSupported(type))
                throw new ArgumentException($"Choice '{name}': values of type {type.Name} are not supported (use numbers, strings, booleans or enums).", nameof(values));
            if (_values.Any(v => v.GetType() != type))
                throw new ArgumentException($"Choice '{name}' mixes value types ({string.Join(", ", _values.Select(v => v.GetType().Name).Distinct())}); use one type.", nameof(values));
            if (_values.Distinct().Count() != _values.Length)
                throw new ArgumentException($"Choice '{name}' lists a value twice.", nameof(values));
            ValueType = type;
        }

        /// <summary>The values, in the order given.</summary>
        public IReadOnlyList<object> Values => _values;

        /// <inheritdoc/>
        public override Type ValueType { get; }

        /// <inheritdoc/>
        public override object Sample(double u)
        {
            if (!(u >= 0 && u < 1))
                throw new ArgumentOutOfRangeException(nameof(u), u, "A sample position must be in [0, 1).");
            return _values[Math.Min((int)(u * _values.Length), _values.Length - 1)];
        }

        /// <inheritdoc/>
        public override IReadOnlyList<object> GridPoints(int stepsPerRange) => _values;

        /// <inheritdoc/>
        public override bool Contains(object value) => _values.Contains(value);

        internal override object FromJson(JsonElement element)
        {
            string text = element.GetRawText();
            foreach (object value in _values)
            {
                if (ValueConversion.CanonicalJson(value) == text)
                    return value;
            }
            throw new ArgumentException($"Choice '{Name}' has no value {text}.", Name);
        }

        /// <inheritdoc/>
        public override string ToString() => $"{Name}: one of [{string.Join(", ", _values.Select(ValueConversion.Format))}]";
    }
}
