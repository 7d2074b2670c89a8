using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;
using StridedOperand = Microsoft.ML.Hyena.Kernels.WideningProduct.StridedOperand;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// The MLP's first layer and its activation in bfloat16, h = GELU(x W^T + b) (the exact GELU, with erf), as one
    /// autograd node (<see cref="Modules.FeedForward"/>): x (rows, k) float32 or bfloat16, W (m, k) and b (m) the master
    /// weights (float32 or bfloat16), h (rows, m) bfloat16. The forward pass is the library calls it replaces (the
    /// product with its bias in cuBLASLt's epilogue, on x and the weights cast to bfloat16, then libtorch's GELU: a
    /// vectorised kernel of this GELU took 0.27 ms at 4 x 16k x 3072 on an H200 against libtorch's 0.26, the pass being
    /// bound by erf's instructions). The backward pass replaces four passes over memory:
    /// <list type="bullet">
    /// <item>GELU's gradient and the bias's in one kernel (<c>hyena_gelu_bwd_bias</c>): the pre-activation's gradient
    /// rounded to bfloat16 as libtorch rounds it, and each row block's column sums of it for the bias in float32 (libtorch
    /// summed it again in a second pass and rounded the sum to bfloat16);</item>
    /// <item>x's gradient for a float32 x written in float32 by the cuBLASLt product (<see cref="WideningProduct"/>),
    /// where a bfloat16 product was widened by a copy (0.14 ms at 4 x 16k rows of 768 on an H200);</item>
    /// <item>the weight's gradient written in its own type by the product, where a bfloat16 product was widened.</item>
    /// </list>
    /// Elsewhere (no kernels: the CPU, for the node's own tests) the node composes library calls with the same formulas.
    /// </summary>
    internal sealed class LinearGeluFunction : autograd.SingleTensorFunction<LinearGeluFunction>
    {
        /// <summary>
        /// The kernel's CUDA source (part of <see cref="CudaKernels.Source"/>, after the short filter's, whose vector type and
        /// alignment test it uses, and with the common source's bfloat16 helpers and lane sums; also run on the CPU by
        /// Emulation/LinearGelu.cpp).
        /// </summary>
        internal const string Source = @"
// ---- The MLP's GELU in bfloat16 and its backward pass with the first product's bias gradient (LinearGeluFunction). ----
// The exact GELU's derivative as libtorch computes it for bfloat16 (GeluType::None), in float32: dy (cdf + x pdf) with
// cdf = 0.5 (1 + erf(x / sqrt(2))) and pdf = exp(-x^2 / 2) / sqrt(2 pi).
#define HYENA_GELU_ALPHA 0.70710678118654752440f
#define HYENA_GELU_BETA 0.39894228040143267794f
__device__ __forceinline__ float hyena_gelu_grad(float x, float dy) {
    const float cdf = 0.5f * (1.f + erff(x * HYENA_GELU_ALPHA));
    const float pdf = expf(-0.5f * x * x) * HYENA_GELU_BETA;
    return dy * (cdf + x * pdf);
}

// GELU's backward pass and the bias's gradient of the product before it, in one pass: dx = GELU'(x) dy rounded to
// bfloat16, and partial[blockIdx.y, f] = the sum of dx[r, f] as rounded over the rows r this block visits (rows
// blockIdx.y * 8 + lane, stepping by gridDim.y * 8), the bias's gradient once the row blocks' sums are added. dy, x,
// dx: (rows, H) bfloat16, contiguous. Block of 256 threads as 8 row lanes of 32 threads; a thread takes 8 consecutive
// features of the block's tile of 256 (blockIdx.x), as 16-byte vectors where H is a multiple of 8 and dy, x and dx are
// 16-byte aligned, and issues 4 rows' loads before their uses. Grid (ceil(H / 256), row blocks). Loops over the thread
// index, so one thread may run a whole block (the CPU emulation does).
extern ""C"" __global__ void __launch_bounds__(256) hyena_gelu_bwd_bias(const bf16_t* dy, const bf16_t* x, bf16_t* dx, float* partial,
        long long rows, int H) {
    __shared__ float sums[8][257];
    const int f0 = blockIdx.x * 256;
    const bool vector = (H & 7) == 0 && aligned16(dy) && aligned16(x) && aligned16(dx);
    const long long step = (long long)gridDim.y * 8;
    for (int e = threadIdx.x; e < 256; e += blockDim.x) {
        const int c = e & 31, lane = e >> 5, f = f0 + 8 * c;
        const bool whole = vector && f + 8 <= H;
        float acc[8] = { 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f };
        for (long long r0 = (long long)blockIdx.y * 8 + lane; r0 < rows; r0 += 4 * step) {
            if (whole) {
                hyena_u4 gv[4], xv[4];
#pragma unroll
                for (int u = 0; u < 4; u++) {
                    const long long r = r0 + u * step;
                    if (r < rows) {
                        gv[u] = *(const hyena_u4*)(dy + r * H + f);
                        xv[u] = *(const hyena_u4*)(x + r * H + f);
                    }
                }
#pragma unroll
                for (int u = 0; u < 4; u++) {
                    const long long r = r0 + u * step;
                    if (r >= rows) break;
                    const unsigned int gw[4] = { gv[u].x, gv[u].y, gv[u].z, gv[u].w }, xw[4] = { xv[u].x, xv[u].y, xv[u].z, xv[u].w };
                    unsigned int ow[4];
#pragma unroll
                    for (int k = 0; k < 4; k++) {
                        ow[k] = bf16x2_bits(hyena_gelu_grad(bf16_lo(xw[k]), bf16_lo(gw[k])), hyena_gelu_grad(bf16_hi(xw[k]), bf16_hi(gw[k])));
                        acc[2 * k] += bf16_lo(ow[k]);
                        acc[2 * k + 1] += bf16_hi(ow[k]);
                    }
                    hyena_u4 o;
                    o.x = ow[0]; o.y = ow[1]; o.z = ow[2]; o.w = ow[3];
                    *(hyena_u4*)(dx + r * H + f) = o;
                }
            } else {
                for (int u = 0; u < 4; u++) {
                    const long long r = r0 + u * step;
                    if (r >= rows) break;
                    for (int k = 0; k < 8 && f + k < H; k++) {
                        const long long i = r * H + f + k;
                        const unsigned int b = bf16_bits(hyena_gelu_grad(ld(x, i), ld(dy, i)));
                        dx[i] = (bf16_t)b;
                        acc[k] += bf16_lo(b);
                    }
                }
            }
        }
        for (int k = 0; k < 8; k++) sums[lane][8 * c + k] = acc[k];
    }
    __syncthreads();
    store_lane_sums(sums, 256, f0, H, partial);
}
";

        /// <summary>The kernel's entry point.</summary>
        internal static readonly string[] FunctionNames = { "hyena_gelu_bwd_bias" };

        /// <summary>Threads a block of the kernel.</summary>
        private const int Threads = 256;

        /// <summary>Features a block of the backward kernel covers (32 threads of 8).</summary>
        internal const int FeatureTile = 256;

        /// <summary>1 / sqrt(2), libtorch's kAlpha.</summary>
        private const double Alpha = 0.70710678118654752440;

        /// <summary>1 / sqrt(2 pi), libtorch's kBeta.</summary>
        private const double Beta = 0.39894228040143267794;

        public override string Name => "HyenaLinearGelu";

        /// <summary>
        /// Whether <see cref="Modules.FeedForward"/> takes this node for its first layer: a bias, and x on a CUDA device where
        /// the kernels are ready. The rest <see cref="Apply"/> checks or handles itself (any floating-point x and weights
        /// are cast to bfloat16, the gradients handed back in their types; where the kernel or cuBLASLt cannot take an
        /// operand, the node composes library calls), so asking does not describe the operands a second time on the hot path.
        /// </summary>
        public static bool Applies(Tensor x, Tensor? bias)
            => bias is not null && x.device_type == DeviceType.CUDA && CudaKernels.TryEnsure(CudaKernels.DeviceIndex(x));

        /// <summary>
        /// GELU(x W^T + b) in bfloat16 for x (rows, k): the product on x and the weights cast to bfloat16, its bias added in
        /// it, the GELU rounded once (see the class's summary). An autograd node where a gradient is wanted.
        /// </summary>
        public static Tensor Apply(Tensor x, Tensor weight, Tensor bias)
        {
            if (x.dim() != 2 || weight.dim() != 2 || bias.dim() != 1 || weight.size(1) != x.size(1) || bias.size(0) != weight.size(0))
                throw new ArgumentException($"Expected x (rows, k), a weight (m, k) and a bias (m); got ({string.Join(", ", x.shape)}), ({string.Join(", ", weight.shape)}) and ({string.Join(", ", bias.shape)}).");
            if (is_grad_enabled() && (x.requires_grad || weight.requires_grad || bias.requires_grad))
                return apply(x, weight, bias);
            using var scope = NewDisposeScope();
            return scope.MoveToOuter(nn.functional.gelu(PreActivation(x.InType(ScalarType.BFloat16), weight.InType(ScalarType.BFloat16), bias.InType(ScalarType.BFloat16))));
        }

        // The product with its bias, in bfloat16 (addmm: the bias in cuBLASLt's epilogue on CUDA).
        private static Tensor PreActivation(Tensor x, Tensor weight, Tensor bias) => nn.functional.linear(x, weight, bias);

        // Whether the kernels take a bfloat16 tensor: contiguous on CUDA, kernels ready (Applies checked the device).
        private static bool KernelsTake(Tensor t) => t.device_type == DeviceType.CUDA && t.dtype == ScalarType.BFloat16 && t.is_contiguous();

        /// <summary>
        /// The gradient of the pre-activation (rows, m) for the gradient <paramref name="dy"/> of GELU(pre), rounded to
        /// bfloat16, and its sum over the rows in float32 (the bias's gradient): by <c>hyena_gelu_bwd_bias</c> on CUDA,
        /// else the same formula composed of library calls.
        /// </summary>
        internal static unsafe (Tensor Dpre, Tensor BiasGrad) Derive(Tensor dy, Tensor pre)
        {
            using var scope = NewDisposeScope();
            if (!(KernelsTake(dy) && KernelsTake(pre) && CudaKernels.TryEnsure(CudaKernels.DeviceIndex(pre))))
            {
                var p = pre.to_type(ScalarType.Float32);
                var cdf = (p * Alpha).erf().add_(1).mul_(0.5);
                var pdf = (p * p).mul_(-0.5).exp_().mul_(Beta);
                var d = dy.to_type(ScalarType.Float32).mul(cdf.add_(p * pdf)).to_type(pre.dtype);
                return (scope.MoveToOuter(d), scope.MoveToOuter(d.to_type(ScalarType.Float32).sum(0L)));
            }
            int device = CudaKernels.DeviceIndex(pre), width = (int)pre.size(1);
            long rows = pre.size(0);
            var dpre = empty(pre.shape, ScalarType.BFloat16, pre.device);
            long rowBlocks = CudaKernels.SumRowBlocks(rows);
            var partial = empty(new[] { rowBlocks, (long)width }, ScalarType.Float32, pre.device);   // the kernel writes every element
            IntPtr pdy = CudaKernels.DataPointer(dy), pp = CudaKernels.DataPointer(pre), pd = CudaKernels.DataPointer(dpre), ppart = CudaKernels.DataPointer(partial);
            void** arguments = stackalloc void*[] { &pdy, &pp, &pd, &ppart, &rows, &width };
            uint featureBlocks = (uint)((width + FeatureTile - 1) / FeatureTile);
            CudaKernels.Launch(device, "hyena_gelu_bwd_bias", (featureBlocks, (uint)rowBlocks), arguments, Threads, 0);
            var sum = CudaKernels.AddRowBlocks(partial);
            return (scope.MoveToOuter(dpre), scope.MoveToOuter(sum));
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            GradientHandOff.TakeUndefinedGradients(ctx);
            var x = (Tensor)vars[0];
            var weight = (Tensor)vars[1];
            var bias = (Tensor)vars[2];
            // Unrecorded casts: the gradients are handed back in the inputs' own types.
            var xc = x.InType(ScalarType.BFloat16);
            var wc = weight.InType(ScalarType.BFloat16);
            var pre = PreActivation(xc, wc, bias.InType(ScalarType.BFloat16));
            ctx.save_for_backward(new List<Tensor> { xc, wc, pre });
            ctx.save_data("types", new[] { (int)x.dtype, (int)weight.dtype, (int)bias.dtype });
            ctx.save_data("flags", new[] { x.requires_grad, weight.requires_grad, bias.requires_grad });
            return nn.functional.gelu(pre);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("linear GELU", 3, grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (xc, wc, pre) = (saved[0], saved[1], saved[2]);
                var types = (int[])ctx.get_data("types");
                var flags = (bool[])ctx.get_data("flags");
                var (xType, weightType, biasType) = ((ScalarType)types[0], (ScalarType)types[1], (ScalarType)types[2]);
                var (dpre, biasGrad) = Derive(grad_output.InType(ScalarType.BFloat16).AsContiguous(), pre);
                Tensor? gx = null, gw = null;
                if (flags[0])
                {
                    // (rows, k) = dpre W, written in x's type by the product where that is float32 (no widening copy).
                    gx = xType == ScalarType.Float32 ? WideningProduct.TryProduct(dpre, wc, null) : null;
                    gx ??= dpre.mm(wc).InType(xType);
                }
                if (flags[1])
                {
                    // (m, k) = dpre^T x over the rows, written in the weight's own type by the product.
                    gw = WideningProduct.TryProduct(StridedOperand.Of(dpre).Transposed(), StridedOperand.Of(xc), null, weightType);
                    gw ??= dpre.t().mm(xc).InType(weightType);
                }
                return new List<Tensor> { gx!, gw!, flags[2] ? biasGrad.InType(biasType) : null! };
            });
    }
}
