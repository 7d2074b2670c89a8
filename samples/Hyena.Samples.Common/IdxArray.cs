using System;
using System.Collections.Generic;

namespace Hyena.Samples
{
    /// <summary>
    /// The content of one IDX file of unsigned bytes (the format of MNIST and Fashion-MNIST): its dimensions and
    /// its data in row-major order. The first dimension counts the items (images or labels).
    /// </summary>
    public sealed class IdxArray
    {
        private readonly int[] _dimensions;

        /// <summary>Creates an array from its dimensions and data.</summary>
        /// <param name="dimensions">One to four dimensions, none negative; the first counts the items.</param>
        /// <param name="data">The bytes in row-major order; their count must be the product of the dimensions.</param>
        public IdxArray(IReadOnlyList<int> dimensions, byte[] data)
        {
            ArgumentNullException.ThrowIfNull(dimensions);
            ArgumentNullException.ThrowIfNull(data);
            if (dimensions.Count is < 1 or > 4)
                throw new ArgumentException($"An IDX array has 1 to 4 dimensions, not {dimensions.Count}.", nameof(dimensions));

            long product = 1;
            _dimensions = new int[dimensions.Count];
            for (int i = 0; i < dimensions.Count; i++)
            {
                if (dimensions[i] < 0)
                    throw new ArgumentException($"Dimension {i} is negative ({dimensions[i]}).", nameof(dimensions));
                _dimensions[i] = dimensions[i];
                product *= dimensions[i];
            }

            if (product != data.Length)
                throw new ArgumentException($"The data has {data.Length} bytes but the dimensions [{string.Join(", ", _dimensions)}] need {product}.", nameof(data));

            Data = data;
        }

        /// <summary>The dimensions, the first one counting the items.</summary>
        public IReadOnlyList<int> Dimensions => _dimensions;

        /// <summary>The bytes in row-major order.</summary>
        public byte[] Data { get; }

        /// <summary>The number of items (the first dimension).</summary>
        public int Count => _dimensions[0];

        /// <summary>The number of bytes of one item (the product of the dimensions after the first).</summary>
        public int ItemSize
        {
            get
            {
                int size = 1;
                for (int i = 1; i < _dimensions.Length; i++)
                    size *= _dimensions[i];
                return size;
            }
        }

        /// <summary>The bytes of one item.</summary>
        /// <param name="index">The item's index, in [0, <see cref="Count"/>).</param>
        /// <returns>A view of the item's bytes.</returns>
        public ReadOnlySpan<byte> GetItem(int index)
        {
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"The array has {Count} items.");
            int size = ItemSize;
            return new ReadOnlySpan<byte>(Data, index * size, size);
        }
    }
}
