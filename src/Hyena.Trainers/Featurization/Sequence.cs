using System;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// One featurized row: token ids (id 0 is padding, so real tokens are 1 and up) or values
    /// (positions x channels, flattened position by position). Length may be 0 (an empty sequence).
    /// </summary>
    internal readonly struct Sequence
    {
        private Sequence(int[]? tokens, float[]? values, int length)
        {
            Tokens = tokens;
            Values = values;
            Length = length;
        }

        /// <summary>Token ids, or null for a value sequence.</summary>
        public int[]? Tokens { get; }

        /// <summary>Values, positions x channels, or null for a token sequence.</summary>
        public float[]? Values { get; }

        /// <summary>Number of positions.</summary>
        public int Length { get; }

        public static Sequence FromTokens(int[] tokens) => new(tokens ?? throw new ArgumentNullException(nameof(tokens)), null, tokens.Length);

        public static Sequence FromValues(float[] values, int channels)
        {
            if (values is null)
                throw new ArgumentNullException(nameof(values));
            if (channels < 1 || values.Length % channels != 0)
                throw new ArgumentException($"{values.Length} values do not split into positions of {channels} channels.", nameof(values));
            return new(null, values, values.Length / channels);
        }
    }
}
