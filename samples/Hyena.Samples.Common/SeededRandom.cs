using System;
using System.Collections.Generic;

namespace Hyena.Samples
{
    /// <summary>
    /// A small seeded pseudo-random generator (xoshiro256**, seeded through SplitMix64) whose output depends
    /// on the seed alone: the same on every machine, operating system and .NET version, unlike
    /// <see cref="Random"/> or anything built on <see cref="HashCode"/>.
    /// </summary>
    /// <remarks>Not thread-safe: give each thread its own instance (see <see cref="Derive(ulong, ulong)"/>).</remarks>
    public sealed class SeededRandom
    {
        private ulong _s0;
        private ulong _s1;
        private ulong _s2;
        private ulong _s3;

        /// <summary>Creates a generator from a 64-bit seed.</summary>
        /// <param name="seed">Any value; equal seeds give equal sequences.</param>
        public SeededRandom(ulong seed)
        {
            ulong state = seed;
            _s0 = SplitMix64(ref state);
            _s1 = SplitMix64(ref state);
            _s2 = SplitMix64(ref state);
            _s3 = SplitMix64(ref state);
        }

        /// <summary>Creates a generator from a 32-bit seed (negative seeds are allowed).</summary>
        /// <param name="seed">Any value; equal seeds give equal sequences.</param>
        public SeededRandom(int seed)
            : this(unchecked((ulong)(long)seed))
        {
        }

        /// <summary>
        /// Mixes a seed with a stream index (an example number, a class number...) into a new, well-spread
        /// seed, so that independent streams can be made in any order, or in parallel, reproducibly.
        /// </summary>
        /// <param name="seed">The base seed.</param>
        /// <param name="stream">The index of the stream.</param>
        /// <returns>A seed for <see cref="SeededRandom(ulong)"/>.</returns>
        public static ulong Derive(ulong seed, ulong stream)
        {
            ulong state = seed ^ unchecked(stream * 0xD1B54A32D192ED03UL);
            _ = SplitMix64(ref state);
            return SplitMix64(ref state);
        }

        /// <summary>Returns the next 64 random bits.</summary>
        /// <returns>A uniformly distributed 64-bit value.</returns>
        public ulong NextUInt64()
        {
            ulong result = RotateLeft(_s1 * 5, 7) * 9;
            ulong t = _s1 << 17;
            _s2 ^= _s0;
            _s3 ^= _s1;
            _s1 ^= _s2;
            _s0 ^= _s3;
            _s2 ^= t;
            _s3 = RotateLeft(_s3, 45);
            return result;
        }

        /// <summary>Returns a uniformly distributed integer in [0, <paramref name="maxExclusive"/>), without modulo bias.</summary>
        /// <param name="maxExclusive">The exclusive upper bound; must be positive.</param>
        /// <returns>An integer in [0, <paramref name="maxExclusive"/>).</returns>
        public int NextInt(int maxExclusive)
        {
            if (maxExclusive <= 0)
                throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, "The upper bound must be positive.");

            // Lemire's multiply-and-reject method on the high 32 bits.
            uint range = (uint)maxExclusive;
            ulong product = (NextUInt64() >> 32) * range;
            uint low = (uint)product;
            if (low < range)
            {
                uint threshold = unchecked(0u - range) % range;
                while (low < threshold)
                {
                    product = (NextUInt64() >> 32) * range;
                    low = (uint)product;
                }
            }

            return (int)(product >> 32);
        }

        /// <summary>Returns a uniformly distributed integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>).</summary>
        /// <param name="minInclusive">The inclusive lower bound.</param>
        /// <param name="maxExclusive">The exclusive upper bound; must exceed <paramref name="minInclusive"/>.</param>
        /// <returns>An integer in the range.</returns>
        public int NextInt(int minInclusive, int maxExclusive)
        {
            if (maxExclusive <= minInclusive)
                throw new ArgumentOutOfRangeException(nameof(maxExclusive), maxExclusive, $"The upper bound must exceed the lower bound {minInclusive}.");

            return minInclusive + NextInt(maxExclusive - minInclusive);
        }

        /// <summary>Returns a uniformly distributed double in [0, 1), with 53 random bits.</summary>
        /// <returns>A double in [0, 1).</returns>
        public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

        /// <summary>Shuffles a list in place (Fisher-Yates).</summary>
        /// <typeparam name="T">The element type.</typeparam>
        /// <param name="list">The list to shuffle.</param>
        public void Shuffle<T>(IList<T> list)
        {
            ArgumentNullException.ThrowIfNull(list);
            for (int i = list.Count - 1; i > 0; i--)
            {
                int j = NextInt(i + 1);
                (list[i], list[j]) = (list[j], list[i]);
            }
        }

        private static ulong SplitMix64(ref ulong state)
        {
            ulong z = state += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        private static ulong RotateLeft(ulong value, int count) => (value << count) | (value >> (64 - count));
    }
}
