using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// Layer normalisation over the last dimension with a weight and a bias, as one autograd node run on CUDA by NVRTC
    /// kernels (<see cref="Source"/>). For rows up to <see cref="OnePassMaxWidth"/> wide (a multiple of 4, 16-byte
    /// aligned), each pass reads its operands once, a warp a row with the row held in registers:
    /// <list type="bullet">
    /// <item>the forward pass, <c>hyena_layer_norm_fwd_rows_V</c>: 0.095 ms at 4 x 16k x 768 on an H200, where libtorch's
    /// took 0.18 (44 % of DRAM's peak);</item>
    /// <item>the backward pass, <c>hyena_layer_norm_grad_rows_V</c>: the input's gradient written and each block's column
    /// sums for the weight and the bias kept, a library sum over the blocks finishing them; 0.18 ms, where libtorch's
    /// took 0.14 for the input's gradient and 0.28 for the weight's and bias's (its column-sum kernel ran 24 blocks).</item>
    /// </list>
    /// Nine layer norms a training step of the classifier: the step 1.9 ms shorter at 16k in both models
    /// (docs/benchmarks.md, twenty-second session). Other rows keep libtorch's forward pass and take two backward passes:
    /// the input's gradient (<c>hyena_layer_norm_grad_input</c>, reading the row again in each of its passes), then the
    /// column sums over row blocks reading x and dy again (<c>hyena_layer_norm_grad_affine</c>).
    /// </summary>
    /// <remarks>
    /// The mean and the reciprocal standard deviation are recomputed from x in the backward pass (the mean, then the mean
    /// square about it: the one-pass forward kernel's statistics in the same order, libtorch's up to rounding). The sums
    /// over rows are added in a fixed order (no atomics), so a run repeats to the bit. Elsewhere (the CPU, other types, no
    /// weight or bias, grad mode off) it is <c>layer_norm</c> itself.
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

// The input's gradient where the one-pass kernel below does not take the rows (wider than 1,024, not a multiple of 4, or
// not 16-byte aligned): with xhat = (x - mean) rstd and g = dy w, dx = rstd (g - mean_D(g) - xhat mean_D(g xhat)). mean
// and rstd = 1 / sqrt(var + eps) from x in two passes (the mean, then the mean square of x - mean), written to mean[row]
// and rstd[row] for the second kernel. A row a warp: the block's warps take consecutive rows; a lane takes the columns
// lane, lane + 32, ..., and each pass reads them again. Grid ceil(rows / warps a block).
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
    float s = 0.f;
    for (int j = lane; j < D; j += lanes) s += xr[j];
    const float mu = hyena_ln_lanes_sum(s, lanes) * invD;
    float q = 0.f;
    for (int j = lane; j < D; j += lanes) { const float c = xr[j] - mu; q += c * c; }
    const float r = rsqrtf(hyena_ln_lanes_sum(q, lanes) * invD + eps);
    float a = 0.f, b = 0.f;
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

// A row's mean and reciprocal standard deviation from a lane's share of it in registers (xv[k] = vector lane + k lanes,
// those below `vectors`) and the lane's sum s of those elements: the mean, then the mean square about it. The one-pass
// kernels below share it, so the forward pass and the backward pass compute the same statistics in the same order.
template <int V>
__device__ __forceinline__ void hyena_ln_statistics(const float4 (&xv)[V], float s, int lane, int lanes, int vectors,
        float invD, float eps, float& mu, float& r) {
    mu = hyena_ln_lanes_sum(s, lanes) * invD;
    float q = 0.f;
#pragma unroll
    for (int k = 0; k < V; k++) {
        if (lane + k * lanes < vectors) {
            const float c0 = xv[k].x - mu, c1 = xv[k].y - mu, c2 = xv[k].z - mu, c3 = xv[k].w - mu;
            q += (c0 * c0 + c1 * c1) + (c2 * c2 + c3 * c3);
        }
    }
    r = rsqrtf(hyena_ln_lanes_sum(q, lanes) * invD + eps);
}

