using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// Layer normalisation over the last dimension with a weight and a bias, as one autograd node whose backward pass on
    /// CUDA is two NVRTC kernels (<see cref="Source"/>): the forward pass is libtorch's own <c>layer_norm</c>. libtorch's
    /// backward pass for float32 at 4 x 16k x 768 on an H200 took 0.14 ms for the input's gradient and 0.28 ms for the
    /// weight's and bias's (its column-sum kernel ran 24 blocks), nine times a training step of the classifier (i1's
    /// profile). Here the input's gradient is one pass a row (a warp a row, the row read once into registers where it
    /// fits), and the weight's and bias's are column sums over row blocks (blocks of 32 columns by 8 row lanes, enough to
    /// fill the device), finished by a library sum: 0.17 and 0.16 ms there, a step 0.6 to 0.7 ms shorter (docs/benchmarks.md,
    /// twenty-first session). The input's gradient is still slower than libtorch's; the column sums pay for it.
    /// </summary>
    /// <remarks>
    /// The mean and the reciprocal standard deviation are recomputed from x in the first kernel (two passes over the row,
    /// the mean and then the mean square about it, the same statistics as libtorch's forward up to rounding) and handed to
    /// the second. Elsewhere (the CPU, other types, no weight or bias, grad mode off) it is <c>layer_norm</c> itself.
    /// </remarks>
    internal sealed class LayerNormFunction : autograd.SingleTensorFunction<LayerNormFunction>
    {
        /// <summary>
        /// The kernels' CUDA source (part of <see cref="CudaKernels.Source"/>; also run on the CPU by Emulation/LayerNorm.cpp,
        /// standalone: it uses none of the common source's helpers).
        /// </summary>
        internal const string Source = @"
// ---- Layer normalisation's backward pass (LayerNormFunction). ----
// y = (x - mean) rstd w + b over the last dimension D of x (rows, D); x, dy, w float32 and contiguous.
// A sum over the lanes of a warp (lanes = 32, or fewer where a block is smaller: one thread a row in the CPU emulation).
__device__ __forceinline__ float hyena_ln_lanes_sum(float s, int lanes) {
    for (int o = 16; o > 0; o >>= 1)
        if (o < lanes) s += __shfl_xor_sync(0xffffffffu, s, o);
    return s;
}

// The input's gradient: with xhat = (x - mean) rstd and g = dy w, dx = rstd (g - mean_D(g) - xhat mean_D(g xhat)). mean
// and rstd = 1 / sqrt(var + eps) from x in two passes (the mean, then the mean square of x - mean), written to mean[row]
// and rstd[row] for the second kernel. A row a warp: the block's warps take consecutive rows. Where a lane's share of the
// row fits 8 vectors of 4 (D a multiple of 4 up to 32 x 32 = 1,024 for a warp, the pointers 16-byte aligned), the row's x
// and dy are read once, as vectors, into registers (lane l takes vectors l, l + lanes, ...); otherwise each pass reads
// them again (a lane takes the columns lane, lane + 32, ...). Grid ceil(rows / warps a block).
#define HYENA_LN_VECTORS 8
extern ""C"" __global__ void __launch_bounds__(256) hyena_layer_norm_grad_input(const float* dy, const float* x, const float* w,
        float* dx, float* mean, float* rstd, long long rows, int D, float eps) {
    const int lanes = blockDim.x < 32 ? (int)blockDim.x : 32;
    const int lane = threadIdx.x % lanes;
    const long long row = (long long)blockIdx.x * (blockDim.x / lanes) + threadIdx.x / lanes;
    if (row >= rows) return;                                  // the whole warp: its lanes share the row
    const float* xr = x + row * D;
    const float* gr = dy + row * D;
    float* dxr = dx + row * D;
    const float invD = 1.f / (float)D;
    const int vectors = D >> 2;
    const bool cached = (D & 3) == 0 && vectors <= HYENA_LN_VECTORS * lanes
        && ((((unsigned long long)x) | ((unsigned long long)dy) | ((unsigned long long)w) | ((unsigned long long)dx)) & 15ull) == 0ull;
    float mu, r, a = 0.f, b = 0.f;
    if (cached) {
        const float4* x4 = (const float4*)xr;
        const float4* g4 = (const float4*)gr;
        const float4* w4 = (const float4*)w;
        float4 xv[HYENA_LN_VECTORS], gv[HYENA_LN_VECTORS];
        float s = 0.f;
#pragma unroll
        for (int k = 0; k < HYENA_LN_VECTORS; k++) {
            const int v = lane + k * lanes;
            if (v < vectors) {
                xv[k] = x4[v];
                gv[k] = g4[v];
                s += (xv[k].x + xv[k].y) + (xv[k].z + xv[k].w);
            }
        }
        mu = hyena_ln_lanes_sum(s, lanes) * invD;
        float q = 0.f;
#pragma unroll
        for (int k = 0; k < HYENA_LN_VECTORS; k++) {
            if (lane + k * lanes < vectors) {
                const float c0 = xv[k].x - mu, c1 = xv[k].y - mu, c2 = xv[k].z - mu, c3 = xv[k].w - mu;
                q += (c0 * c0 + c1 * c1) + (c2 * c2 + c3 * c3);
            }
        }
        r = rsqrtf(hyena_ln_lanes_sum(q, lanes) * invD + eps);
#pragma unroll
        for (int k = 0; k < HYENA_LN_VECTORS; k++) {
            const int v = lane + k * lanes;
            if (v < vectors) {
                const float4 wk = w4[v];
                gv[k].x *= wk.x; gv[k].y *= wk.y; gv[k].z *= wk.z; gv[k].w *= wk.w;            // g = dy w, kept
                xv[k].x = (xv[k].x - mu) * r; xv[k].y = (xv[k].y - mu) * r;                   // xhat, kept
                xv[k].z = (xv[k].z - mu) * r; xv[k].w = (xv[k].w - mu) * r;
                a += (gv[k].x + gv[k].y) + (gv[k].z + gv[k].w);
                b += (gv[k].x * xv[k].x + gv[k].y * xv[k].y) + (gv[k].z * xv[k].z + gv[k].w * xv[k].w);
            }
        }
        a = hyena_ln_lanes_sum(a, lanes) * invD;
        b = hyena_ln_lanes_sum(b, lanes) * invD;
        float4* dx4 = (float4*)dxr;
#pragma unroll
        for (int k = 0; k < HYENA_LN_VECTORS; k++) {
            const int v = lane + k * lanes;
            if (v < vectors) {
                float4 o;
                o.x = r * (gv[k].x - a - xv[k].x * b); o.y = r * (gv[k].y - a - xv[k].y * b);
                o.z = r * (gv[k].z - a - xv[k].z * b); o.w = r * (gv[k].w - a - xv[k].w * b);
                dx4[v] = o;
            }
        }
    } else {
        float s = 0.f;
        for (int j = lane; j < D; j += lanes) s += xr[j];
        mu = hyena_ln_lanes_sum(s, lanes) * invD;
        float q = 0.f;
        for (int j = lane; j < D; j += lanes) { const float c = xr[j] - mu; q += c * c; }
        r = rsqrtf(hyena_ln_lanes_sum(q, lanes) * invD + eps);
        for (int j = lane; j < D; j += lanes) {
            const float g = gr[j] * w[j];
            a += g;
            b += g * ((xr[j] - mu) * r);
        }
        a = hyena_ln_lanes_sum(a, lanes) * invD;
        b = hyena_ln_lanes_sum(b, lanes) * invD;
        for (int j = lane; j < D; j += lanes) {
            const float g = gr[j] * w[j];
            dxr[j] = r * (g - a - ((xr[j] - mu) * r) * b);
        }
    }
    if (lane == 0) { mean[row] = mu; rstd[row] = r; }
}

// The weight's and bias's gradients as column sums over row blocks: partialW[blockIdx.y, f] = the sum of
// dy[r, f] (x[r, f] - mean[r]) rstd[r] and partialB[blockIdx.y, f] that of dy[r, f] over the rows r this block visits
// (blockIdx.y * 8 + lane, stepping by gridDim.y * 8), a library sum over the row blocks then finishing them. Block of 256
// threads as 8 row lanes of 32 columns (the tile from blockIdx.x * 32: a lane's loads of a row are 128 contiguous bytes),
// 4 rows' loads in flight a thread. Loops over the thread index, so one thread may run a whole block (the CPU emulation
// does). Grid (ceil(D / 32), row blocks).
extern ""C"" __global__ void __launch_bounds__(256) hyena_layer_norm_grad_affine(const float* dy, const float* x, const float* mean,
        const float* rstd, float* partialW, float* partialB, long long rows, int D) {
    __shared__ float sw[8][33], sb[8][33];
    const int f0 = blockIdx.x * 32;
    const long long step = (long long)gridDim.y * 8;
    for (int e = threadIdx.x; e < 256; e += blockDim.x) {
        const int c = e & 31, lane = e >> 5, f = f0 + c;
        float aw = 0.f, ab = 0.f;
        if (f < D) {
            for (long long r0 = (long long)blockIdx.y * 8 + lane; r0 < rows; r0 += 4 * step) {
                float g[4], h[4];
#pragma unroll
                for (int u = 0; u < 4; u++) {
                    const long long r = r0 + u * step;
                    g[u] = r < rows ? dy[r * D + f] : 0.f;
                    h[u] = r < rows ? (x[r * D + f] - mean[r]) * rstd[r] : 0.f;
                }
#pragma unroll
                for (int u = 0; u < 4; u++) { aw += g[u] * h[u]; ab += g[u]; }
            }
        }
        sw[lane][c] = aw;
        sb[lane][c] = ab;
    }
    __syncthreads();
    for (int c = threadIdx.x; c < 32; c += blockDim.x) {
        const int f = f0 + c;
        if (f >= D) continue;
        float tw = 0.f, tb = 0.f;
        for (int lane = 0; lane < 8; lane++) { tw += sw[lane][c]; tb += sb[lane][c]; }
        partialW[(long long)blockIdx.y * D + f] = tw;
        partialB[(long long)blockIdx.y * D + f] = tb;
    }
}
";

        /// <summary>The kernels' entry points.</summary>
        internal static readonly string[] FunctionNames = { "hyena_layer_norm_grad_input", "hyena_layer_norm_grad_affine" };

        /// <summary>Threads a block of either kernel (the first: 8 warps, a row each).</summary>
        private const int Threads = 256;

        /// <summary>Rows a block of the first kernel.</summary>
        private const int RowsPerBlock = Threads / 32;

        /// <summary>Columns a block of the second kernel.</summary>
        internal const int ColumnTile = 32;

        /// <summary>Row lanes a block of the second kernel.</summary>
        internal const int RowLanes = 8;

        /// <summary>At most this many row blocks in the second kernel (each then loops over its share of the rows).</summary>
        internal const int MaxRowBlocks = 256;

        public override string Name => "HyenaLayerNorm";

        /// <summary>
        /// <paramref name="norm"/> applied to <paramref name="x"/>: this node where its kernels take the backward pass
        /// (<see cref="KernelsApply"/>, with a gradient to compute), else the module itself.
        /// </summary>
        internal static Tensor Normalize(LayerNorm norm, Tensor x)
        {
            var (weight, bias) = (norm.weight, norm.bias);
            return weight is not null && bias is not null && is_grad_enabled() && (x.requires_grad || weight.requires_grad || bias.requires_grad)
                   && norm.normalized_shape.Length == 1 && KernelsApply(x, weight, bias)
                ? apply(x, weight, bias, norm.eps)
                : norm.call(x);
        }

        /// <summary>
        /// Whether the kernels take the backward pass: on CUDA, x, the weight and the bias float32 and contiguous on one
        /// device, the weight and the bias of x's last dimension, kernels ready there.
        /// </summary>
        internal static bool KernelsApply(Tensor x, Tensor weight, Tensor bias)
        {
            bool Fits(Tensor t) => t.device_type == DeviceType.CUDA && t.device_index == x.device_index && t.dtype == ScalarType.Float32 && t.is_contiguous();
            return x.dim() >= 1 && x.size(-1) >= 1 && x.size(-1) <= int.MaxValue && x.numel() > 0
                && weight.dim() == 1 && bias.dim() == 1 && weight.size(0) == x.size(-1) && bias.size(0) == x.size(-1)
                && Fits(x) && Fits(weight) && Fits(bias)
                && (x.numel() / x.size(-1) + RowsPerBlock - 1) / RowsPerBlock <= int.MaxValue
                && CudaKernels.TryEnsure(CudaKernels.DeviceIndex(x));
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var x = (Tensor)vars[0];
            var weight = (Tensor)vars[1];
            var bias = (Tensor)vars[2];
            double eps = (double)vars[3];
            ctx.save_for_backward(new List<Tensor> { x, weight });
            ctx.save_data("eps", eps);
            ctx.save_data("flags", new[] { x.requires_grad, weight.requires_grad, bias.requires_grad });
            return nn.functional.layer_norm(x, new[] { x.size(-1) }, weight, bias, eps);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("layer norm", 4, grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var flags = (bool[])ctx.get_data("flags");
                var (dx, dw, db) = Backward(grad_output.AsContiguous(), saved[0], saved[1], (double)ctx.get_data("eps"));
                return new List<Tensor> { flags[0] ? dx : null!, flags[1] ? dw : null!, flags[2] ? db : null!, null! };
            });

        /// <summary>The gradients of x, the weight and the bias for the gradient <paramref name="dy"/> of the output (call where the kernels apply).</summary>
        internal static unsafe (Tensor Dx, Tensor Dw, Tensor Db) Backward(Tensor dy, Tensor x, Tensor weight, double eps)
        {
            using var scope = NewDisposeScope();
            int device = CudaKernels.DeviceIndex(x), width = (int)x.size(-1);
            long rows = x.numel() / width;
            var dx = empty(x.shape, ScalarType.Float32, x.device);
            var mean = empty(rows, ScalarType.Float32, x.device);
            var rstd = empty(rows, ScalarType.Float32, x.device);
            float e = (float)eps;
            IntPtr pdy = CudaKernels.DataPointer(dy), px = CudaKernels.DataPointer(x), pw = CudaKernels.DataPointer(weight);
            IntPtr pdx = CudaKernels.DataPointer(dx), pm = CudaKernels.DataPointer(mean), pr = CudaKernels.DataPointer(rstd);
            void** first = stackalloc void*[] { &pdy, &px, &pw, &pdx, &pm, &pr, &rows, &width, &e };
            CudaKernels.Launch(device, "hyena_layer_norm_grad_input", ((uint)((rows + RowsPerBlock - 1) / RowsPerBlock), 1), first, Threads, 0);

            long rowBlocks = Math.Clamp((rows + RowLanes - 1) / RowLanes, 1, MaxRowBlocks);
            var partialW = empty(new[] { rowBlocks, (long)width }, ScalarType.Float32, x.device);   // the kernel writes every element
            var partialB = empty(new[] { rowBlocks, (long)width }, ScalarType.Float32, x.device);
            IntPtr ppw = CudaKernels.DataPointer(partialW), ppb = CudaKernels.DataPointer(partialB);
            void** second = stackalloc void*[] { &pdy, &px, &pm, &pr, &ppw, &ppb, &rows, &width };
            uint columnBlocks = (uint)((width + ColumnTile - 1) / ColumnTile);
            CudaKernels.Launch(device, "hyena_layer_norm_grad_affine", (columnBlocks, (uint)rowBlocks), second, Threads, 0);
            var dw = rowBlocks == 1 ? partialW.squeeze(0) : partialW.sum(0L);
            var db = rowBlocks == 1 ? partialB.squeeze(0) : partialB.sum(0L);
            return (scope.MoveToOuter(dx), scope.MoveToOuter(dw), scope.MoveToOuter(db));
        }
    }
}
