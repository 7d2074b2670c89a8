using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// The short causal depthwise convolution as one autograd node with a hand-written backward pass:
    /// on CUDA in float32 or bfloat16, fused NVRTC kernels (<see cref="CudaKernels"/>): one pass forward;
    /// backward, one pass for the input gradient and one reduction for the weight and bias gradients;
    /// elsewhere, the same formulas composed of library calls (which is what the CPU tests check).
    /// Arguments: x (B, C, L), weight (C, 1, K), bias (C), all of one type.
    /// </summary>
    internal sealed class ShortConvolutionFunction : autograd.SingleTensorFunction<ShortConvolutionFunction>
    {
        public override string Name => "HyenaShortConvolution";

        /// <summary>Applies the function (records it for autograd when an input requires gradients).</summary>
        public static Tensor Apply(Tensor x, Tensor weight, Tensor bias) => apply(x, weight, bias);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var x = ((Tensor)vars[0]).contiguous();
            GradientHandOff.BeginForward(x.device);
            var weight = ((Tensor)vars[1]).contiguous();
            var bias = ((Tensor)vars[2]).contiguous();
            ctx.save_for_backward(new List<Tensor> { x, weight, bias });
            return CudaKernels.Handle(x) ? KernelForward(x, weight, bias) : ComposedForward(x, weight, bias);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("short convolution", 3, grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (x, weight, bias) = (saved[0], saved[1], saved[2]);
                var g = grad_output.contiguous();
                var (gx, gw, gb) = CudaKernels.Handle(x) ? KernelBackward(g, x, weight) : ComposedBackward(g, x, weight);
                return new List<Tensor> { gx, gw.to_type(weight.dtype), gb.to_type(bias.dtype) };
            });

        /// <summary>Composed forward: pad, unfold, multiply, sum over the taps, add the bias.</summary>
        internal static Tensor ComposedForward(Tensor x, Tensor weight, Tensor bias)
        {
            using var scope = NewDisposeScope();
            long channels = x.size(1), kernel = weight.size(-1);
            var windows = nn.functional.pad(x, new long[] { kernel - 1, 0 }).unfold(-1, kernel, 1);   // (B, C, L, K)
            var y = (windows * weight.view(channels, 1, kernel)).sum(-1) + bias.view(channels, 1);
            return scope.MoveToOuter(y);
        }

        /// <summary>
        /// Composed backward: gx[t] = sum_j w[j] g[t + K-1-j]; gw[j] = sum over (b, t) of g[t] x[t-(K-1)+j]; gb = sum of g.
        /// </summary>
        internal static (Tensor gx, Tensor gw, Tensor gb) ComposedBackward(Tensor g, Tensor x, Tensor weight)
        {
            using var scope = NewDisposeScope();
            long channels = x.size(1), kernel = weight.size(-1);
            var gWindows = nn.functional.pad(g, new long[] { 0, kernel - 1 }).unfold(-1, kernel, 1);  // g[t + m], m < K
            var gx = (gWindows * weight.view(channels, 1, kernel).flip(-1)).sum(-1);
            var xWindows = nn.functional.pad(x, new long[] { kernel - 1, 0 }).unfold(-1, kernel, 1);  // x[t - (K-1) + j]
            var gw = (xWindows * g.unsqueeze(-1)).sum(new long[] { 0, 2 }).view(channels, 1, kernel);
            var gb = g.sum(new long[] { 0, 2 });
            return (scope.MoveToOuter(gx), scope.MoveToOuter(gw), scope.MoveToOuter(gb));
        }


        private static unsafe Tensor KernelForward(Tensor x, Tensor weight, Tensor bias)
        {
            int device = CudaKernels.DeviceIndex(x);
            CudaKernels.Ensure(device);
            var y = empty_like(x);
            if (x.numel() == 0)
                return y;
            int length = (int)x.size(2), channels = (int)x.size(1), kernel = (int)weight.size(-1);
            IntPtr px = CudaKernels.DataPointer(x), pw = CudaKernels.DataPointer(weight), pb = CudaKernels.DataPointer(bias), py = CudaKernels.DataPointer(y);
            void** args = stackalloc void*[7];
            args[0] = &px; args[1] = &pw; args[2] = &pb; args[3] = &py;
            args[4] = &length; args[5] = &channels; args[6] = &kernel;
            CudaKernels.Launch(device, x.dtype == ScalarType.BFloat16 ? "hyena_short_fwd_bf16" : "hyena_short_fwd_f32",
                CudaKernels.RowGrid(x.size(0) * channels, length), args);
            return y;
        }

        private static unsafe (Tensor gx, Tensor gw, Tensor gb) KernelBackward(Tensor g, Tensor x, Tensor weight)
        {
            int device = CudaKernels.DeviceIndex(x);
            CudaKernels.Ensure(device);
            string suffix = x.dtype == ScalarType.BFloat16 ? "bf16" : "f32";
            int batch = (int)x.size(0), length = (int)x.size(2), channels = (int)x.size(1), kernel = (int)weight.size(-1);
            var gx = empty_like(x);
            // Splits along the length so that each thread sums about 64 positions per batch element.
            int splits = (int)Math.Clamp((length + 256L * 64 - 1) / (256L * 64), 1, 64);
            var partial = zeros(new long[] { splits, channels, kernel + 1 }, ScalarType.Float32, x.device);
            if (x.numel() > 0)
            {
                IntPtr pg = CudaKernels.DataPointer(g), pw = CudaKernels.DataPointer(weight), pgx = CudaKernels.DataPointer(gx);
                void** args = stackalloc void*[6];
                args[0] = &pg; args[1] = &pw; args[2] = &pgx; args[3] = &length; args[4] = &channels; args[5] = &kernel;
                CudaKernels.Launch(device, "hyena_short_bwd_x_" + suffix, CudaKernels.RowGrid((long)batch * channels, length), args);

                IntPtr px = CudaKernels.DataPointer(x), pp = CudaKernels.DataPointer(partial);
                void** args2 = stackalloc void*[8];
                args2[0] = &pg; args2[1] = &px; args2[2] = &pp; args2[3] = &batch; args2[4] = &length; args2[5] = &channels; args2[6] = &kernel; args2[7] = &splits;
                CudaKernels.Launch(device, "hyena_short_bwd_wb_" + suffix, ((uint)channels, (uint)splits), args2);
            }
            var sums = partial.sum(0L);                                      // (C, K + 1), float32
            var gw = sums.narrow(1, 0, kernel).reshape(channels, 1, kernel);
            var gb = sums.select(1, kernel).contiguous();
            return (gx, gw, gb);
        }
    }
}
