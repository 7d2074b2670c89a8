using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// The gated long convolution of an order-2 Hyena operator as one autograd node:
    /// y = x0 * (k' * (v * x1)), where * between k' and the gated input is the causal convolution of
    /// <see cref="FftConvolution.CausalFromSpectrum"/> (skip term folded into k'), computed as
    /// irfft(rfft(pad(v * x1, 2L)) * K)[..L]. The gates, the zero padding, the cut to L and the casts
    /// are fused into two kernels on each side of cuFFT (<see cref="CudaKernels"/>): forward, one pass
    /// writes the padded, gated input in the transform's type and one pass reads the first L outputs,
    /// gates and casts them; backward, the same two passes in reverse order.
    /// Elsewhere the same formulas are composed of library calls (which is what the CPU tests check).
    /// When asked (<see cref="LongConvolutionImplementation.CudaOnChip"/>, or Auto where
    /// <see cref="OnChipFftConvolution.AutoPicks"/>) and where it applies, each direction is instead one
    /// <see cref="OnChipFftConvolution"/> kernel that keeps a row's transforms in shared memory (or, for rows longer than
    /// a block holds, the three <see cref="FourStepFftConvolution"/> kernels), and the backward pass's kernel also
    /// writes each row's term of the filter spectrum's gradient, so that only its sum over the batch is left.
    /// </summary>
    /// <remarks>
    /// Arguments: v, x1, x0 of shape (B, D, L) in float32 or bfloat16, each with channel stride L and unit
    /// stride along L (slices of the short filter's output are fine); the spectrum (D, L + 1), complex64,
    /// from <see cref="FftConvolution.FilterSpectrum"/>; and whether the transforms may run in float16.
    /// In float16 (only on CUDA and when 2L is a power of two, which cuFFT requires), the gated input is
    /// scaled by 1/sqrt(2L) and the spectrum by sqrt(2L) so that the unnormalised half-precision
    /// transforms stay within float16's range; the result is the same convolution.
    /// Backward, with G = rfft(pad(g * x0)): the input gradient is irfft(G * conj(K)), and the spectrum's is
    /// the sum over the batch of w * G * conj(U), U = rfft(pad(v * x1)), w = 1 at the first and last bins
    /// and 2 between them (what libtorch's irfft backward gives for a one-sided spectrum).
    /// </remarks>
    internal sealed class LongConvolutionFunction : autograd.SingleTensorFunction<LongConvolutionFunction>
    {
        private const ScalarType ComplexHalf = (ScalarType)8;   // TorchSharp 0.107 does not name it

        public override string Name => "HyenaLongConvolution";

        /// <summary>Applies the function (records it for autograd when an input requires gradients).</summary>
        /// <param name="v">The value stream (B, D, L).</param>
        /// <param name="x1">The gate applied before the convolution.</param>
        /// <param name="x0">The gate applied after it.</param>
        /// <param name="spectrum">The filter's spectrum (D, L + 1), skip term folded in.</param>
        /// <param name="halfTransforms">Whether cuFFT's transforms may run in float16.</param>
        /// <param name="onChip">Whether the convolution may run as <see cref="OnChipFftConvolution"/> where that applies.</param>
        /// <param name="spectrumInKernelOrder">Whether <paramref name="spectrum"/> itself is in the four-step kernels' order (made
        /// by them: <see cref="FilterSpectrumFunction.ApplyWindowed"/>), which the convolution must then run
        /// (<see cref="RunsOnChip"/> and <see cref="OnChipFftConvolution.RunsFourSteps"/>); its gradient is then in that order too.</param>
        public static Tensor Apply(Tensor v, Tensor x1, Tensor x0, Tensor spectrum, bool halfTransforms, bool onChip = false,
            bool spectrumInKernelOrder = false)
            => apply(v, x1, x0, spectrum, halfTransforms, onChip, spectrumInKernelOrder);

        /// <summary>
        /// Whether <see cref="Apply"/> with these arguments runs the on-chip kernels (<see cref="OnChipFftConvolution"/>)
        /// for the value stream <paramref name="v"/> (B, D, L): asked, not in float16 transforms, and applicable there.
        /// </summary>
        public static bool RunsOnChip(Tensor v, bool halfTransforms, bool onChip)
            => onChip && !(halfTransforms && HalfTransformsApply(v.device_type, v.size(2))) && OnChipFftConvolution.Applies(v, v.size(2));

        /// <summary>Whether the transforms of a length-<paramref name="length"/> input run in float16 when asked to.</summary>
        public static bool HalfTransformsApply(DeviceType device, long length)
            => device == DeviceType.CUDA && length > 0 && ((2 * length) & (2 * length - 1)) == 0;

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            GradientHandOff.TakeUndefinedGradients(ctx);
            GradientHandOff.BeginForward(((Tensor)vars[0]).device);
            var (v, x1, x0) = Strided((Tensor)vars[0], (Tensor)vars[1], (Tensor)vars[2]);
            var spectrum = (Tensor)vars[3];
            bool half = (bool)vars[4] && HalfTransformsApply(v.device_type, v.size(2));
            Check(v, x1, x0, spectrum);

            long length = v.size(2);
            long fftSize = 2 * length;
            bool saving = v.requires_grad || x1.requires_grad || x0.requires_grad || spectrum.requires_grad;
            bool kernelOrder = (bool)vars[6];
            bool onChip = RunsOnChip(v, (bool)vars[4], (bool)vars[5]);
            if (kernelOrder && !(onChip && OnChipFftConvolution.RunsFourSteps(v)))
                throw new InvalidOperationException("The filter's spectrum is in the four-step kernels' order, but this convolution does not run them.");
            if (onChip)
                return OnChipForward(ctx, v, x1, x0, spectrum, kernelOrder, saving);
            var transformType = half ? ScalarType.Float16 : ScalarType.Float32;
            float scale = half ? (float)(1 / Math.Sqrt(fftSize)) : 1f;

            Tensor y, u;
            Tensor? c;
            using (var scope = NewDisposeScope())
            {
                // Each intermediate is released as soon as the next one exists: at a million positions each
                // is several GiB, and the peak decides whether a length fits.
                using (var a = GatePad(v, x1, transformType, scale))               // (B, D, 2L)
                    u = fft.rfft(a);                                              // (B, D, L + 1)
                var k = half ? (spectrum * Math.Sqrt(fftSize)).to_type(ComplexHalf) : spectrum;
                Tensor z;
                using (var product = u * k)
                    z = fft.irfft(product, fftSize, norm: FFTNormType.Forward);   // (B, D, 2L)
                (y, c) = CropGate(z, x0, saving);
                z.Dispose();
                scope.MoveToOuter(y);
                if (saving)
                {
                    scope.MoveToOuter(c!);
                    scope.MoveToOuter(u);
                }
            }
            if (saving)
            {
                ctx.save_for_backward(new List<Tensor> { v, x1, x0, c!, u, spectrum });
                ctx.save_data("half", half);
                ctx.save_data("spectrumGrad", spectrum.requires_grad);
                ctx.save_data("onChip", false);
            }
            return y;
        }

        // The forward pass as one kernel per row (OnChipFftConvolution); the input's spectrum is kept only for the filter's
        // gradient. kernelOrder: the spectrum is already in the kernels' order (made by them), and so is its gradient.
        private static Tensor OnChipForward(autograd.AutogradContext ctx, Tensor v, Tensor x1, Tensor x0, Tensor spectrum, bool kernelOrder, bool saving)
        {
            bool spectrumGrad = saving && spectrum.requires_grad;
            var (y, c, u, kernelSpectrum) = OnChipFftConvolution.Forward(v, x1, x0, spectrum, keepConvolution: saving, keepSpectrum: spectrumGrad,
                inKernelOrder: kernelOrder);
            if (saving)
            {
                // The spectrum as the kernels read it (the four-step kernels' own order), for the backward pass's kernels.
                ctx.save_for_backward(new List<Tensor> { v, x1, x0, c!, u ?? empty(0, ScalarType.ComplexFloat32, v.device), kernelSpectrum });
                ctx.save_data("half", false);
                ctx.save_data("spectrumGrad", spectrumGrad);
                ctx.save_data("onChip", true);
                ctx.save_data("kernelOrder", kernelOrder);
            }
            return y;
        }

        private static List<Tensor> OnChipBackward(Tensor gradOutput, Tensor v, Tensor x1, Tensor x0, Tensor c, Tensor u, Tensor spectrum, bool spectrumGrad,
            bool kernelOrder)
        {
            // The kernels write each row's weighted term w G conj(U) of the spectrum's gradient and sum them over the batch.
            var (gv, gx1, gx0, gK) = OnChipFftConvolution.Backward(gradOutput.contiguous(), v, x1, x0, c, spectrum, spectrumGrad ? u : null,
                gradientInKernelOrder: kernelOrder);
            return new List<Tensor> { gv, gx1, gx0, gK!, null!, null!, null! };
        }

        // The spectrum's gradient from the per-row products G * conj(U): summed over the batch, weighted as a one-sided spectrum.
        private static Tensor SpectrumGradient(Tensor product, Tensor spectrum)
        {
            var summed = product.dim() > spectrum.dim() ? product.sum(0L) : product;
            return (summed * OneSidedWeights(spectrum.size(-1) - 1, spectrum.device)).to_type(spectrum.dtype);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("long convolution", 7, grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (v, x1, x0, c, u, spectrum) = (saved[0], saved[1], saved[2], saved[3], saved[4], saved[5]);
                bool half = (bool)ctx.get_data("half");
                bool spectrumGrad = (bool)ctx.get_data("spectrumGrad");
                if ((bool)ctx.get_data("onChip"))
                    return OnChipBackward(grad_output, v, x1, x0, c, u, spectrum, spectrumGrad, (bool)ctx.get_data("kernelOrder"));
                long length = v.size(2);
                long fftSize = 2 * length;
                var transformType = half ? ScalarType.Float16 : ScalarType.Float32;
                float scale = half ? (float)(1 / Math.Sqrt(fftSize)) : 1f;

                var g = grad_output.contiguous();
                var (gz, gx0) = CropGateBackward(g, x0, c, transformType, scale);      // gz: (B, D, 2L)
                var gSpectrum = fft.rfft(gz);                                           // (B, D, L + 1)
                gz.Dispose();

                Tensor? gK = null;
                if (spectrumGrad)
                {
                    using var product = half
                        ? gSpectrum.to_type(ScalarType.ComplexFloat32).mul_(u.to_type(ScalarType.ComplexFloat32).conj()).mul_((double)fftSize)
                        : gSpectrum * u.conj();
                    gK = SpectrumGradient(product, spectrum);
                }

                var kConj = half ? (spectrum.conj() * Math.Sqrt(fftSize)).to_type(ComplexHalf) : spectrum.conj();
                var ga = fft.irfft(gSpectrum.mul_(kConj), fftSize, norm: FFTNormType.Forward);   // (B, D, 2L)
                gSpectrum.Dispose();
                var (gv, gx1) = GatePadBackward(ga, v, x1);
                ga.Dispose();
                return new List<Tensor> { gv, gx1, gx0, gK!, null!, null!, null! };
            });

        /// <summary>1 at bins 0 and L, 2 between: how often each bin of a one-sided spectrum of 2L points counts.</summary>
        internal static Tensor OneSidedWeights(long length, Device device)
        {
            var w = full(length + 1, 2f, ScalarType.Float32, device);
            w.narrow(0, 0, 1).fill_(1f);
            w.narrow(0, length, 1).fill_(1f);
            return w;
        }

        // The kernels address element (b, d, t) of all three streams as b * stride(0) + d * L + t: slices of
        // one tensor along the channels qualify as they are; anything else is made contiguous.
        private static (Tensor v, Tensor x1, Tensor x0) Strided(Tensor v, Tensor x1, Tensor x0)
        {
            static bool Rows(Tensor x) => x.dim() == 3 && x.stride(2) == 1 && x.stride(1) == x.size(2);
            if (Rows(v) && Rows(x1) && Rows(x0) && v.stride(0) == x1.stride(0) && v.stride(0) == x0.stride(0))
                return (v, x1, x0);
            return (v.contiguous(), x1.contiguous(), x0.contiguous());
        }

        private static void Check(Tensor v, Tensor x1, Tensor x0, Tensor spectrum)
        {
            if (v.dim() != 3 || !v.shape.AsSpan().SequenceEqual(x1.shape) || !v.shape.AsSpan().SequenceEqual(x0.shape))
                throw new ArgumentException($"The value and both gates must have one shape (B, D, L); got ({string.Join(", ", v.shape)}), ({string.Join(", ", x1.shape)}), ({string.Join(", ", x0.shape)}).", nameof(v));
            if (v.dtype != x1.dtype || v.dtype != x0.dtype)
                throw new ArgumentException($"The value and both gates must have one type; got {v.dtype}, {x1.dtype}, {x0.dtype}.", nameof(v));
            if (v.dtype != ScalarType.Float32 && v.dtype != ScalarType.BFloat16)
                throw new ArgumentException($"The long convolution function takes float32 or bfloat16 streams; got {v.dtype}.", nameof(v));
            if (spectrum.dtype != ScalarType.ComplexFloat32 || spectrum.dim() != 2 || spectrum.size(0) != v.size(1) || spectrum.size(1) != v.size(2) + 1)
                throw new ArgumentException($"The spectrum must be complex64 of shape ({v.size(1)}, {v.size(2) + 1}); got {spectrum.dtype} ({string.Join(", ", spectrum.shape)}).", nameof(spectrum));
        }

        /// <summary>pad(v * x1 * scale, 2L) in <paramref name="transformType"/>: (B, D, 2L), contiguous.</summary>
        internal static unsafe Tensor GatePad(Tensor v, Tensor x1, ScalarType transformType, float scale)
        {
            long length = v.size(2);
            if (!CudaKernels.Handle(v))
            {
                using var scope = NewDisposeScope();
                var gated = v.to_type(ScalarType.Float32) * x1.to_type(ScalarType.Float32) * scale;
                return scope.MoveToOuter(nn.functional.pad(gated, new long[] { 0, length }).to_type(transformType));
            }
            var a = empty(new[] { v.size(0), v.size(1), 2 * length }, transformType, v.device);
            Launch("gate_pad", v, transformType, 2 * length, p => new[] { p(v), p(x1), p(a) }, scale);
            return a;
        }

        /// <summary>y = x0 * z[..L] and, when asked, c = z[..L], both in x0's type.</summary>
        internal static unsafe (Tensor y, Tensor? c) CropGate(Tensor z, Tensor x0, bool keepConvolution)
        {
            long length = x0.size(2);
            if (!CudaKernels.Handle(x0))
            {
                using var scope = NewDisposeScope();
                var cut = z.narrow(-1, 0, length).to_type(ScalarType.Float32);
                var y = (cut * x0.to_type(ScalarType.Float32)).to_type(x0.dtype);
                var c = keepConvolution ? cut.to_type(x0.dtype) : null;
                return (scope.MoveToOuter(y), c is null ? null : scope.MoveToOuter(c));
            }
            var yk = empty(x0.shape, x0.dtype, x0.device);
            var ck = keepConvolution ? empty(x0.shape, x0.dtype, x0.device) : null;
            Launch("crop_gate", x0, z.dtype, length, p => new[] { p(z), p(x0), p(yk), ck is null ? IntPtr.Zero : p(ck) }, 1f);
            return (yk, ck);
        }

        /// <summary>Backward of <see cref="CropGate"/>: gz = pad(g * x0 * scale, 2L) in the transform's type, gx0 = g * c.</summary>
        internal static unsafe (Tensor gz, Tensor gx0) CropGateBackward(Tensor g, Tensor x0, Tensor c, ScalarType transformType, float scale)
        {
            long length = x0.size(2);
            if (!CudaKernels.Handle(x0))
            {
                using var scope = NewDisposeScope();
                var g32 = g.to_type(ScalarType.Float32);
                var gz = nn.functional.pad(g32 * x0.to_type(ScalarType.Float32) * scale, new long[] { 0, length }).to_type(transformType);
                var gx0 = (g32 * c.to_type(ScalarType.Float32)).to_type(x0.dtype);
                return (scope.MoveToOuter(gz), scope.MoveToOuter(gx0));
            }
            var gzk = empty(new[] { x0.size(0), x0.size(1), 2 * length }, transformType, x0.device);
            var gx0k = empty(x0.shape, x0.dtype, x0.device);
            Launch("crop_gate_bwd", x0, transformType, 2 * length, p => new[] { p(g), p(x0), p(c), p(gzk), p(gx0k) }, scale);
            return (gzk, gx0k);
        }

        /// <summary>Backward of <see cref="GatePad"/> (the scale already undone): gv = ga[..L] * x1, gx1 = ga[..L] * v.</summary>
        internal static unsafe (Tensor gv, Tensor gx1) GatePadBackward(Tensor ga, Tensor v, Tensor x1)
        {
            long length = v.size(2);
            if (!CudaKernels.Handle(v))
            {
                using var scope = NewDisposeScope();
                var cut = ga.narrow(-1, 0, length).to_type(ScalarType.Float32);
                var gv = (cut * x1.to_type(ScalarType.Float32)).to_type(v.dtype);
                var gx1 = (cut * v.to_type(ScalarType.Float32)).to_type(v.dtype);
                return (scope.MoveToOuter(gv), scope.MoveToOuter(gx1));
            }
            var gvk = empty(v.shape, v.dtype, v.device);
            var gx1k = empty(v.shape, v.dtype, v.device);
            Launch("gate_pad_bwd", v, ga.dtype, length, p => new[] { p(ga), p(v), p(x1), p(gvk), p(gx1k) }, 1f);
            return (gvk, gx1k);
        }

        /// <summary>
        /// Launches hyena_{kernel}_{io}_{transform} over (B * D) rows of <paramref name="positions"/> positions with the
        /// pointers <paramref name="pointers"/> gives, then (L, D, batch stride, scale).
        /// </summary>
        private static unsafe void Launch(string kernel, Tensor stream, ScalarType transformType, long positions, Func<Func<Tensor, IntPtr>, IntPtr[]> pointers, float scale)
        {
            int device = CudaKernels.DeviceIndex(stream);
            CudaKernels.Ensure(device);
            if (stream.numel() == 0)
                return;
            string io = stream.dtype == ScalarType.BFloat16 ? "bf16" : "f32";
            string transform = transformType == ScalarType.Float16 ? "f16" : "f32";
            IntPtr[] p = pointers(CudaKernels.DataPointer);
            int length = checked((int)stream.size(2)), channels = checked((int)stream.size(1));
            long batchStride = stream.stride(0);
            int count = p.Length + 4;
            void** args = stackalloc void*[count];
            fixed (IntPtr* pp = p)
            {
                for (int i = 0; i < p.Length; i++)
                    args[i] = pp + i;
                args[p.Length] = &length;
                args[p.Length + 1] = &channels;
                args[p.Length + 2] = &batchStride;
                args[p.Length + 3] = &scale;
                CudaKernels.Launch(device, $"hyena_{kernel}_{io}_{transform}", CudaKernels.RowGrid(stream.size(0) * channels, positions), args);
            }
        }
    }
}
