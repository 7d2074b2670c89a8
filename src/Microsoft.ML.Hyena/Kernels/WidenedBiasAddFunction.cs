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

// The backward pass in one pass over g where a cast and a sum took two: gx[i] = g[i] rounded to bfloat16 (as a cast
// rounds) and partial[blockIdx.y, d] = the sum of g[r, d] over the rows r this block visits (rows blockIdx.y * 8 + lane,
// stepping by gridDim.y * 8), the bias's gradient once the row blocks' sums are added. g: (rows, D) float32, contiguous;
// gx: (rows, D) bfloat16. Block of 256 threads as 8 row lanes of 32 threads; a thread takes 4 consecutive features of
// the block's tile of 128 (blockIdx.x), as vectors where D is a multiple of 4 and g and gx are aligned for them, and
// issues 4 rows' loads before their stores. Grid (ceil(D / 128), row blocks). Loops over the thread index, so one
// thread may run a whole block (the CPU emulation does).
struct __align__(8) hyena_u2 { unsigned int x, y; };
extern ""C"" __global__ void __launch_bounds__(256) hyena_bias_grad_narrow(const float* g, bf16_t* gx, float* partial, long long rows, int D) {
    __shared__ float sums[8][129];
    const int f0 = blockIdx.x * 128;
    const bool vector = (D & 3) == 0 && aligned16(g) && (((unsigned long long)gx) & 7ull) == 0ull;
    const long long step = (long long)gridDim.y * 8;
    for (int e = threadIdx.x; e < 256; e += blockDim.x) {
        const int c = e & 31, lane = e >> 5, f = f0 + 4 * c;
        const bool whole = vector && f + 4 <= D;
        float acc[4] = { 0.f, 0.f, 0.f, 0.f };
        for (long long r0 = (long long)blockIdx.y * 8 + lane; r0 < rows; r0 += 4 * step) {
            float v[4][4];
#pragma unroll
            for (int u = 0; u < 4; u++) {
                const long long r = r0 + u * step;
                if (r < rows && whole) {
                    hyena_f4 a = *(const hyena_f4*)(g + r * D + f);
                    v[u][0] = a.x; v[u][1] = a.y; v[u][2] = a.z; v[u][3] = a.w;
                } else {
                    for (int k = 0; k < 4; k++) v[u][k] = r < rows && f + k < D ? g[r * D + f + k] : 0.f;
                }
            }
#pragma unroll
            for (int u = 0; u < 4; u++) {
                const long long r = r0 + u * step;
                if (r >= rows) break;
                if (whole) {
                    hyena_u2 o;
                    o.x = bf16x2_bits(v[u][0], v[u][1]);
                    o.y = bf16x2_bits(v[u][2], v[u][3]);
                    *(hyena_u2*)(gx + r * D + f) = o;
                } else {
                    for (int k = 0; k < 4; k++) if (f + k < D) st(gx, r * D + f + k, v[u][k]);
                }
                for (int k = 0; k < 4; k++) acc[k] += v[u][k];
            }
        }
        for (int k = 0; k < 4; k++) sums[lane][4 * c + k] = acc[k];
    }
    __syncthreads();
    store_lane_sums(sums, 128, f0, D, partial);
}
";

        /// <summary>The kernel's entry point.</summary>
        internal static readonly string[] FunctionNames = { "hyena_widen_add_bias", "hyena_bias_grad_narrow" };

        /// <summary>Features a block of the backward kernel covers (32 threads of 4).</summary>
        internal const int FeatureTile = 128;

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

        /// <summary>float(<paramref name="x"/>) + <paramref name="bias"/> without an autograd node (by the kernel where it applies).</summary>
        internal static Tensor Forward(Tensor x, Tensor bias) => KernelApplies(x, bias) ? KernelForward(x, bias) : x + bias;

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

        // Whether the backward kernel takes the gradient g of y for an x of type xType: bfloat16 x, g float32 and contiguous
        // on CUDA with a last dimension, kernels ready.
        private static bool BackwardKernelApplies(Tensor g, ScalarType xType)
            => xType == ScalarType.BFloat16 && g.device_type == DeviceType.CUDA && g.dtype == ScalarType.Float32 && g.dim() >= 1
               && g.size(-1) >= 1 && g.size(-1) <= int.MaxValue && g.is_contiguous() && CudaKernels.TryEnsure(CudaKernels.DeviceIndex(g));

        /// <summary>
        /// <paramref name="g"/> (float32, the gradient of a float32 output over its last dimension) rounded to bfloat16 and
        /// summed over all but its last dimension: the backward pass of a bias added as a bfloat16 tensor is widened, here
        /// and in <see cref="WideningLinearFunction"/>. On CUDA one pass of the backward kernel; elsewhere a cast and a sum.
        /// </summary>
        internal static (Tensor Narrowed, Tensor Sum) NarrowAndSum(Tensor g)
            => BackwardKernelApplies(g, ScalarType.BFloat16)
                ? KernelBackward(g)
                : (g.to_type(ScalarType.BFloat16), g.reshape(-1, g.size(-1)).sum(0L));

        // x's gradient (g rounded to bfloat16) and the bias's (g summed over its rows) in one pass over g, then the row
        // blocks' partial sums added.
        private static unsafe (Tensor gx, Tensor gb) KernelBackward(Tensor g)
        {
            using var scope = NewDisposeScope();
            int device = CudaKernels.DeviceIndex(g), width = (int)g.size(-1);
            long rows = g.numel() / width;
            var gx = empty(g.shape, ScalarType.BFloat16, g.device);
            long rowBlocks = CudaKernels.SumRowBlocks(rows);
            var partial = empty(new[] { rowBlocks, (long)width }, ScalarType.Float32, g.device);   // the kernel writes every element
            IntPtr pg = CudaKernels.DataPointer(g), pgx = CudaKernels.DataPointer(gx), pp = CudaKernels.DataPointer(partial);
            void** args = stackalloc void*[] { &pg, &pgx, &pp, &rows, &width };
            uint featureBlocks = (uint)((width + FeatureTile - 1) / FeatureTile);
            CudaKernels.Launch(device, "hyena_bias_grad_narrow", (featureBlocks, (uint)rowBlocks), args, Threads, 0);
            var gb = CudaKernels.AddRowBlocks(partial);
            return (scope.MoveToOuter(gx), scope.MoveToOuter(gb));
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            GradientHandOff.TakeUndefinedGradients(ctx);
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
                bool xGrad = (bool)ctx.get_data("xGrad"), biasGrad = (bool)ctx.get_data("biasGrad");
                if (xGrad && biasGrad && BackwardKernelApplies(grad_output, xType))
                {
                    var (kgx, kgb) = KernelBackward(grad_output);
                    return new List<Tensor> { kgx, kgb };
                }
                Tensor? gx = null, gb = null;
                if (xGrad)
                    gx = grad_output.to_type(xType);
                if (biasGrad)
                    gb = grad_output.reshape(-1, grad_output.size(-1)).sum(0L);
                return new List<Tensor> { gx!, gb! };
            });
    }
}
