using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// Asynchronous successive halving (ASHA; Li et al. 2020) that stops weak trials early by epochs.
    /// Assignments come from a sampler (random search by default, or any tuner such as a grid). Rungs are at
    /// <c>minEpochs * reductionFactor^k</c> epochs, below the trial budget. When a trial reaches a rung, it
    /// goes on only if its value there ranks in the top <c>max(1, floor(n / reductionFactor))</c> of the
    /// <c>n</c> values recorded at that rung by itself and the trials before it (lower ids); else it stops
    /// and is recorded as <see cref="TrialStatus.StoppedEarly"/>. The first trial therefore always trains
    /// fully, and about one trial in <c>reductionFactor</c> passes each rung.
    /// </summary>
    /// <remarks>
    /// "Before it" means lower ids, not earlier in time: the sweep waits, at a rung, until every lower-id
    /// trial has reached the rung or finished, so that the decisions (and the set of trials and epochs) are
    /// the same whether trials run one at a time, several at once, or across a resume.
    /// </remarks>
    public sealed class SuccessiveHalvingTuner : ITuner
    {
        /// <summary>Successive halving over a random search.</summary>
        /// <param name="minEpochs">The first rung, in epochs; at least 1.</param>
        /// <param name="reductionFactor">eta: rungs grow, and survivors shrink, by this factor; at least 2.</param>
        /// <param name="seed">Seed of the random search.</param>
        public SuccessiveHalvingTuner(int minEpochs = 1, int reductionFactor = 3, int seed = 0)
            : this(new RandomSearchTuner(seed), minEpochs, reductionFactor)
        {
        }

        /// <summary>Successive halving over the assignments of <paramref name="sampler"/>.</summary>
        /// <param name="sampler">Proposes the assignments (its own early stopping is not used).</param>
        /// <param name="minEpochs">The first rung, in epochs; at least 1.</param>
        /// <param name="reductionFactor">eta: rungs grow, and survivors shrink, by this factor; at least 2.</param>
        public SuccessiveHalvingTuner(ITuner sampler, int minEpochs = 1, int reductionFactor = 3)
        {
            Sampler = sampler ?? throw new ArgumentNullException(nameof(sampler));
            if (minEpochs < 1)
                throw new ArgumentOutOfRangeException(nameof(minEpochs), minEpochs, "The first rung must be at least 1 epoch.");
            if (reductionFactor < 2)
                throw new ArgumentOutOfRangeException(nameof(reductionFactor), reductionFactor, "The reduction factor must be at least 2.");
            MinEpochs = minEpochs;
            ReductionFactor = reductionFactor;
        }

        /// <summary>Proposes the assignments.</summary>
        public ITuner Sampler { get; }

        /// <summary>The first rung, in epochs.</summary>
        public int MinEpochs { get; }

        /// <summary>eta: the factor between rungs, and the inverse of the fraction that passes each rung.</summary>
        public int ReductionFactor { get; }

        /// <inheritdoc/>
        public string Description => string.Create(CultureInfo.InvariantCulture,
            $"SuccessiveHalving(minEpochs={MinEpochs}, reductionFactor={ReductionFactor}, sampler={Sampler.Description})");

        /// <inheritdoc/>
        public ParameterAssignment? Propose(SweepSearchSpace space, int trialId) => Sampler.Propose(space, trialId);

        /// <summary>The rungs below <paramref name="maxEpochs"/>: minEpochs, minEpochs * eta, ...</summary>
        public IReadOnlyList<int> GetDecisionEpochs(int maxEpochs)
        {
            var rungs = new List<int>();
            for (long rung = MinEpochs; rung < maxEpochs; rung *= ReductionFactor)
                rungs.Add((int)rung);
            return rungs;
        }

        /// <inheritdoc/>
        public bool ShouldContinue(EarlyStoppingContext context)
        {
            ArgumentNullException.ThrowIfNull(context);
            int recorded = context.EarlierValues.Count + 1;
            int promoted = Math.Max(1, recorded / ReductionFactor);
            int better = context.EarlierValues.Count(v => context.Metric.IsBetter(v, context.Value));
            return better < promoted;
        }
    }
}
