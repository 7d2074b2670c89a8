using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// The long convolution of the Hyena operator: a causal linear convolution of each channel with
    /// its own filter as long as the sequence, computed with FFTs in O(L log L), plus a skip term.
    /// </summary>
    public static class FftConvolution
    {
        /// <summary>
        /// y[..., c, t] = sum over s &lt;= t of k[c, s] * u[..., c, t - s] + bias[c] * u[..., c, t].
        /// </summary>
        /// <param name="u">Input, shape (..., C, L).</param>
        /// <param name="k">Filter, shape (C, L), in the precision the transform runs in (float32 or float64).</param>
        /// <param name="bias">Skip term, shape (C).</param>
        /// <returns>Output of the shape and type of <paramref name="u"/>.</returns>
        /// <remarks>Both signals are zero-padded to 2L so that the circular convolution of the FFT does not wrap around.</remarks>
        public static Tensor Causal(Tensor u, Tensor k, Tensor bias)
        {
            long length = u.size(-1);
            if (k.dim() != 2 || k.size(-1) != length || k.size(0) != u.size(-2))
                throw new ArgumentException($"The filter must have shape ({u.size(-2)}, {length}) to match the input; got ({string.Join(", ", k.shape)}).", nameof(k));
            if (bias.dim() != 1 || bias.size(0) != u.size(-2))
                throw new ArgumentException($"The skip term must have shape ({u.size(-2)}); got ({string.Join(", ", bias.shape)}).", nameof(bias));

            using var scope = NewDisposeScope();
            long fftSize = 2 * length;
            var kf = fft.rfft(k, fftSize) / fftSize;
            var uf = fft.rfft(u.to_type(k.dtype), fftSize);
            var y = fft.irfft(uf * kf, fftSize, norm: FFTNormType.Forward).narrow(-1, 0, length);
            var output = y + u * bias.unsqueeze(-1);
            return scope.MoveToOuter(output.to_type(u.dtype));
        }

        /// <summary>
        /// The same convolution computed directly in O(L^2), for tests and as a definition.
        /// </summary>
        public static Tensor CausalDirect(Tensor u, Tensor k, Tensor bias)
        {
            using var scope = NewDisposeScope();
            long length = u.size(-1);
            // conv1d computes cross-correlation: flip the filter and pad on the left for causality.
            var channels = u.size(-2);
            var flat = u.reshape(-1, channels, length);
            var weight = k.flip(-1).unsqueeze(1); // (C, 1, L)
            var padded = nn.functional.pad(flat, new long[] { length - 1, 0 });
            var y = nn.functional.conv1d(padded, weight, groups: channels).reshape(u.shape);
            return scope.MoveToOuter(y + u * bias.unsqueeze(-1));
        }
    }
}
