using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// Samples every parameter independently: ranges uniformly on their linear or log scale, choices
    /// uniformly. Trial <c>i</c>'s assignment depends only on the seed and <c>i</c>, so the same seed gives
    /// the same trials in any order, in parallel, or after a resume. Never stops trials early.
    /// </summary>
    public sealed class RandomSearchTuner : ITuner
    {
        /// <summary>Creates a random search.</summary>
        public RandomSearchTuner(int seed = 0) => Seed = seed;

        /// <summary>The seed.</summary>
        public int Seed { get; }

        /// <inheritdoc/>
        public string Description => string.Create(CultureInfo.InvariantCulture, $"RandomSearch(seed={Seed})");

        /// <inheritdoc/>
        public ParameterAssignment? Propose(SweepSearchSpace space, int trialId)
        {
            ArgumentNullException.ThrowIfNull(space);
            if (trialId < 0)
                throw new ArgumentOutOfRangeException(nameof(trialId), trialId, "Trial ids start at 0.");
            var random = new SeedSequence.Generator(Seed, SeedSequence.RandomSearchStream, trialId);
            return new ParameterAssignment(space
                .Select(p => new KeyValuePair<string, object>(p.Name, p.Sample(random.NextDouble())))
                .ToArray());
        }

        /// <inheritdoc/>
        public IReadOnlyList<int> GetDecisionEpochs(int maxEpochs) => Array.Empty<int>();

        /// <inheritdoc/>
        public bool ShouldContinue(EarlyStoppingContext context) => true;
    }
}
