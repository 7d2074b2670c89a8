using System;
using System.Collections.Generic;

namespace Hyena.Samples
{
    /// <summary>The training and test images of Fashion-MNIST (or of a subset in the same format), as read from one folder.</summary>
    public sealed class FashionMnistDataset
    {
        /// <summary>Creates the data set.</summary>
        /// <param name="folder">The folder the files were read from.</param>
        /// <param name="train">The training images, in file order.</param>
        /// <param name="test">The test images, in file order.</param>
        public FashionMnistDataset(string folder, IReadOnlyList<FashionMnistImage> train, IReadOnlyList<FashionMnistImage> test)
        {
            Folder = folder ?? throw new ArgumentNullException(nameof(folder));
            Train = train ?? throw new ArgumentNullException(nameof(train));
            Test = test ?? throw new ArgumentNullException(nameof(test));
        }

        /// <summary>The folder the files were read from.</summary>
        public string Folder { get; }

        /// <summary>The training images, in file order.</summary>
        public IReadOnlyList<FashionMnistImage> Train { get; }

        /// <summary>The test images, in file order.</summary>
        public IReadOnlyList<FashionMnistImage> Test { get; }
    }
}
