using System;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// Marks a field or property of a search-space class as a fixed value that every trial gets
    /// (see <see cref="SweepSearchSpace.FromAttributes{T}"/>); it completes ML.NET's own
    /// <c>[Range]</c>, <c>[Choice]</c> and <c>[BooleanChoice]</c> attributes of Microsoft.ML.SearchSpace.
    /// </summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, Inherited = false, AllowMultiple = false)]
    public sealed class FixedAttribute : Attribute
    {
        /// <summary>Fixes the member to <paramref name="value"/> (converted to the member's type).</summary>
        public FixedAttribute(object value) => Value = value;

        /// <summary>The value.</summary>
        public object Value { get; }
    }
}
