using System;
using System.Collections.Generic;
using System.Text.Json;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// One dimension of a <see cref="SweepSearchSpace"/>: a named option and the values it may take
    /// (<see cref="RangeParameter"/>, <see cref="ChoiceParameter"/> or <see cref="FixedParameter"/>).
    /// The name is the name of the options field or property the value is written to.
    /// </summary>
    public abstract class SearchParameter
    {
        private protected SearchParameter(string name)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException("A search parameter needs a name (the options field it sets).", nameof(name));
            Name = name;
        }

        /// <summary>The name of the options field or property this parameter sets.</summary>
        public string Name { get; }

        /// <summary>The type of the values (int or double for ranges; the values' type for choices and fixed values).</summary>
        public abstract Type ValueType { get; }

        /// <summary>
        /// The value at position <paramref name="u"/> in [0, 1) of this parameter's sampling distribution
        /// (uniform on the linear or log scale for ranges, uniform over the values for choices).
        /// </summary>
        public abstract object Sample(double u);

        /// <summary>The values a grid search visits, in order; ranges give <paramref name="stepsPerRange"/> points or fewer.</summary>
        public abstract IReadOnlyList<object> GridPoints(int stepsPerRange);

        /// <summary>Whether <paramref name="value"/> is one of the values this parameter may take.</summary>
        public abstract bool Contains(object value);

        /// <summary>Reads a value written by <see cref="ValueConversion.ToJson"/>; a value outside the parameter is an error.</summary>
        internal abstract object FromJson(JsonElement element);

        /// <summary>A one-line description ("LearningRate: float in [0.0001, 0.01], log scale"), also used to check that a resumed sweep has the same space.</summary>
        public abstract override string ToString();

        private protected object RequireContained(object value)
        {
            if (!Contains(value))
                throw new ArgumentException($"Value {ValueConversion.Format(value)} is outside the search parameter {this}.", Name);
            return value;
        }
    }
}
