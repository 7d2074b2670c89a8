using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Hyena.Samples
{
    /// <summary>
    /// Generates the associative-recall task of the Hyena paper (Poli et al., 2023): a vocabulary of V tokens, the
    /// first V/2 ids being keys and the other V/2 values. Each example draws a fresh random key-to-value mapping
    /// (each key's value uniform over the values, independently), then (L-1)/2 (key, value) pairs whose keys are
    /// drawn uniformly at random with repetition, each followed by its value under that mapping, then one query
    /// key chosen uniformly among the keys that appeared. The answer is the query key's value.
    /// </summary>
    /// <remarks>
    /// An example has <see cref="TokenCount"/> = 2 * ((L - 1) / 2) + 1 tokens: L when L is odd, L - 1 when L is
    /// even. Example <c>i</c> depends only on the seed and <c>i</c>, so examples can be made in any order or in
    /// parallel and are the same on every machine; use different seeds (or index ranges) for train and test.
    /// </remarks>
    public sealed class AssociativeRecall
    {
        /// <summary>The vocabulary size of the Hyena paper.</summary>
        public const int DefaultVocabularySize = 30;

        private readonly ulong _seed;

        /// <summary>Creates a generator.</summary>
        /// <param name="sequenceLength">L, at least 3 (one pair and the query).</param>
        /// <param name="vocabularySize">V, even and at least 4: V/2 keys and V/2 values.</param>
        /// <param name="seed">The seed; equal seeds give equal examples.</param>
        public AssociativeRecall(int sequenceLength, int vocabularySize = DefaultVocabularySize, int seed = 0)
        {
            if (sequenceLength < 3)
                throw new ArgumentOutOfRangeException(nameof(sequenceLength), sequenceLength, "The sequence length must be at least 3: one (key, value) pair and the query key.");
            if (vocabularySize < 4 || vocabularySize % 2 != 0)
                throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, "The vocabulary size must be even and at least 4 (half keys, half values).");

            SequenceLength = sequenceLength;
            VocabularySize = vocabularySize;
            Seed = seed;
            _seed = unchecked((ulong)(long)seed);
        }

        /// <summary>The requested sequence length L.</summary>
        public int SequenceLength { get; }

        /// <summary>The vocabulary size V.</summary>
        public int VocabularySize { get; }

        /// <summary>The seed.</summary>
        public int Seed { get; }

        /// <summary>The number of keys, V/2: key ids are 0 to V/2 - 1.</summary>
        public int KeyCount => VocabularySize / 2;

        /// <summary>The first value id, V/2: value ids are V/2 to V - 1, and the class of value v is v - V/2.</summary>
        public int FirstValueId => VocabularySize / 2;

        /// <summary>The number of (key, value) pairs of an example, (L - 1) / 2.</summary>
        public int PairCount => (SequenceLength - 1) / 2;

        /// <summary>The number of tokens of an example: 2 * <see cref="PairCount"/> + 1.</summary>
        public int TokenCount => (2 * PairCount) + 1;

        /// <summary>Makes example number <paramref name="index"/>.</summary>
        /// <param name="index">The example's index, 0 or more.</param>
        /// <returns>The example.</returns>
        public AssociativeRecallExample GetExample(long index)
        {
            if (index < 0)
                throw new ArgumentOutOfRangeException(nameof(index), index, "The index must not be negative.");

            var rng = new SeededRandom(SeededRandom.Derive(_seed, (ulong)index));
            int keys = KeyCount;
            int firstValue = FirstValueId;

            Span<int> valueOf = stackalloc int[keys];
            for (int k = 0; k < keys; k++)
                valueOf[k] = firstValue + rng.NextInt(keys);

            Span<bool> seen = stackalloc bool[keys];
            var tokens = new int[TokenCount];
            int pairs = PairCount;
            for (int p = 0; p < pairs; p++)
            {
                int key = rng.NextInt(keys);
                tokens[2 * p] = key;
                tokens[(2 * p) + 1] = valueOf[key];
                seen[key] = true;
            }

            int seenCount = 0;
            for (int k = 0; k < keys; k++)
                seenCount += seen[k] ? 1 : 0;

            int pick = rng.NextInt(seenCount);
            int query = -1;
            for (int k = 0; k < keys; k++)
            {
                if (seen[k] && pick-- == 0)
                {
                    query = k;
                    break;
                }
            }

            tokens[^1] = query;
            int value = valueOf[query];
            return new AssociativeRecallExample(tokens, value, value - firstValue);
        }

        /// <summary>Makes examples <paramref name="firstIndex"/> to <paramref name="firstIndex"/> + <paramref name="count"/> - 1, in parallel.</summary>
        /// <param name="count">The number of examples.</param>
        /// <param name="firstIndex">The index of the first example.</param>
        /// <returns>The examples, in index order.</returns>
        public IReadOnlyList<AssociativeRecallExample> Generate(int count, long firstIndex = 0)
        {
            if (count < 0)
                throw new ArgumentOutOfRangeException(nameof(count), count, "The count must not be negative.");
            if (firstIndex < 0)
                throw new ArgumentOutOfRangeException(nameof(firstIndex), firstIndex, "The first index must not be negative.");

            var examples = new AssociativeRecallExample[count];
            Parallel.For(0, count, i => examples[i] = GetExample(firstIndex + i));
            return examples;
        }

        /// <summary>Finds the answer of a token sequence by reading it: the value that follows the last token where it occurs as a key.</summary>
        /// <param name="tokens">Pairs then a query key, as made by this generator.</param>
        /// <returns>The value token id, or -1 when the query key does not occur among the pairs.</returns>
        public static int FindAnswer(IReadOnlyList<int> tokens)
        {
            ArgumentNullException.ThrowIfNull(tokens);
            if (tokens.Count == 0)
                throw new ArgumentException("The sequence is empty.", nameof(tokens));

            int query = tokens[^1];
            for (int p = tokens.Count - 3; p >= 0; p -= 2)
            {
                if (tokens[p] == query)
                    return tokens[p + 1];
            }

            return -1;
        }
    }
}
