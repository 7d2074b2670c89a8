using System;

namespace Hyena.Samples
{
    /// <summary>
    /// One associative-recall example: (key, value) pairs, then a query key; the answer is the value that followed
    /// that key in the pairs.
    /// </summary>
    public sealed class AssociativeRecallExample
    {
        /// <summary>Creates an example.</summary>
        /// <param name="tokens">The token ids: the pairs, then the query key.</param>
        /// <param name="value">The answer: the query key's value, as a token id.</param>
        /// <param name="labelClass">The answer as a class index, 0 to (vocabulary size / 2) - 1.</param>
        public AssociativeRecallExample(int[] tokens, int value, int labelClass)
        {
            Tokens = tokens ?? throw new ArgumentNullException(nameof(tokens));
            if (tokens.Length == 0)
                throw new ArgumentException("An example has at least one token.", nameof(tokens));
            Value = value;
            LabelClass = labelClass;
        }

        /// <summary>The token ids, in [0, vocabulary size): key, value, key, value, ..., query key.</summary>
        public int[] Tokens { get; }

        /// <summary>The query key: the last token.</summary>
        public int QueryKey => Tokens[^1];

        /// <summary>The answer as a token id (a value id, in [vocabulary size / 2, vocabulary size)).</summary>
        public int Value { get; }

        /// <summary>The answer as a class index: <see cref="Value"/> minus the number of keys.</summary>
        public int LabelClass { get; }
    }
}
