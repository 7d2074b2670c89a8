using System;

namespace Microsoft.ML.Hyena
{
    /// <summary>Linear warm-up from 0 to the peak rate, then cosine decay to 0 by the last step.</summary>
    internal sealed class LearningRateSchedule
    {
        private long _totalSteps;
        private readonly long _warmupSteps;

        public LearningRateSchedule(long totalSteps, double warmupFraction)
        {
            if (totalSteps < 1)
                throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "must be at least 1");
            _totalSteps = totalSteps;
            _warmupSteps = (long)Math.Round(totalSteps * warmupFraction);
        }

        /// <summary>Steps the decay ends at.</summary>
        public long TotalSteps => _totalSteps;

        /// <summary>Moves the end of the decay (a time budget allows fewer steps than planned); the warm-up keeps its length.</summary>
        public void Replan(long totalSteps) => _totalSteps = Math.Max(Math.Max(1, _warmupSteps), totalSteps);

        /// <summary>Multiplier of the peak learning rate at 0-based step <paramref name="step"/>.</summary>
        public double Factor(long step)
        {
            if (step < _warmupSteps)
                return (step + 1.0) / _warmupSteps;
            long decaySteps = Math.Max(1, _totalSteps - _warmupSteps);
            double progress = Math.Min(1.0, (double)(step - _warmupSteps) / decaySteps);
            return 0.5 * (1 + Math.Cos(Math.PI * progress));
        }
    }
}
