using System;
using System.Collections.Generic;

namespace Hyena.Samples
{
    /// <summary>A train/test split of a list of items.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    public sealed class TrainTestSplit<T>
    {
        /// <summary>Creates the split.</summary>
        /// <param name="train">The training items.</param>
        /// <param name="test">The test items.</param>
        public TrainTestSplit(IReadOnlyList<T> train, IReadOnlyList<T> test)
        {
            Train = train ?? throw new ArgumentNullException(nameof(train));
            Test = test ?? throw new ArgumentNullException(nameof(test));
        }

        /// <summary>The training items, in the order of the input.</summary>
        public IReadOnlyList<T> Train { get; }

        /// <summary>The test items, in the order of the input.</summary>
        public IReadOnlyList<T> Test { get; }
    }
}