// The whole backward pass in one kernel where a lane's share of a row fits V vectors of 4 (D a multiple of 4 up to
// V x 32 x 4 for a warp; the host also checks that x, dy, w and dx are 16-byte aligned): a warp a row, the block's warps
// taking rows blockIdx.x * warps + warp, then stepping by gridDim.x * warps (a grid of a few blocks a multiprocessor). A
// row is read once, as vectors, into registers; the input's gradient is written as hyena_layer_norm_grad_input writes it,
// and the lane keeps its columns' sums of dy xhat and dy over the rows it visits. At the end the block's warps add theirs,
// one warp after the other (a fixed order, no atomics), into shared memory, and the block writes
// partialW[blockIdx.x, :] and partialB[blockIdx.x, :] for a library sum over the blocks. So x and dy are read once in
// all, against twice by the two kernels above. V is 2, 4, 6 or 8 (one entry point each): the fewest that hold the row,
// so that no registers go to vector slots a width never fills.
#define HYENA_LN_MAX_WIDTH 1024
template <int V>
__device__ __forceinline__ void hyena_ln_grad_rows(const float* dy, const float* x, const float* w, float* dx,
        float* partialW, float* partialB, long long rows, int D, float eps) {
    __shared__ float sw[HYENA_LN_MAX_WIDTH], sb[HYENA_LN_MAX_WIDTH];
    const int lanes = blockDim.x < 32 ? (int)blockDim.x : 32;
    const int lane = threadIdx.x % lanes, warp = threadIdx.x / lanes, warps = blockDim.x / lanes;
    const int vectors = D >> 2;
    const float invD = 1.f / (float)D;
    const float4* w4 = (const float4*)w;
    float4 aw[V], ab[V];
#pragma unroll
    for (int k = 0; k < V; k++) { aw[k] = make_float4(0.f, 0.f, 0.f, 0.f); ab[k] = aw[k]; }
    for (long long row = (long long)blockIdx.x * warps + warp; row < rows; row += (long long)gridDim.x * warps) {
        const float4* x4 = (const float4*)(x + row * D);
        const float4* g4 = (const float4*)(dy + row * D);
        float4 xv[V], gv[V];
        float s = 0.f;
#pragma unroll
        for (int k = 0; k < V; k++) {
            const int v = lane + k * lanes;
            if (v < vectors) {
                xv[k] = x4[v];
                gv[k] = g4[v];
                s += (xv[k].x + xv[k].y) + (xv[k].z + xv[k].w);
            }
        }
        float mu, r;
        hyena_ln_statistics<V>(xv, s, lane, lanes, vectors, invD, eps, mu, r);
        float a = 0.f, b = 0.f;
#pragma unroll
        for (int k = 0; k < V; k++) {
            const int v = lane + k * lanes;
            if (v < vectors) {
                xv[k].x = (xv[k].x - mu) * r; xv[k].y = (xv[k].y - mu) * r;                   // xhat, kept
                xv[k].z = (xv[k].z - mu) * r; xv[k].w = (xv[k].w - mu) * r;
                aw[k].x += gv[k].x * xv[k].x; aw[k].y += gv[k].y * xv[k].y;                   // the weight's and bias's
                aw[k].z += gv[k].z * xv[k].z; aw[k].w += gv[k].w * xv[k].w;                   // sums, from dy itself
                ab[k].x += gv[k].x; ab[k].y += gv[k].y; ab[k].z += gv[k].z; ab[k].w += gv[k].w;
                const float4 wk = w4[v];
                gv[k].x *= wk.x; gv[k].y *= wk.y; gv[k].z *= wk.z; gv[k].w *= wk.w;            // g = dy w, kept
                a += (gv[k].x + gv[k].y) + (gv[k].z + gv[k].w);
                b += (gv[k].x * xv[k].x + gv[k].y * xv[k].y) + (gv[k].z * xv[k].z + gv[k].w * xv[k].w);
            }
        }
        a = hyena_ln_lanes_sum(a, lanes) * invD;
        b = hyena_ln_lanes_sum(b, lanes) * invD;
        float4* dx4 = (float4*)(dx + row * D);
#pragma unroll
        for (int k = 0; k < V; k++) {
            const int v = lane + k * lanes;
            if (v < vectors) {
                float4 o;
                o.x = r * (gv[k].x - a - xv[k].x * b); o.y = r * (gv[k].y - a - xv[k].y * b);
                o.z = r * (gv[k].z - a - xv[k].z * b); o.w = r * (gv[k].w - a - xv[k].w * b);
                dx4[v] = o;
            }
        }
    }
    for (int turn = 0; turn < warps; turn++) {
        if (warp == turn) {
#pragma unroll
            for (int k = 0; k < V; k++) {
                const int v = lane + k * lanes;
                if (v < vectors) {
                    const int j = 4 * v;
                    if (turn == 0) {
                        sw[j] = aw[k].x; sw[j + 1] = aw[k].y; sw[j + 2] = aw[k].z; sw[j + 3] = aw[k].w;
                        sb[j] = ab[k].x; sb[j + 1] = ab[k].y; sb[j + 2] = ab[k].z; sb[j + 3] = ab[k].w;
                    } else {
                        sw[j] += aw[k].x; sw[j + 1] += aw[k].y; sw[j + 2] += aw[k].z; sw[j + 3] += aw[k].w;
                        sb[j] += ab[k].x; sb[j + 1] += ab[k].y; sb[j + 2] += ab[k].z; sb[j + 3] += ab[k].w;
                    }
                }
            }
        }
        __syncthreads();
    }
    for (int j = threadIdx.x; j < D; j += blockDim.x) {
        partialW[(long long)blockIdx.x * D + j] = sw[j];
        partialB[(long long)blockIdx.x * D + j] = sb[j];
    }
}
// The forward pass where the one-pass backward kernel takes the rows (V vectors of 4 a lane, 16-byte aligned): a warp a
// row, the row read once into registers, the mean and then the mean square about it (the statistics the backward kernels
// recompute, in the same order), y = (x - mean) rstd w + b written as vectors. Grid ceil(rows / warps a block); the
// statistics are not written (the backward pass recomputes them from x).
template <int V>
__device__ __forceinline__ void hyena_ln_fwd_rows(const float* x, const float* w, const float* bias, float* y,
        long long rows, int D, float eps) {
    const int lanes = blockDim.x < 32 ? (int)blockDim.x : 32;
    const int lane = threadIdx.x % lanes;
    const long long row = (long long)blockIdx.x * (blockDim.x / lanes) + threadIdx.x / lanes;
    if (row >= rows) return;
    const int vectors = D >> 2;
    const float invD = 1.f / (float)D;
    const float4* x4 = (const float4*)(x + row * D);
    float4 xv[V];
    float s = 0.f;
#pragma unroll
    for (int k = 0; k < V; k++) {
        const int v = lane + k * lanes;
        if (v < vectors) {
            xv[k] = x4[v];
            s += (xv[k].x + xv[k].y) + (xv[k].z + xv[k].w);
        }
    }
    float mu, r;
    hyena_ln_statistics<V>(xv, s, lane, lanes, vectors, invD, eps, mu, r);
    const float4* w4 = (const float4*)w;
    const float4* b4 = (const float4*)bias;
    float4* y4 = (float4*)(y + row * D);
#pragma unroll
    for (int k = 0; k < V; k++) {
        const int v = lane + k * lanes;
        if (v < vectors) {
            const float4 wk = w4[v], bk = b4[v];
            float4 o;
            o.x = (xv[k].x - mu) * r * wk.x + bk.x; o.y = (xv[k].y - mu) * r * wk.y + bk.y;
            o.z = (xv[k].z - mu) * r * wk.z + bk.z; o.w = (xv[k].w - mu) * r * wk.w + bk.w;
            y4[v] = o;
        }
    }
}
#define HYENA_LN_GRAD_ROWS(V) \
extern ""C"" __global__ void __launch_bounds__(256) hyena_layer_norm_grad_rows_##V(const float* dy, const float* x, const float* w, float* dx, \
        float* partialW, float* partialB, long long rows, int D, float eps) { hyena_ln_grad_rows<V>(dy, x, w, dx, partialW, partialB, rows, D, eps); }
