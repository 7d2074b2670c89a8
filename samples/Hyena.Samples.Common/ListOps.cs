using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Hyena.Samples
{
    /// <summary>
    /// Generates ListOps expressions following the Long Range Arena recipe (Tay et al., 2021; Nangia and Bowman,
    /// 2018): a random tree whose node at depth d (the root at depth 1) is, while d is below the maximum depth,
    /// an operator with probability 1/4 and otherwise a digit 0-9; an operator, uniform over MIN, MAX, MED and SM,
    /// takes 2 to <see cref="MaxArguments"/> arguments (uniform), each a subtree one level deeper; at the maximum
    /// depth every node is a digit. Trees are drawn until one has strictly more than <see cref="MinLength"/> and
    /// strictly fewer than <see cref="MaxLength"/> tokens (as in LRA: 500 &lt; length &lt; 2000 by default);
    /// tokens are operators, digits and "]" (LRA's parentheses are left out, as its input pipelines do).
    /// </summary>
    /// <remarks>
    /// Example <c>i</c> depends only on the seed and <c>i</c>: the same on every machine, in any order or in
    /// parallel. Use different seeds for train, validation and test.
    /// </remarks>
    public sealed class ListOps
    {
        /// <summary>LRA's minimum length (exclusive).</summary>
        public const int DefaultMinLength = 500;

        /// <summary>LRA's maximum length (exclusive).</summary>
        public const int DefaultMaxLength = 2000;

        /// <summary>LRA's maximum tree depth.</summary>
        public const int DefaultMaxDepth = 10;

        /// <summary>LRA's maximum number of arguments of an operator.</summary>
        public const int DefaultMaxArguments = 10;

        /// <summary>The probability that a node above the maximum depth is an operator (LRA: a value with probability 0.75).</summary>
        public const double OperatorProbability = 0.25;

        private static readonly int[] _operatorIds =
        {
            ListOpsVocabulary.MinId, ListOpsVocabulary.MaxId, ListOpsVocabulary.MedianId, ListOpsVocabulary.SumModId,
        };

        private readonly ulong _seed;

        /// <summary>Creates a generator.</summary>
        /// <param name="seed">The seed; equal seeds give equal examples.</param>
        /// <param name="minLength">Examples have more tokens than this (exclusive bound, 0 or more).</param>
        /// <param name="maxLength">Examples have fewer tokens than this (exclusive bound); at least <paramref name="minLength"/> + 2.</param>
        /// <param name="maxDepth">The maximum tree depth, 2 or more (the root is at depth 1; digits only at this depth).</param>
        /// <param name="maxArguments">The maximum number of arguments of an operator, 2 or more.</param>
        public ListOps(int seed = 0, int minLength = DefaultMinLength, int maxLength = DefaultMaxLength, int maxDepth = DefaultMaxDepth, int maxArguments = DefaultMaxArguments)
        {
            if (minLength < 0)
                throw new ArgumentOutOfRangeException(nameof(minLength), minLength, "The minimum length must not be negative.");
            if (maxLength < minLength + 2)
                throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, $"The maximum length (exclusive) must be at least the minimum length (exclusive) + 2 = {minLength + 2}.");
            if (maxDepth < 2)
                throw new ArgumentOutOfRangeException(nameof(maxDepth), maxDepth, "The maximum depth must be at least 2.");
            if (maxArguments < 2)
                throw new ArgumentOutOfRangeException(nameof(maxArguments), maxArguments, "An operator takes at least 2 arguments.");

            Seed = seed;
            MinLength = minLength;
            MaxLength = maxLength;
            MaxDepth = maxDepth;
            MaxArguments = maxArguments;
            _seed = unchecked((ulong)(long)seed);
        }

        /// <summary>The seed.</summary>
        public int Seed { get; }

        /// <summary>Examples have more tokens than this.</summary>
        public int MinLength { get; }

        /// <summary>Examples have fewer tokens than this.</summary>
        public int MaxLength { get; }

        /// <summary>The maximum tree depth.</summary>
        public int MaxDepth { get; }

        /// <summary>The maximum number of arguments of an operator.</summary>
        public int MaxArguments { get; }

        /// <summary>Makes example number <paramref name="index"/>: the first tree drawn from its own random stream whose length is within bounds.</summary>
        /// <param name="index">The example's index, 0 or more.</param>
        /// <returns>The example.</returns>
        public ListOpsExample GetExample(long index)
        {
            if (index < 0)
                throw new ArgumentOutOfRangeException(nameof(index), index, "The index must not be negative.");

            var rng = new SeededRandom(SeededRandom.Derive(_seed, (ulong)index));
            var ids = new List<int>(MaxLength);
            while (true)
            {
                ids.Clear();
                if (Grow(ids, 1, rng) && ids.Count > MinLength && ids.Count < MaxLength)
                    break;
            }

            var tokens = new string[ids.Count];
            for (int i = 0; i < tokens.Length; i++)
                tokens[i] = ListOpsVocabulary.GetToken(ids[i]);
            return new ListOpsExample(tokens, ListOpsEvaluator.Evaluate(tokens));
        }

        /// <summary>
        /// Makes <paramref name="count"/> distinct examples (as LRA does): examples <paramref name="firstIndex"/>,
        /// <paramref name="firstIndex"/> + 1, ..., skipping any that repeats an earlier one's tokens.
        /// </summary>
        /// <param name="count">The number of examples.</param>
        /// <param name="firstIndex">The index of the first example tried.</param>
        /// <returns>The examples, in index order.</returns>
        public IReadOnlyList<ListOpsExample> Generate(int count, long firstIndex = 0)
        {
            if (count < 0)
                throw new ArgumentOutOfRangeException(nameof(count), count, "The count must not be negative.");
            if (firstIndex < 0)
                throw new ArgumentOutOfRangeException(nameof(firstIndex), firstIndex, "The first index must not be negative.");

            var result = new List<ListOpsExample>(count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            long next = firstIndex;
            while (result.Count < count)
            {
                int batch = count - result.Count;
                var examples = new ListOpsExample[batch];
                long start = next;
                Parallel.For(0, batch, i => examples[i] = GetExample(start + i));
                next += batch;
                foreach (ListOpsExample example in examples)
                {
                    if (seen.Add(example.Text))
                        result.Add(example);
                }
            }

            return result;
        }

        // Appends a subtree's ids in prefix order; false as soon as the sequence reaches MaxLength (it is then rejected,
        // which leaves the distribution of accepted trees unchanged).
        private bool Grow(List<int> ids, int depth, SeededRandom rng)
        {
            if (ids.Count >= MaxLength)
                return false;

            if (depth >= MaxDepth || rng.NextDouble() >= OperatorProbability)
            {
                ids.Add(ListOpsVocabulary.FirstDigitId + rng.NextInt(10));
                return true;
            }

            int arguments = rng.NextInt(2, MaxArguments + 1);
            ids.Add(_operatorIds[rng.NextInt(_operatorIds.Length)]);
            for (int a = 0; a < arguments; a++)
            {
                if (!Grow(ids, depth + 1, rng))
                    return false;
            }

            ids.Add(ListOpsVocabulary.CloseId);
            return ids.Count < MaxLength;
        }
    }
}
