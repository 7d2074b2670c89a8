using System;
using System.Collections.Generic;

namespace Hyena.Samples
{
    /// <summary>Reproducible train/test splits.</summary>
    public static class DataSplit
    {
        /// <summary>
        /// Splits items into train and test sets, class by class, so that each class keeps the same share in both.
        /// For each class (taken in ordinal order of the label), <c>round(n * testFraction)</c> of its n items
        /// (rounded half away from zero), chosen by a <see cref="SeededRandom"/> shuffle, go to the test set. The
        /// result depends only on the items' order, their labels, the fraction and the seed: it is the same on every
        /// run and machine (no <see cref="HashCode"/>, no dictionary order). Both sets keep the input order; shuffle
        /// the training set yourself if your trainer does not.
        /// </summary>
        /// <typeparam name="T">The item type.</typeparam>
        /// <param name="items">The items to split.</param>
        /// <param name="labelOf">Gives an item's label (compared ordinally).</param>
        /// <param name="testFraction">The share of each class that goes to the test set, in [0, 1]; 0.2 for an 80/20 split.</param>
        /// <param name="seed">The seed of the shuffle.</param>
        /// <returns>The training and test items.</returns>
        public static TrainTestSplit<T> Stratified<T>(IReadOnlyList<T> items, Func<T, string> labelOf, double testFraction = 0.2, int seed = 42)
        {
            ArgumentNullException.ThrowIfNull(items);
            ArgumentNullException.ThrowIfNull(labelOf);
            return Split(items, i => labelOf(items[i]) ?? throw new ArgumentException($"Item {i} has a null label.", nameof(labelOf)), StringComparer.Ordinal, testFraction, seed);
        }

        /// <summary>
        /// Splits items into train and test sets, class by class, with integer labels (classes taken in increasing
        /// order); otherwise the same as <see cref="Stratified{T}(IReadOnlyList{T}, Func{T, string}, double, int)"/>.
        /// </summary>
        /// <typeparam name="T">The item type.</typeparam>
        /// <param name="items">The items to split.</param>
        /// <param name="labelOf">Gives an item's class.</param>
        /// <param name="testFraction">The share of each class that goes to the test set, in [0, 1].</param>
        /// <param name="seed">The seed of the shuffle.</param>
        /// <returns>The training and test items.</returns>
        public static TrainTestSplit<T> Stratified<T>(IReadOnlyList<T> items, Func<T, int> labelOf, double testFraction = 0.2, int seed = 42)
        {
            ArgumentNullException.ThrowIfNull(items);
            ArgumentNullException.ThrowIfNull(labelOf);
            return Split(items, i => labelOf(items[i]), Comparer<int>.Default, testFraction, seed);
        }

        private static TrainTestSplit<T> Split<T, TLabel>(IReadOnlyList<T> items, Func<int, TLabel> labelAt, IComparer<TLabel> comparer, double testFraction, int seed)
            where TLabel : notnull
        {
            if (double.IsNaN(testFraction) || testFraction < 0 || testFraction > 1)
                throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "The test fraction must be in [0, 1].");

            // Sort the indices by (label, index): each class becomes a run of increasing indices.
            var labels = new TLabel[items.Count];
            var order = new int[items.Count];
            for (int i = 0; i < labels.Length; i++)
            {
                labels[i] = labelAt(i);
                order[i] = i;
            }

            Array.Sort(order, (a, b) =>
            {
                int byLabel = comparer.Compare(labels[a], labels[b]);
                return byLabel != 0 ? byLabel : a.CompareTo(b);
            });

            var rng = new SeededRandom(seed);
            var isTest = new bool[items.Count];
            int start = 0;
            while (start < order.Length)
            {
                int end = start + 1;
                while (end < order.Length && comparer.Compare(labels[order[end]], labels[order[start]]) == 0)
                    end++;

                var members = new List<int>(end - start);
                for (int k = start; k < end; k++)
                    members.Add(order[k]);
                rng.Shuffle(members);
                int testCount = (int)Math.Round(members.Count * testFraction, MidpointRounding.AwayFromZero);
                for (int k = 0; k < testCount; k++)
                    isTest[members[k]] = true;

                start = end;
            }

            var train = new List<T>(items.Count);
            var test = new List<T>();
            for (int i = 0; i < items.Count; i++)
                (isTest[i] ? test : train).Add(items[i]);

            return new TrainTestSplit<T>(train, test);
        }
    }
}
