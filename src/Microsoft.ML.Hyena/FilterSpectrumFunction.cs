using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// <see cref="FftConvolution.FilterSpectrum"/> as one autograd node with a hand-written backward pass. Forward:
    /// S = rfft(k', 2L) / 2L with k' the filter zero-padded to 2L and the skip term added at lag 0, as before. Backward:
    /// for the spectrum's gradient G, the filter's is grad k[t] = (1/2L) sum over f = 0..L of Re(G[f] e^(2 pi i f t / 2L))
    /// for t &lt; L (each bin of the one-sided spectrum counted once), which is irfft(w G, 2L)[..L] with w = 1 at bins 0
    /// and L and 1/2 between; the skip term's gradient is its value at t = 0.
    /// </summary>
    /// <remarks>
    /// libtorch's own backward pass of rfft builds the full two-sided gradient spectrum and runs a complex-to-complex
    /// transform of 2L points on it; this runs one complex-to-real transform of the one-sided gradient, half the work and
    /// memory. Nothing is saved for the backward pass but the length and types.
    /// </remarks>
    internal sealed class FilterSpectrumFunction : autograd.SingleTensorFunction<FilterSpectrumFunction>
    {
        public override string Name => "HyenaFilterSpectrum";

        /// <summary>The spectrum of <paramref name="k"/> (..., C, L) with <paramref name="bias"/> (..., C) folded in, or none when null.</summary>
        public static Tensor Apply(Tensor k, Tensor? bias)
            => bias is null ? apply(k, k, false) : apply(k, bias, true);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var k = (Tensor)vars[0];
            bool hasBias = (bool)vars[2];
            var bias = hasBias ? (Tensor)vars[1] : null;
            ctx.save_data("length", k.size(-1));
            ctx.save_data("kType", (int)k.dtype);
            ctx.save_data("biasType", hasBias ? (int)bias!.dtype : -1);
            return Compose(k, bias);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => Kernels.GradientHandOff.Backward("filter spectrum", 3, grad_output, () =>
            {
                long length = (long)ctx.get_data("length");
                var kType = (ScalarType)(int)ctx.get_data("kType");
                int biasType = (int)ctx.get_data("biasType");
                // w G with w = 1 at bins 0 and L and 1/2 between: G over the one-sided weights (1, 2, ..., 2, 1), exactly.
                var weighted = grad_output / Kernels.LongConvolutionFunction.OneSidedWeights(length, grad_output.device);
                var full2L = fft.irfft(weighted, 2 * length);                 // (..., C, 2L), 1/2L applied
                var gk = full2L.narrow(-1, 0, length);
                var gb = biasType >= 0 ? full2L.select(-1, 0) : null;
                return new List<Tensor>
                {
                    gk.dtype == kType ? gk : gk.to_type(kType),
                    gb is null ? null! : (gb.dtype == (ScalarType)biasType ? gb : gb.to_type((ScalarType)biasType)),
                    null!,
                };
            });

        /// <summary>The forward pass as library calls (also what runs when no gradient is needed).</summary>
        internal static Tensor Compose(Tensor k, Tensor? bias)
        {
            using var scope = NewDisposeScope();
            long length = k.size(-1);
            var real = k.dtype == ScalarType.Float64 ? k : k.to_type(ScalarType.Float32);
            // The zero padding to 2L is made here (one copy, which also makes a transposed filter contiguous), so the
            // skip term can be added in place at lag 0.
            var padded = nn.functional.pad(real, new long[] { 0, length });
            if (bias is not null)
            {
                var lagZero = zeros(1, ScalarType.Int64, k.device);   // made on the device: no host copy
                padded.index_add_(-1, lagZero, bias.to_type(padded.dtype).unsqueeze(-1), 1);
            }
            return scope.MoveToOuter(fft.rfft(padded, 2 * length, norm: FFTNormType.Forward));
        }
    }
}
