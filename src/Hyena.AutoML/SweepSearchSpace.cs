using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using Microsoft.ML.SearchSpace;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// The options a sweep varies: an ordered list of <see cref="SearchParameter"/>s, each named after the
    /// options field it sets. Build it in code:
    /// <code>
    /// var space = new SweepSearchSpace()
    ///     .Range(nameof(Options.LearningRate), 1e-4, 1e-2, logBase: true)
    ///     .Choice(nameof(Options.ModelDimension), 32, 64, 128)
    ///     .Range(nameof(Options.Depth), 1, 4)
    ///     .Fixed(nameof(Options.BatchSize), 64);
    /// </code>
    /// or declare it on a class with ML.NET's search-space attributes (Microsoft.ML.SearchSpace's
    /// <c>[Range]</c>, <c>[Choice]</c>, <c>[BooleanChoice]</c>) and <see cref="FixedAttribute"/>, and call
    /// <see cref="FromAttributes{T}"/>.
    /// </summary>
    public sealed class SweepSearchSpace : IReadOnlyList<SearchParameter>
    {
        private readonly List<SearchParameter> _parameters = new();

        /// <summary>The parameter at a position (declaration order).</summary>
        public SearchParameter this[int index] => _parameters[index];

        /// <summary>The parameter with a name.</summary>
        public SearchParameter this[string name] => _parameters.FirstOrDefault(p => p.Name == name)
            ?? throw new KeyNotFoundException($"The search space has no parameter '{name}'.");

        /// <summary>The number of parameters.</summary>
        public int Count => _parameters.Count;

        /// <summary>Whether a parameter has this name.</summary>
        public bool Contains(string name) => _parameters.Any(p => p.Name == name);

        /// <summary>Adds a parameter (names are unique).</summary>
        public SweepSearchSpace Add(SearchParameter parameter)
        {
            ArgumentNullException.ThrowIfNull(parameter);
            if (Contains(parameter.Name))
                throw new ArgumentException($"The search space already has a parameter '{parameter.Name}'.", nameof(parameter));
            _parameters.Add(parameter);
            return this;
        }

        /// <summary>Adds a floating-point range [min, max], on the log scale when <paramref name="logBase"/>.</summary>
        public SweepSearchSpace Range(string name, double min, double max, bool logBase = false)
            => Add(new RangeParameter(name, min, max, logBase));

        /// <summary>Adds an integer range [min, max] (both included), on the log scale when <paramref name="logBase"/>.</summary>
        public SweepSearchSpace Range(string name, int min, int max, bool logBase = false)
            => Add(new RangeParameter(name, min, max, logBase));

        /// <summary>Adds a choice among <paramref name="values"/>.</summary>
        public SweepSearchSpace Choice<T>(string name, params T[] values) where T : notnull
            => Add(new ChoiceParameter(name, (values ?? throw new ArgumentNullException(nameof(values))).Cast<object>()));

        /// <summary>Adds a value every trial gets.</summary>
        public SweepSearchSpace Fixed<T>(string name, T value) where T : notnull
            => Add(new FixedParameter(name, value));

        /// <summary>
        /// A space from the public fields and properties of <typeparamref name="T"/> that carry ML.NET's
        /// <c>[Range]</c>, <c>[Choice]</c> or <c>[BooleanChoice]</c> (Microsoft.ML.SearchSpace) or
        /// <see cref="FixedAttribute"/>; members without one are ignored. The member's type decides the
        /// parameter's type: an int member gets an integer range, a double or float member a float range,
        /// and choices and fixed values are converted to it. Fields come first, then properties, each in
        /// declaration order.
        /// </summary>
        public static SweepSearchSpace FromAttributes<T>() => FromAttributes(typeof(T));

        /// <summary>The space declared by the attributes on <paramref name="type"/>'s members (see <see cref="FromAttributes{T}"/>).</summary>
        public static SweepSearchSpace FromAttributes(Type type)
        {
            ArgumentNullException.ThrowIfNull(type);
            var space = new SweepSearchSpace();
            const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
            var members = type.GetFields(flags).OrderBy(f => f.MetadataToken).Cast<MemberInfo>()
                .Concat(type.GetProperties(flags).OrderBy(p => p.MetadataToken));
            foreach (MemberInfo member in members)
            {
                Type memberType = member is FieldInfo f ? f.FieldType : ((PropertyInfo)member).PropertyType;
                memberType = Nullable.GetUnderlyingType(memberType) ?? memberType;
                var attributes = member.GetCustomAttributes(inherit: true)
                    .Where(a => a is RangeAttribute or ChoiceAttribute or BooleanChoiceAttribute or FixedAttribute)
                    .ToArray();
                if (attributes.Length == 0)
                    continue;
                if (attributes.Length > 1)
                    throw new ArgumentException($"{type.Name}.{member.Name} has more than one search-space attribute.", nameof(type));
                space.Add(FromAttribute(member.Name, memberType, attributes[0], type));
            }
            return space;
        }

        private static SearchParameter FromAttribute(string name, Type memberType, object attribute, Type owner)
        {
            string where = $"{owner.Name}.{name}";
            switch (attribute)
            {
                case RangeAttribute range:
                    double min = Convert.ToDouble(range.Min, System.Globalization.CultureInfo.InvariantCulture);
                    double max = Convert.ToDouble(range.Max, System.Globalization.CultureInfo.InvariantCulture);
                    if (memberType == typeof(int) || memberType == typeof(long))
                    {
                        if (min != Math.Floor(min) || max != Math.Floor(max) || min < int.MinValue || max > int.MaxValue)
                            throw new ArgumentException($"{where} is an integer, but its [Range] has bounds {min} and {max}.", nameof(owner));
                        return new RangeParameter(name, (int)min, (int)max, range.LogBase);
                    }
                    if (memberType == typeof(double) || memberType == typeof(float))
                        return new RangeParameter(name, min, max, range.LogBase);
                    throw new ArgumentException($"{where} has [Range] but is of type {memberType.Name}; use int, double or float.", nameof(owner));
                case ChoiceAttribute choice:
                    return new ChoiceParameter(name, choice.Candidates.Select(c => ValueConversion.ConvertTo(c, memberType, name)));
                case BooleanChoiceAttribute:
                    if (memberType != typeof(bool))
                        throw new ArgumentException($"{where} has [BooleanChoice] but is of type {memberType.Name}.", nameof(owner));
                    return new ChoiceParameter(name, new object[] { false, true });
                default:
                    return new FixedParameter(name, ValueConversion.ConvertTo(((FixedAttribute)attribute).Value, memberType, name));
            }
        }

        /// <summary>Reads an assignment of this space from the JSON values of a state file.</summary>
        internal ParameterAssignment FromJson(IReadOnlyDictionary<string, JsonElement> values)
        {
            var missing = _parameters.Where(p => !values.ContainsKey(p.Name)).Select(p => p.Name).ToArray();
            var extra = values.Keys.Where(k => !Contains(k)).ToArray();
            if (missing.Length > 0 || extra.Length > 0)
                throw new ArgumentException($"The stored assignment does not match the search space (missing: {string.Join(", ", missing)}; unknown: {string.Join(", ", extra)}).");
            return new ParameterAssignment(_parameters.Select(p => new KeyValuePair<string, object>(p.Name, p.FromJson(values[p.Name]))));
        }

        /// <summary>
        /// Checks that an assignment (from a tuner) sets exactly this space's parameters, with values inside
        /// them, and returns it in the space's order.
        /// </summary>
        internal ParameterAssignment Normalize(ParameterAssignment assignment, string source)
        {
            if (assignment.Count != _parameters.Count || _parameters.Any(p => !assignment.ContainsKey(p.Name)))
                throw new InvalidOperationException($"{source} proposed {{{assignment}}}, which does not set exactly the search space's parameters ({string.Join(", ", _parameters.Select(p => p.Name))}).");
            foreach (SearchParameter parameter in _parameters)
            {
                if (!parameter.Contains(assignment[parameter.Name]))
                    throw new InvalidOperationException($"{source} proposed {parameter.Name}={ValueConversion.Format(assignment[parameter.Name])}, outside {parameter}.");
            }
            return new ParameterAssignment(_parameters.Select(p => new KeyValuePair<string, object>(p.Name, assignment[p.Name])));
        }

        /// <inheritdoc/>
        public IEnumerator<SearchParameter> GetEnumerator() => _parameters.GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <summary>One line per parameter.</summary>
        public override string ToString() => string.Join(Environment.NewLine, _parameters);
    }
}
