using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>A value every trial gets (part of the space so that it is recorded with each trial).</summary>
    public sealed class FixedParameter : SearchParameter
    {
        /// <summary>Creates a fixed value (a number, string, boolean or enum).</summary>
        public FixedParameter(string name, object value)
            : base(name)
        {
            Value = value ?? throw new ArgumentNullException(nameof(value), $"Fixed parameter '{name}' needs a value.");
            if (!ValueConversion.IsSupported(value.GetType()))
                throw new ArgumentException($"Fixed parameter '{name}': values of type {value.GetType().Name} are not supported (use numbers, strings, booleans or enums).", nameof(value));
        }

        /// <summary>The value.</summary>
        public object Value { get; }

        /// <inheritdoc/>
        public override Type ValueType => Value.GetType();

        /// <inheritdoc/>
        public override object Sample(double u) => Value;

        /// <inheritdoc/>
        public override IReadOnlyList<object> GridPoints(int stepsPerRange) => new[] { Value };

        /// <inheritdoc/>
        public override bool Contains(object value) => Value.Equals(value);

        internal override object FromJson(JsonElement element)
        {
            if (ValueConversion.CanonicalJson(Value) != element.GetRawText())
                throw new ArgumentException($"Fixed parameter '{Name}' is {ValueConversion.Format(Value)}; the state has {element.GetRawText()}.", Name);
            return Value;
        }

        /// <inheritdoc/>
        public override string ToString() => $"{Name}: fixed {ValueConversion.Format(Value)}";
    }
}
