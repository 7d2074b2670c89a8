using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Linq;
using System.Reflection;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// The values one trial gets: option name to value, in the order of the search space (ML.NET's AutoML
    /// calls this a Parameter). <see cref="ApplyTo{TTarget}"/> writes the values into an options object.
    /// Two assignments are equal when they have the same names in the same order and equal values.
    /// </summary>
    public sealed class ParameterAssignment : IReadOnlyDictionary<string, object>, IEquatable<ParameterAssignment>
    {
        private readonly KeyValuePair<string, object>[] _items;
        private readonly Dictionary<string, object> _byName;

        /// <summary>Creates an assignment from name/value pairs (names unique, values not null).</summary>
        public ParameterAssignment(IEnumerable<KeyValuePair<string, object>> values)
        {
            _items = (values ?? throw new ArgumentNullException(nameof(values))).ToArray();
            _byName = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (var (name, value) in _items)
            {
                if (value is null)
                    throw new ArgumentException($"Parameter '{name}' has no value.", nameof(values));
                if (!_byName.TryAdd(name, value))
                    throw new ArgumentException($"Parameter '{name}' is assigned twice.", nameof(values));
            }
        }

        /// <summary>An assignment with no parameters.</summary>
        public static ParameterAssignment Empty { get; } = new(Array.Empty<KeyValuePair<string, object>>());

        /// <summary>The value of a parameter.</summary>
        public object this[string key] => _byName.TryGetValue(key, out object? value)
            ? value
            : throw new KeyNotFoundException($"The assignment has no parameter '{key}' (it has {string.Join(", ", Keys)}).");

        /// <summary>The parameter names, in search-space order.</summary>
        public IEnumerable<string> Keys => _items.Select(i => i.Key);

        /// <summary>The values, in search-space order.</summary>
        public IEnumerable<object> Values => _items.Select(i => i.Value);

        /// <summary>The number of parameters.</summary>
        public int Count => _items.Length;

        /// <summary>The value of a parameter converted to <typeparamref name="T"/> (an int range read as double, an enum choice read as string, ...).</summary>
        public T Get<T>(string name) => (T)ValueConversion.ConvertTo(this[name], typeof(T), name);

        /// <summary>
        /// Writes every value into the public field or writable property of the same name of
        /// <paramref name="target"/>, converted to its type (numbers between numeric types, enums from
        /// names). A name with no such member, or a value that does not convert, is an error naming it.
        /// </summary>
        /// <returns><paramref name="target"/>.</returns>
        public TTarget ApplyTo<TTarget>(TTarget target) where TTarget : class
        {
            ArgumentNullException.ThrowIfNull(target);
            Type type = target.GetType();
            foreach (var (name, value) in _items)
            {
                const BindingFlags flags = BindingFlags.Public | BindingFlags.Instance;
                if (type.GetField(name, flags) is FieldInfo field && !field.IsInitOnly && !field.IsLiteral)
                {
                    field.SetValue(target, ValueConversion.ConvertTo(value, field.FieldType, name));
                }
                else if (type.GetProperty(name, flags) is PropertyInfo property && property.SetMethod is { IsPublic: true })
                {
                    property.SetValue(target, ValueConversion.ConvertTo(value, property.PropertyType, name));
                }
                else
                {
                    throw new ArgumentException(
                        $"The search space sets '{name}', but {type.FullName} has no public writable field or property of that name.", name);
                }
            }
            return target;
        }

        /// <inheritdoc/>
        public bool ContainsKey(string key) => _byName.ContainsKey(key);

        /// <inheritdoc/>
        public bool TryGetValue(string key, [MaybeNullWhen(false)] out object value) => _byName.TryGetValue(key, out value);

        /// <inheritdoc/>
        public IEnumerator<KeyValuePair<string, object>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object>>)_items).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        /// <inheritdoc/>
        public bool Equals(ParameterAssignment? other)
        {
            if (other is null || other._items.Length != _items.Length)
                return false;
            for (int i = 0; i < _items.Length; i++)
            {
                if (_items[i].Key != other._items[i].Key || !_items[i].Value.Equals(other._items[i].Value))
                    return false;
            }
            return true;
        }

        /// <inheritdoc/>
        public override bool Equals(object? obj) => Equals(obj as ParameterAssignment);

        /// <inheritdoc/>
        public override int GetHashCode()
        {
            var hash = new HashCode();
            foreach (var (name, value) in _items)
            {
                hash.Add(name);
                hash.Add(value);
            }
            return hash.ToHashCode();
        }

        /// <summary>"LearningRate=0.001, ModelDimension=64" (invariant culture).</summary>
        public override string ToString() => string.Join(", ", _items.Select(i => $"{i.Key}={ValueConversion.Format(i.Value)}"));
    }
}
