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
        /// The spectrum of the filter with the skip term folded in at lag 0, ready for
        /// <see cref="CausalFromSpectrum"/>: rfft(k', 2L) / (2L) where k' = k except k'[c, 0] = k[c, 0] + bias[c].
        /// Since y = k * u + bias u = (k + bias delta_0) * u, the convolution then needs no separate pass
        /// for the skip term. Depends on the filter only, so it can be computed once for a whole batch
        /// (and cached while the parameters do not change).
        /// </summary>
        /// <param name="k">Filters, shape (..., C, L), in float32 or float64 (the transform's precision; other
        /// floating types are promoted to float32).</param>
        /// <param name="bias">Skip terms of shape (..., C), or null for none.</param>
        /// <returns>Complex tensor (..., C, L + 1).</returns>
        public static Tensor FilterSpectrum(Tensor k, Tensor? bias)
        {
            if (k.dim() < 2)
                throw new ArgumentException($"The filter must have shape (..., C, L); got ({string.Join(", ", k.shape)}).", nameof(k));
            if (bias is not null && !bias.shape.AsSpan().SequenceEqual(k.shape.AsSpan(0, (int)k.dim() - 1)))
                throw new ArgumentException($"The skip term must have shape ({string.Join(", ", k.shape[..^1])}); got ({string.Join(", ", bias.shape)}).", nameof(bias));
            // With gradients, one autograd node whose backward pass is one complex-to-real transform (FilterSpectrumFunction).
            if (is_grad_enabled() && (k.requires_grad || (bias is not null && bias.requires_grad)))
                return FilterSpectrumFunction.Apply(k, bias);
            return FilterSpectrumFunction.KernelsApply(k, bias) ? FilterSpectrumFunction.KernelForward(k, bias) : FilterSpectrumFunction.Compose(k, bias);
        }

        /// <summary>
        /// y[..., c, t] = sum over s &lt;= t of k'[c, s] * u[..., c, t - s] for the filter whose
        /// <see cref="FilterSpectrum"/> is <paramref name="spectrum"/> (skip term included there).
        /// </summary>
        /// <param name="u">Input, shape (..., C, L), any floating type; it is converted to the transform's precision.</param>
        /// <param name="spectrum">From <see cref="FilterSpectrum"/>, shape (C, L + 1) or broadcastable to u's.</param>
        /// <returns>Output (..., C, L) in the transform's real precision (float32 for a complex64 spectrum),
        /// a view of the first L positions of a 2L-long result.</returns>
        public static Tensor CausalFromSpectrum(Tensor u, Tensor spectrum)
        {
            long length = u.size(-1);
            if (spectrum.size(-1) != length + 1 || spectrum.size(-2) != u.size(-2))
                throw new ArgumentException($"The spectrum must have shape ({u.size(-2)}, {length + 1}) to match the input; got ({string.Join(", ", spectrum.shape)}).", nameof(spectrum));
            using var scope = NewDisposeScope();
            long fftSize = 2 * length;
            var realType = spectrum.dtype == ScalarType.ComplexFloat64 ? ScalarType.Float64 : ScalarType.Float32;
            var uf = fft.rfft(u.InType(realType), fftSize);
            var y = fft.irfft(uf * spectrum, fftSize, norm: FFTNormType.Forward).narrow(-1, 0, length);
            return scope.MoveToOuter(y);
        }

        /// <summary>
        /// <see cref="Causal"/> computed with the skip term folded into the filter
        /// (<see cref="FilterSpectrum"/> then <see cref="CausalFromSpectrum"/>); output in u's dtype.
        /// </summary>
        public static Tensor CausalFolded(Tensor u, Tensor k, Tensor bias)
        {
            long length = u.size(-1);
            if (k.dim() != 2 || k.size(-1) != length || k.size(0) != u.size(-2))
                throw new ArgumentException($"The filter must have shape ({u.size(-2)}, {length}) to match the input; got ({string.Join(", ", k.shape)}).", nameof(k));
            using var scope = NewDisposeScope();
            var y = CausalFromSpectrum(u, FilterSpectrum(k, bias));
            return scope.MoveToOuter(y.InType(u.dtype));
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
