using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// Visits every point of a grid once, in order (the last parameter varies fastest): every value of a
    /// choice, the fixed values, and <see cref="StepsPerRange"/> points of each range (evenly spaced on its
    /// linear or log scale, both ends included; every integer when an integer range has fewer). The sweep
    /// ends when the grid is done (or at a budget). Never stops trials early.
    /// </summary>
    public sealed class GridSearchTuner : ITuner
    {
        /// <summary>Creates a grid search.</summary>
        /// <param name="stepsPerRange">Points per range; at least 2.</param>
        public GridSearchTuner(int stepsPerRange = 5)
        {
            if (stepsPerRange < 2)
                throw new ArgumentOutOfRangeException(nameof(stepsPerRange), stepsPerRange, "A grid needs at least 2 points per range.");
            StepsPerRange = stepsPerRange;
        }

        /// <summary>Points per range.</summary>
        public int StepsPerRange { get; }

        /// <inheritdoc/>
        public string Description => string.Create(CultureInfo.InvariantCulture, $"GridSearch(stepsPerRange={StepsPerRange})");

        /// <summary>The number of grid points of <paramref name="space"/>.</summary>
        public long CountPoints(SweepSearchSpace space)
        {
            ArgumentNullException.ThrowIfNull(space);
            long count = 1;
            foreach (SearchParameter parameter in space)
                count = checked(count * parameter.GridPoints(StepsPerRange).Count);
            return count;
        }

        /// <inheritdoc/>
        public ParameterAssignment? Propose(SweepSearchSpace space, int trialId)
        {
            ArgumentNullException.ThrowIfNull(space);
            if (trialId < 0)
                throw new ArgumentOutOfRangeException(nameof(trialId), trialId, "Trial ids start at 0.");
            if (trialId >= CountPoints(space))
                return null;
            var points = space.Select(p => p.GridPoints(StepsPerRange)).ToArray();
            var values = new KeyValuePair<string, object>[points.Length];
            long rest = trialId;
            for (int i = points.Length - 1; i >= 0; i--)
            {
                values[i] = new(space[i].Name, points[i][(int)(rest % points[i].Count)]);
                rest /= points[i].Count;
            }
            return new ParameterAssignment(values);
        }

        /// <inheritdoc/>
        public IReadOnlyList<int> GetDecisionEpochs(int maxEpochs) => Array.Empty<int>();

        /// <inheritdoc/>
        public bool ShouldContinue(EarlyStoppingContext context) => true;
    }
}
