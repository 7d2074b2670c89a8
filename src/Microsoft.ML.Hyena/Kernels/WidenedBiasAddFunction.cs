using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// A bias added in float32 to a bfloat16 tensor as it is widened, y = float(x) + bias (bias over the last dimension),
    /// as one autograd node: the output projection's bias in mixed precision (<see cref="HyenaOperator"/>). On CUDA one
    /// NVRTC kernel (<see cref="Source"/>: 8 elements a thread, one 16-byte load and two 16-byte stores), where libtorch's
    /// add of two types runs an elementwise kernel that is not vectorised (0.22 ms at 64k and width 768 on an H200, for
    /// 300 MB of traffic); elsewhere, and for other types, that add. The values are the same: the bfloat16 value widened
    /// exactly, then one float32 addition. Backward as autograd's for the add: the gradient cast to x's type for x, summed
    /// over all but the last dimension for the bias.
    /// </summary>
    internal sealed class WidenedBiasAddFunction : autograd.SingleTensorFunction<WidenedBiasAddFunction>
    {
        /// <summary>Elements a thread of the kernel handles at once (one 16-byte vector of bfloat16).</summary>
        internal const int Vector = 8;

        /// <summary>
        /// The kernel's CUDA source (compiled with <see cref="CudaKernels.Source"/>, after the short filter's, whose vector
        /// types and alignment test it uses, and with the common source's bfloat16 helpers; also run on the CPU by
        /// Emulation/WidenedBiasAdd.cpp).
        /// </summary>
        internal const string Source = @"
// ---- A bias added in float32 to a bfloat16 tensor as it is widened (WidenedBiasAddFunction). ----
// y[i] = x[i] + bias[i mod D] for the n elements of x (bfloat16, contiguous, last dimension D); bias and y float32. A
// thread takes 8 elements, as vectors where D is a multiple of 8 and the pointers are 16-byte aligned; grid-stride.
// Without a bias (null), y[i] = x[i] widened, as a cast widens it (no add: a zero added would turn -0 into +0).
extern ""C"" __global__ void __launch_bounds__(256) hyena_widen_add_bias(const bf16_t* x, const float* bias, float* y, long long n, int D) {
    const bool vector = (D & 7) == 0 && aligned16(x) && aligned16(bias) && aligned16(y);
    const long long stride = (long long)gridDim.x * blockDim.x * 8;
    for (long long i0 = ((long long)blockIdx.x * blockDim.x + threadIdx.x) * 8; i0 < n; i0 += stride) {
        if (vector && i0 + 8 <= n) {
            hyena_u4 a = *(const hyena_u4*)(x + i0);
            hyena_f4 o0, o1;
            o0.x = bf16_lo(a.x); o0.y = bf16_hi(a.x); o0.z = bf16_lo(a.y); o0.w = bf16_hi(a.y);
            o1.x = bf16_lo(a.z); o1.y = bf16_hi(a.z); o1.z = bf16_lo(a.w); o1.w = bf16_hi(a.w);
            if (bias) {
                // a multiple of 8, at most D - 8 (32-bit arithmetic where it suffices: a 64-bit division is a slow call)
                const int d0 = n <= 0x7fffffffLL ? (int)i0 % D : (int)(i0 % D);
                hyena_f4 b0 = *(const hyena_f4*)(bias + d0), b1 = *(const hyena_f4*)(bias + d0 + 4);
                o0.x += b0.x; o0.y += b0.y; o0.z += b0.z; o0.w += b0.w;
                o1.x += b1.x; o1.y += b1.y; o1.z += b1.z; o1.w += b1.w;
            }
            *(hyena_f4*)(y + i0) = o0;
            *(hyena_f4*)(y + i0 + 4) = o1;
        } else {
            for (int k = 0; k < 8 && i0 + k < n; ++k) y[i0 + k] = bias ? ld(x, i0 + k) + bias[(i0 + k) % D] : ld(x, i0 + k);
        }
    }
}
";

        /// <summary>The kernel's entry point.</summary>
        internal static readonly string[] FunctionNames = { "hyena_widen_add_bias" };

        /// <summary>Threads per block of the kernel.</summary>
        private const int Threads = 256;

        public override string Name => "HyenaWidenedBiasAdd";

        /// <summary>float(<paramref name="x"/>) + <paramref name="bias"/> (bias: the last dimension of x, float32).</summary>
        public static Tensor Apply(Tensor x, Tensor bias)
            => is_grad_enabled() && (x.requires_grad || bias.requires_grad) ? apply(x, bias) : Forward(x, bias);

        /// <summary>Whether the kernel computes it: CUDA, x bfloat16 and contiguous, bias float32 of x's last dimension, kernels ready.</summary>
        internal static bool KernelApplies(Tensor x, Tensor bias)
            => x.device_type == DeviceType.CUDA && x.dtype == ScalarType.BFloat16 && bias.dtype == ScalarType.Float32
               && x.dim() >= 1 && bias.dim() == 1 && bias.size(0) == x.size(-1) && x.is_contiguous() && bias.is_contiguous()
               && bias.device_type == x.device_type && bias.device_index == x.device_index && CudaKernels.TryEnsure(CudaKernels.DeviceIndex(x));

        private static Tensor Forward(Tensor x, Tensor bias) => KernelApplies(x, bias) ? KernelForward(x, bias) : x + bias;

        /// <summary>
        /// <paramref name="x"/> widened to float32: on CUDA, for a contiguous bfloat16 x, by the kernel without a bias (one
        /// vectorised pass; libtorch's cast from bfloat16 to float32 takes its unvectorised path, about twice the time at
        /// 64k x 768 on an H200); otherwise a cast. Not an autograd node (for backward passes).
        /// </summary>
        internal static Tensor Widen(Tensor x)
            => x.device_type == DeviceType.CUDA && x.dtype == ScalarType.BFloat16 && x.is_contiguous() && CudaKernels.TryEnsure(CudaKernels.DeviceIndex(x))
                ? KernelForward(x, null)
                : x.to_type(ScalarType.Float32);

        private static unsafe Tensor KernelForward(Tensor x, Tensor? bias)
        {
            var y = empty(x.shape, ScalarType.Float32, x.device);
            long n = x.numel();
            if (n == 0)
                return y;
            int device = CudaKernels.DeviceIndex(x), width = (int)Math.Max(1, x.size(-1));
            long blocks = Math.Min((n + Threads * Vector - 1) / (Threads * Vector), int.MaxValue);
            IntPtr px = CudaKernels.DataPointer(x), pb = bias is null ? IntPtr.Zero : CudaKernels.DataPointer(bias), py = CudaKernels.DataPointer(y);
            void** args = stackalloc void*[] { &px, &pb, &py, &n, &width };
            CudaKernels.Launch(device, "hyena_widen_add_bias", ((uint)blocks, 1), args, Threads, 0);
            return y;
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var x = (Tensor)vars[0];
            var bias = (Tensor)vars[1];
            ctx.save_data("xType", (int)x.dtype);
            ctx.save_data("xGrad", x.requires_grad);
            ctx.save_data("biasGrad", bias.requires_grad);
            return Forward(x, bias);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("widened bias add", 2, grad_output, () =>
            {
                var xType = (ScalarType)(int)ctx.get_data("xType");
                Tensor? gx = null, gb = null;
                if ((bool)ctx.get_data("xGrad"))
                    gx = grad_output.to_type(xType);
                if ((bool)ctx.get_data("biasGrad"))
                    gb = grad_output.reshape(-1, grad_output.size(-1)).sum(0L);
                return new List<Tensor> { gx!, gb! };
            });
    }
}
