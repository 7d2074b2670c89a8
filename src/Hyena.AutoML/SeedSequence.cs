namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// Deterministic seeds and random numbers derived from (seed, stream, trial id) with SplitMix64, so that
    /// what a trial gets depends on its id only, never on which trials ran before it, in which order, or in
    /// which process. The algorithm is fixed here (not System.Random) so that sweeps stay reproducible across
    /// .NET versions.
    /// </summary>
    internal static class SeedSequence
    {
        /// <summary>Stream of the seeds handed to trials.</summary>
        public const ulong TrialSeedStream = 0x7472_6961_6C73_6565; // "trialsee"

        /// <summary>Stream of the random search's samples.</summary>
        public const ulong RandomSearchStream = 0x7261_6E64_7365_6172; // "randsear"

        /// <summary>The seed of trial <paramref name="trialId"/>: a non-negative int.</summary>
        public static int TrialSeed(int sweepSeed, int trialId)
            => (int)(new Generator(sweepSeed, TrialSeedStream, trialId).NextUInt64() & 0x7FFF_FFFF);

        /// <summary>A SplitMix64 generator.</summary>
        public struct Generator
        {
            private ulong _state;

            /// <summary>A generator for (seed, stream, id).</summary>
            public Generator(int seed, ulong stream, int id)
            {
                _state = Mix((ulong)(uint)seed ^ Mix(stream ^ Mix((ulong)(uint)id + 0x632B_E59B_D9B4_E019UL)));
            }

            /// <summary>The next 64 random bits.</summary>
            public ulong NextUInt64()
            {
                _state += 0x9E37_79B9_7F4A_7C15UL;
                return Mix(_state);
            }

            /// <summary>A double uniform in [0, 1), with 53 random bits.</summary>
            public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

            private static ulong Mix(ulong z)
            {
                z = (z ^ (z >> 30)) * 0xBF58_476D_1CE4_E5B9UL;
                z = (z ^ (z >> 27)) * 0x94D0_49BB_1331_11EBUL;
                return z ^ (z >> 31);
            }
        }
    }
}