#define HYENA_LN_FWD_ROWS(V) \
extern ""C"" __global__ void __launch_bounds__(256) hyena_layer_norm_fwd_rows_##V(const float* x, const float* w, const float* bias, float* y, \
        long long rows, int D, float eps) { hyena_ln_fwd_rows<V>(x, w, bias, y, rows, D, eps); }
HYENA_LN_FWD_ROWS(2)
HYENA_LN_FWD_ROWS(4)
HYENA_LN_FWD_ROWS(6)
HYENA_LN_FWD_ROWS(8)
HYENA_LN_GRAD_ROWS(2)
HYENA_LN_GRAD_ROWS(4)
HYENA_LN_GRAD_ROWS(6)
HYENA_LN_GRAD_ROWS(8)
";

        /// <summary>The kernels' entry points.</summary>
        internal static readonly string[] FunctionNames = { "hyena_layer_norm_grad_input", "hyena_layer_norm_grad_affine", "hyena_layer_norm_grad_rows_2", "hyena_layer_norm_grad_rows_4", "hyena_layer_norm_grad_rows_6", "hyena_layer_norm_grad_rows_8", "hyena_layer_norm_fwd_rows_2", "hyena_layer_norm_fwd_rows_4", "hyena_layer_norm_fwd_rows_6", "hyena_layer_norm_fwd_rows_8" };

        /// <summary>Threads a block of either kernel (the first: 8 warps, a row each).</summary>
        private const int Threads = 256;

        /// <summary>Rows a block of the first kernel.</summary>
        private const int RowsPerBlock = Threads / 32;

        /// <summary>Columns a block of the second kernel.</summary>
        internal const int ColumnTile = 32;

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
            GradientHandOff.TakeUndefinedGradients(ctx);
            var x = (Tensor)vars[0];
            var weight = (Tensor)vars[1];
            var bias = (Tensor)vars[2];
            double eps = (double)vars[3];
            ctx.save_for_backward(new List<Tensor> { x, weight });
            ctx.save_data("eps", eps);
            ctx.save_data("flags", new[] { x.requires_grad, weight.requires_grad, bias.requires_grad });
            return Forward(x, weight, bias, eps);
        }

        /// <summary>
        /// y for x (call where the kernels apply): <c>hyena_layer_norm_fwd_rows_V</c> where the one-pass backward kernel
        /// takes the rows (the same statistics in the same order), else libtorch's <c>layer_norm</c>.
        /// </summary>
        internal static unsafe Tensor Forward(Tensor x, Tensor weight, Tensor bias, double eps)
        {
            int width = (int)x.size(-1);
            if (RowVectors(width) is not int vectors || !(CudaKernels.Aligned16(x) && CudaKernels.Aligned16(weight) && CudaKernels.Aligned16(bias)))
                return nn.functional.layer_norm(x, new[] { (long)width }, weight, bias, eps);
            var y = empty(x.shape, ScalarType.Float32, x.device);   // the caching allocator's blocks: 512-byte aligned
            long rows = x.numel() / width;
            float e = (float)eps;
            IntPtr px = CudaKernels.DataPointer(x), pw = CudaKernels.DataPointer(weight), pb = CudaKernels.DataPointer(bias), py = CudaKernels.DataPointer(y);
            void** arguments = stackalloc void*[] { &px, &pw, &pb, &py, &rows, &width, &e };
            CudaKernels.Launch(CudaKernels.DeviceIndex(x), "hyena_layer_norm_fwd_rows_" + vectors, ((uint)((rows + RowsPerBlock - 1) / RowsPerBlock), 1), arguments, Threads, 0);
            return y;
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
        internal static (Tensor Dx, Tensor Dw, Tensor Db) Backward(Tensor dy, Tensor x, Tensor weight, double eps)
        {
            using var scope = NewDisposeScope();
            int device = CudaKernels.DeviceIndex(x), width = (int)x.size(-1);
            long rows = x.numel() / width;
            var dx = empty(x.shape, ScalarType.Float32, x.device);
            var (partialW, partialB) = RowVectors(width) is int vectors
                && CudaKernels.Aligned16(dy) && CudaKernels.Aligned16(x) && CudaKernels.Aligned16(weight) && CudaKernels.Aligned16(dx)
                ? BackwardInOnePass(dy, x, weight, dx, rows, width, (float)eps, vectors, device)
                : BackwardInTwoPasses(dy, x, weight, dx, rows, width, (float)eps, device);
            var dw = CudaKernels.AddRowBlocks(partialW);
            var db = CudaKernels.AddRowBlocks(partialB);
            return (scope.MoveToOuter(dx), scope.MoveToOuter(dw), scope.MoveToOuter(db));
        }

        /// <summary>
        /// The vectors of 4 a lane of <c>hyena_layer_norm_grad_rows_V</c> holds for rows of <paramref name="width"/> (the
        /// fewest of its entry points' 2, 4, 6 and 8 that take the row), or null where the one-pass kernel does not take
        /// it (a width not a multiple of 4 or above <see cref="OnePassMaxWidth"/>).
        /// </summary>
        internal static int? RowVectors(int width)
        {
            if (width % 4 != 0 || width > OnePassMaxWidth)
                return null;
            int perLane = (width / 4 + 31) / 32;
            return Math.Max(2, perLane + perLane % 2);
        }

        /// <summary>The widest rows the one-pass kernel takes (8 vectors of 4 a lane, 32 lanes; its shared sums' length).</summary>
        internal const int OnePassMaxWidth = 1024;

        /// <summary>Blocks a multiprocessor in the one-pass kernel's grid (each block then loops over its share of the rows).</summary>
        internal const int OnePassBlocksPerMultiprocessor = 2;

        // x and dy read once: the input's gradient and each block's column sums in hyena_layer_norm_grad_rows_V.
        private static unsafe (Tensor W, Tensor B) BackwardInOnePass(Tensor dy, Tensor x, Tensor weight, Tensor dx, long rows, int width, float eps, int vectors, int device)
        {
            long blocks = Math.Clamp((rows + RowsPerBlock - 1) / RowsPerBlock, 1, Math.Max(1, CudaKernels.MultiprocessorCount(device)) * (long)OnePassBlocksPerMultiprocessor);
            var partialW = empty(new[] { blocks, (long)width }, ScalarType.Float32, x.device);   // the kernel writes every element
            var partialB = empty(new[] { blocks, (long)width }, ScalarType.Float32, x.device);
            IntPtr pdy = CudaKernels.DataPointer(dy), px = CudaKernels.DataPointer(x), pw = CudaKernels.DataPointer(weight), pdx = CudaKernels.DataPointer(dx);
            IntPtr ppw = CudaKernels.DataPointer(partialW), ppb = CudaKernels.DataPointer(partialB);
            void** arguments = stackalloc void*[] { &pdy, &px, &pw, &pdx, &ppw, &ppb, &rows, &width, &eps };
            CudaKernels.Launch(device, "hyena_layer_norm_grad_rows_" + vectors, ((uint)blocks, 1), arguments, Threads, 0);
            return (partialW, partialB);
        }

        // Rows too wide or unaligned: the input's gradient (and the rows' statistics), then the column sums reading x and dy again.
        private static unsafe (Tensor W, Tensor B) BackwardInTwoPasses(Tensor dy, Tensor x, Tensor weight, Tensor dx, long rows, int width, float eps, int device)
        {
            var mean = empty(rows, ScalarType.Float32, x.device);
            var rstd = empty(rows, ScalarType.Float32, x.device);
            IntPtr pdy = CudaKernels.DataPointer(dy), px = CudaKernels.DataPointer(x), pw = CudaKernels.DataPointer(weight);
            IntPtr pdx = CudaKernels.DataPointer(dx), pm = CudaKernels.DataPointer(mean), pr = CudaKernels.DataPointer(rstd);
            void** first = stackalloc void*[] { &pdy, &px, &pw, &pdx, &pm, &pr, &rows, &width, &eps };
            CudaKernels.Launch(device, "hyena_layer_norm_grad_input", ((uint)((rows + RowsPerBlock - 1) / RowsPerBlock), 1), first, Threads, 0);

            long rowBlocks = CudaKernels.SumRowBlocks(rows);
            var partialW = empty(new[] { rowBlocks, (long)width }, ScalarType.Float32, x.device);   // the kernel writes every element
            var partialB = empty(new[] { rowBlocks, (long)width }, ScalarType.Float32, x.device);
            IntPtr ppw = CudaKernels.DataPointer(partialW), ppb = CudaKernels.DataPointer(partialB);
            void** second = stackalloc void*[] { &pdy, &px, &pm, &pr, &ppw, &ppb, &rows, &width };
            uint columnBlocks = (uint)((width + ColumnTile - 1) / ColumnTile);
            CudaKernels.Launch(device, "hyena_layer_norm_grad_affine", (columnBlocks, (uint)rowBlocks), second, Threads, 0);
            return (partialW, partialB);
        }
    }
}
