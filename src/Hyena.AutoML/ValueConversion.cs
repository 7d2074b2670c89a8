using System;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// How parameter values are converted to the type of an options field, formatted (invariant culture)
    /// and written to / compared in JSON. Values are int, long, double, float, bool, string or enums.
    /// </summary>
    internal static class ValueConversion
    {
        /// <summary>JSON settings of the sweep state: enums by name, NaN and infinities allowed, camelCase.</summary>
        public static JsonSerializerOptions Json { get; } = CreateJsonOptions();

        private static JsonSerializerOptions CreateJsonOptions()
        {
            var options = new JsonSerializerOptions
            {
                WriteIndented = true,
                PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
                NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
                DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            };
            options.Converters.Add(new JsonStringEnumConverter());
            return options;
        }

        /// <summary>Whether a value of this type can be a parameter value.</summary>
        public static bool IsSupported(Type type)
            => type == typeof(int) || type == typeof(long) || type == typeof(double) || type == typeof(float)
               || type == typeof(bool) || type == typeof(string) || type.IsEnum;

        /// <summary>The value as JSON (numbers, strings, booleans; enums by name).</summary>
        public static JsonElement ToJson(object value) => JsonSerializer.SerializeToElement(value, value.GetType(), Json);

        /// <summary>The value's JSON text, used to compare values read back from a state file.</summary>
        public static string CanonicalJson(object value) => ToJson(value).GetRawText();

        /// <summary>The value in invariant culture (doubles round-trip).</summary>
        public static string Format(object value) => value switch
        {
            double d => d.ToString("R", CultureInfo.InvariantCulture),
            float f => f.ToString("R", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };

        /// <summary>Whether a value is an integral or floating-point number.</summary>
        public static bool IsNumber(object value) => value is int or long or double or float or short or byte or decimal;

        /// <summary>
        /// Converts <paramref name="value"/> to <paramref name="target"/> (nullable targets take their underlying
        /// type): numbers between numeric types (a fractional number never becomes an integer), enums from their
        /// names or numbers, anything to string. Errors name <paramref name="name"/>.
        /// </summary>
        public static object ConvertTo(object value, Type target, string name)
        {
            if (value is null)
                throw new ArgumentNullException(nameof(value), $"Parameter '{name}' has no value.");
            Type type = Nullable.GetUnderlyingType(target) ?? target;
            if (type.IsInstanceOfType(value))
                return value;
            try
            {
                if (type.IsEnum)
                {
                    if (value is string s)
                        return Enum.Parse(type, s, ignoreCase: false);
                    if (value is int or long)
                        return Enum.ToObject(type, value);
                }
                else if (type == typeof(string))
                {
                    return Format(value);
                }
                else if (IsNumber(value) && (type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(byte)))
                {
                    double d = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                    if (d != Math.Floor(d))
                        throw new InvalidCastException($"{Format(value)} is not a whole number.");
                    return Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
                }
                else if (IsNumber(value) && (type == typeof(double) || type == typeof(float) || type == typeof(decimal)))
                {
                    return Convert.ChangeType(value, type, CultureInfo.InvariantCulture);
                }
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidCastException or OverflowException or FormatException)
            {
                throw new ArgumentException(
                    $"Parameter '{name}': the value {Format(value)} ({value.GetType().Name}) cannot be converted to {type.Name}: {ex.Message}", name, ex);
            }
            throw new ArgumentException(
                $"Parameter '{name}': the value {Format(value)} ({value.GetType().Name}) cannot be converted to {type.Name}.", name);
        }
    }
}
