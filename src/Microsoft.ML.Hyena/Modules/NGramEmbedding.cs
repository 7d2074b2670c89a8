using System;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Modules
{
    /// <summary>
    /// Hashed n-gram embedding (as fastText's subword buckets, here over token ids): at every position
    /// t, the n-grams ending there (tokens t - n + 1 .. t, for n = 2 .. <see cref="Order"/>) are hashed
    /// into one shared table of <see cref="Buckets"/> rows, and their rows are summed. Added to a
    /// token embedding it gives each position its local context before any block runs: a byte-level
    /// model sees "viagra" or "http://" at the position where it ends, instead of having to assemble
    /// it from single bytes.
    /// </summary>
    /// <remarks>
    /// Causal: position t reads only tokens up to t (positions before the start hash as a start marker,
    /// distinct from padding id 0), so right-padding never changes a valid position. The table is
    /// initialised N(0, 1 / (Order - 1)) so that the summed n-gram part has about unit variance, as a
    /// token embedding has. Collisions are by design (a fixed table whatever the vocabulary of n-grams).
    /// </remarks>
    public sealed class NGramEmbedding : nn.Module<Tensor, Tensor>
    {
        // A Mersenne prime keeps every intermediate product of the hash below 2^63.
        private const long Modulus = 2_147_483_647;
        private const long Scramble = 1_500_450_271;

        [ComponentName(Name = "weight")]
        private readonly Parameter _weight;

        /// <summary>
        /// Creates the embedding for ids in [0, <paramref name="vocabularySize"/>), n-grams of 2 to
        /// <paramref name="order"/> tokens and a table of <paramref name="buckets"/> rows of <paramref name="width"/>.
        /// </summary>
        public NGramEmbedding(long vocabularySize, int order, int buckets, long width, string name = "ngram_embedding") : base(name)
        {
            if (vocabularySize < 1)
                throw new ArgumentOutOfRangeException(nameof(vocabularySize), vocabularySize, "must be at least 1");
            if (order < 2)
                throw new ArgumentOutOfRangeException(nameof(order), order, "must be at least 2 (bigrams)");
            if (buckets < 1)
                throw new ArgumentOutOfRangeException(nameof(buckets), buckets, "must be at least 1");
            if (width < 1)
                throw new ArgumentOutOfRangeException(nameof(width), width, "must be at least 1");
            VocabularySize = vocabularySize;
            Order = order;
            Buckets = buckets;
            _weight = nn.Parameter(randn(buckets, width).mul_(1.0 / Math.Sqrt(order - 1)));
            RegisterComponents();
        }

        /// <summary>Number of token ids the hash expects (ids in [0, VocabularySize)).</summary>
        public long VocabularySize { get; }

        /// <summary>Longest n-gram hashed (2 = bigrams only).</summary>
        public int Order { get; }

        /// <summary>Rows of the shared table.</summary>
        public int Buckets { get; }

        /// <summary>The table (Buckets, width).</summary>
        public Parameter Weight => _weight;

        /// <summary>Sum of the n-gram rows at every position: ids (batch, length) int64 → (batch, length, width).</summary>
        public override Tensor forward(Tensor ids)
        {
            using var scope = NewDisposeScope();
            Tensor? sum = null;
            foreach (var bucket in BucketIds(ids))
            {
                var rows = _weight.index_select(0, bucket.flatten()).view(bucket.size(0), bucket.size(1), _weight.size(1));
                sum = sum is null ? rows : sum.add_(rows);
            }
            return scope.MoveToOuter(sum!);
        }

        /// <summary>
        /// The table row of each n-gram, one (batch, length) int64 tensor per n = 2 .. Order: a
        /// polynomial hash of the n ids ending at each position (ids before the start count as a start
        /// marker), mixed with n and reduced to [0, Buckets).
        /// </summary>
        public Tensor[] BucketIds(Tensor ids)
        {
            if (ids.dim() != 2 || ids.dtype != ScalarType.Int64)
                throw new ArgumentException($"Expected token ids of shape (batch, length) and type Int64; got ({string.Join(", ", ids.shape)}) {ids.dtype}.", nameof(ids));
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            long length = ids.size(1);
            long radix = VocabularySize + 2; // digits: 0 before the start, id + 1 for an id
            var digits = ids + 1;
            var hash = digits.clone();
            var result = new Tensor[Order - 1];
            for (int n = 2; n <= Order; n++)
            {
                // The digit n - 1 positions back; before the start it is 0.
                var back = nn.functional.pad(digits, new long[] { n - 1, 0 }).narrow(1, 0, length);
                hash = (hash * radix + back).remainder_(Modulus);
                var mixed = (hash + n * 7919L).remainder_(Modulus).mul_(Scramble).remainder_(Modulus).remainder_(Buckets);
                result[n - 2] = mixed;
            }
            scope.MoveToOuter(result);
            return result;
        }
    }
}
