using System;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Modules
{
    /// <summary>
    /// Complex exponential positional embedding fed to the implicit filter: for each position,
    /// normalised time t in [0, 1] followed by the real and imaginary parts of exp(-i f w) for
    /// (E - 1) / 2 frequency bands f.
    /// </summary>
    public sealed class PositionalEmbedding : nn.Module<long, (Tensor z, Tensor t)>
    {
        [ComponentName(Name = "z")]
        private readonly Tensor _z; // a Parameter unless its learning rate is 0

        [ComponentName(Name = "t")]
        private readonly Tensor _t;

        private readonly long _maxLength;

        /// <summary>Creates the embedding of <paramref name="maxLength"/> positions and <paramref name="embeddingDimension"/> features.</summary>
        /// <param name="name">Module name.</param>
        /// <param name="embeddingDimension">E, odd and at least 3.</param>
        /// <param name="maxLength">L, the number of positions.</param>
        /// <param name="trainable">Whether <c>z</c> is a parameter (true) or a buffer.</param>
        public PositionalEmbedding(string name, int embeddingDimension, long maxLength, bool trainable) : base(name)
        {
            if (embeddingDimension < 3 || embeddingDimension % 2 == 0)
                throw new ArgumentOutOfRangeException(nameof(embeddingDimension), embeddingDimension, "must be odd and at least 3");
            if (maxLength < 1)
                throw new ArgumentOutOfRangeException(nameof(maxLength), maxLength, "must be at least 1");
            _maxLength = maxLength;
            long bands = (embeddingDimension - 1) / 2;
            using (var scope = NewDisposeScope())
            {
                // Computed in float64, stored in float32, like every parameter of the operator.
                var t = linspace(0, 1, maxLength, dtype: ScalarType.Float64).view(1, maxLength, 1);
                var w = (2 * Math.PI * linspace(0, maxLength - 1, maxLength, dtype: ScalarType.Float64) / maxLength).view(1, maxLength, 1);
                var f = linspace(1e-4, bands - 1, bands, dtype: ScalarType.Float64).view(1, 1, bands);
                var fw = f * w;
                var z = cat(new[] { t, cos(fw), -sin(fw) }, dim: -1).to_type(ScalarType.Float32);
                _t = t.to_type(ScalarType.Float32).DetachFromDisposeScope();
                _z = trainable ? new Parameter(z.DetachFromDisposeScope()) : z.DetachFromDisposeScope();
            }
            RegisterComponents();
        }

        /// <summary>The embedding, shape (1, L, E): a parameter or a buffer.</summary>
        public Tensor Z => _z;

        /// <summary>Normalised time, shape (1, L, 1).</summary>
        public Tensor T => _t;

        /// <summary>The first <paramref name="length"/> positions: z (1, length, E) and t (1, length, 1).</summary>
        public override (Tensor z, Tensor t) forward(long length)
        {
            if (length < 1 || length > _maxLength)
                throw new ArgumentOutOfRangeException(nameof(length), length, $"must be in [1, {_maxLength}]");
            return (_z.narrow(1, 0, length), _t.narrow(1, 0, length));
        }
    }
}
