using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// The short causal depthwise convolution as one autograd node with a hand-written backward pass, with an optional
    /// per-channel bias of its input folded in (the input projection's bias): y = conv(x + inputBias) + bias.
    /// On CUDA in float32 or bfloat16, fused NVRTC kernels (<see cref="CudaKernels"/>): one pass forward; one pass backward
    /// that writes the input gradient and each block's sums for the weight, bias and input-bias gradients. Elsewhere, the
    /// same formulas composed of library calls (which is what the CPU tests check).
    /// Arguments: x (B, C, L), weight (C, 1, K), bias (C), inputBias (C) or none. The parameters may be of a wider type than
    /// x (float32 master weights for bfloat16 streams): the node casts them to x's type itself, unrecorded, and hands their
    /// gradients back in their own types (on CUDA straight from the kernel's float32 sums), where casts recorded before the
    /// node cost the host three more operations forward and three more nodes backward, and rounded these sums to bfloat16.
    /// </summary>
    internal sealed class ShortConvolutionFunction : autograd.SingleTensorFunction<ShortConvolutionFunction>
    {
        /// <summary>Positions each thread of the kernels handles at once (one 16-byte vector of bfloat16).</summary>
        internal const int Vector = 8;

        /// <summary>Vectors each thread of the kernels handles (the backward kernel's before the block sums its partial gradients).</summary>
        internal const int VectorsPerThread = 4;

        /// <summary>Partial sums per block of the backward kernel: 8 lags of the weight, the bias, the input bias.</summary>
        internal const int PartialSlots = 10;

        /// <summary>
        /// The kernels' CUDA source (compiled with <see cref="CudaKernels.Source"/>; also run on the CPU by
        /// Emulation/ShortConvolution.cpp). A thread handles 4 vectors of 8 consecutive positions of one row (b, c): in the
        /// forward kernel the block's threads take neighbouring vectors, in the backward kernel each thread 32 consecutive
        /// positions. Each vector is read as one 16-byte load (two for float32) where the row allows, with the 8 positions
        /// before (forward) or after (backward) for the taps that reach over; positions outside [0, L) read as zero. The
        /// weight is used by lag, w_m = w[K-1-m], so that y[t] = bias + sum over m &lt; K of w_m x'[t-m] with
        /// x' = x + inputBias, and every index is a constant.
        /// </summary>
        internal const string Source = @"
#ifndef HYENA_VECTOR_TYPES
struct __align__(16) hyena_u4 { unsigned int x, y, z, w; };
struct __align__(16) hyena_f4 { float x, y, z, w; };
#endif
__device__ __forceinline__ bool aligned16(const void* p) { return (((unsigned long long)p) & 15ull) == 0ull; }

// o[k] = row[t0 + k] (+ pb when SHIFTED) for k < 8, zero where t0 + k is outside [0, L); one or two vector loads when all
// 8 are inside. SHIFTED: x' = x + inputBias as it is read, in the loads' own branches (a pass of its own, with a check a
// position, had cost the kernels more instructions and the backward kernel registers).
template <bool SHIFTED = false>
__device__ __forceinline__ void load8(const float* row, int t0, int L, float* o, float pb = 0.f) {
    if (t0 >= 0 && t0 + 8 <= L && aligned16(row + t0)) {
        hyena_f4 a = *(const hyena_f4*)(row + t0), b = *(const hyena_f4*)(row + t0 + 4);
        o[0] = a.x; o[1] = a.y; o[2] = a.z; o[3] = a.w; o[4] = b.x; o[5] = b.y; o[6] = b.z; o[7] = b.w;
        if (SHIFTED) for (int k = 0; k < 8; ++k) o[k] += pb;
        return;
    }
    for (int k = 0; k < 8; ++k) o[k] = (t0 + k >= 0 && t0 + k < L) ? (SHIFTED ? row[t0 + k] + pb : row[t0 + k]) : 0.f;
}
template <bool SHIFTED = false>
__device__ __forceinline__ void load8(const bf16_t* row, int t0, int L, float* o, float pb = 0.f) {
    if (t0 >= 0 && t0 + 8 <= L && aligned16(row + t0)) {
        hyena_u4 a = *(const hyena_u4*)(row + t0);
        o[0] = bf16_lo(a.x); o[1] = bf16_hi(a.x); o[2] = bf16_lo(a.y); o[3] = bf16_hi(a.y);
        o[4] = bf16_lo(a.z); o[5] = bf16_hi(a.z); o[6] = bf16_lo(a.w); o[7] = bf16_hi(a.w);
        if (SHIFTED) for (int k = 0; k < 8; ++k) o[k] += pb;
        return;
    }
    for (int k = 0; k < 8; ++k) o[k] = (t0 + k >= 0 && t0 + k < L) ? (SHIFTED ? ld(row, t0 + k) + pb : ld(row, t0 + k)) : 0.f;
}

// x'[t0 - 8 + k] for k < 16 (x' = x + pb, zero outside [0, L)) into e.
template <typename T>
__device__ __forceinline__ void load16_shifted(const T* row, int t0, int L, float pb, bool shifted, float* e) {
    if (shifted) { load8<true>(row, t0 - 8, L, e, pb); load8<true>(row, t0, L, e + 8, pb); }
    else { load8(row, t0 - 8, L, e); load8(row, t0, L, e + 8); }
}

// row[t0 + k] = v[k] for the k < 8 with t0 + k < L (t0 >= 0).
__device__ __forceinline__ void store8(float* row, int t0, int L, const float* v) {
    if (t0 + 8 <= L && aligned16(row + t0)) {
        hyena_f4 a, b;
        a.x = v[0]; a.y = v[1]; a.z = v[2]; a.w = v[3]; b.x = v[4]; b.y = v[5]; b.z = v[6]; b.w = v[7];
        *(hyena_f4*)(row + t0) = a; *(hyena_f4*)(row + t0 + 4) = b;
        return;
    }
    for (int k = 0; k < 8 && t0 + k < L; ++k) row[t0 + k] = v[k];
}
__device__ __forceinline__ void store8(bf16_t* row, int t0, int L, const float* v) {
    if (t0 + 8 <= L && aligned16(row + t0)) {
        hyena_u4 a;
        a.x = bf16x2_bits(v[0], v[1]); a.y = bf16x2_bits(v[2], v[3]); a.z = bf16x2_bits(v[4], v[5]); a.w = bf16x2_bits(v[6], v[7]);
        *(hyena_u4*)(row + t0) = a;
        return;
    }
    for (int k = 0; k < 8 && t0 + k < L; ++k) st(row, t0 + k, v[k]);
}

// The weight of channel c by lag (zero past K) and the biases.
template <typename T>
__device__ __forceinline__ void short_taps(const T* w, const T* bias, const T* inputBias, int c, int K, float* lag, float* b, float* pb) {
    for (int m = 0; m < 8; ++m) lag[m] = m < K ? ld(w, (long long)c * K + (K - 1 - m)) : 0.f;
    *b = bias ? ld(bias, c) : 0.f;
    *pb = inputBias ? ld(inputBias, c) : 0.f;
}

// y[b,c,t] = bias[c] + sum_j w[c,j] x'[b,c,t-(K-1)+j], x' = x + inputBias[c] (x, y: (B, C, L) contiguous; w: (C, K);
// inputBias may be null). Grid (B*C rows, chunks) as the backward kernel's, each thread 4 vectors of 8 positions, so that
// the channel's taps and biases are read once for 32 positions (the kernel had been bound by its instructions: 72 % of
// the SMs' issue against 59 % of DRAM bandwidth at 64k). TAPS (4 or 8, at least K): the lags the loops take, so that the
// usual K = 3 costs 4 multiply-adds a position, not 8.
template <typename T, int TAPS>
__device__ void short_fwd(const T* x, const T* w, const T* bias, const T* inputBias, T* y, int L, int C, int K) {
    long long row = blockIdx.x;
    float lag[8], b, pb;
    short_taps(w, bias, inputBias, (int)(blockIdx.x % (unsigned)C), K, lag, &b, &pb);
    const T* xr = x + row * L;
    T* yr = y + row * L;
    for (int it = 0; it < 4; ++it) {
        int t0 = ((blockIdx.y * 4 + it) * blockDim.x + threadIdx.x) * 8;
        if (t0 >= L) break;
        float e[16], out[8];                                // e[8 + k] = x'[t0 + k], e[k] = x'[t0 - 8 + k]
        load16_shifted(xr, t0, L, pb, inputBias != 0, e);
#pragma unroll
        for (int i = 0; i < 8; ++i) {
            float acc = b;
#pragma unroll
            for (int m = 0; m < TAPS; ++m) acc += lag[m] * e[8 + i - m];
            out[i] = acc;
        }
        store8(yr, t0, L, out);
    }
}

// Eight consecutive positions of a row as loaded, before conversion: one 16-byte vector of bfloat16, two of float32.
template <typename T> struct raw8;
template <> struct raw8<bf16_t> { hyena_u4 v; };
template <> struct raw8<float> { hyena_f4 a, b; };

// r = row[t0 + k] for k < 8, zero bits where t0 + k is outside [0, L); one or two vector loads when all 8 are inside.
// Nothing is converted, so that a thread can have many loads in flight in few registers.
__device__ __forceinline__ void fetch8(const bf16_t* row, int t0, int L, raw8<bf16_t>& r) {
    if (t0 >= 0 && t0 + 8 <= L && aligned16(row + t0)) { r.v = *(const hyena_u4*)(row + t0); return; }
    unsigned int h[8];
    for (int k = 0; k < 8; ++k) h[k] = (t0 + k >= 0 && t0 + k < L) ? (unsigned int)row[t0 + k] : 0u;
    r.v.x = h[0] | (h[1] << 16); r.v.y = h[2] | (h[3] << 16); r.v.z = h[4] | (h[5] << 16); r.v.w = h[6] | (h[7] << 16);
}
__device__ __forceinline__ void fetch8(const float* row, int t0, int L, raw8<float>& r) {
    if (t0 >= 0 && t0 + 8 <= L && aligned16(row + t0)) {
        r.a = *(const hyena_f4*)(row + t0); r.b = *(const hyena_f4*)(row + t0 + 4);
        return;
    }
    float e[8];
    for (int k = 0; k < 8; ++k) e[k] = (t0 + k >= 0 && t0 + k < L) ? row[t0 + k] : 0.f;
    r.a.x = e[0]; r.a.y = e[1]; r.a.z = e[2]; r.a.w = e[3]; r.b.x = e[4]; r.b.y = e[5]; r.b.z = e[6]; r.b.w = e[7];
}

// o[k] = the k-th value of r as float.
__device__ __forceinline__ void unpack8(const raw8<bf16_t>& r, float* o) {
    o[0] = bf16_lo(r.v.x); o[1] = bf16_hi(r.v.x); o[2] = bf16_lo(r.v.y); o[3] = bf16_hi(r.v.y);
    o[4] = bf16_lo(r.v.z); o[5] = bf16_hi(r.v.z); o[6] = bf16_lo(r.v.w); o[7] = bf16_hi(r.v.w);
}
__device__ __forceinline__ void unpack8(const raw8<float>& r, float* o) {
    o[0] = r.a.x; o[1] = r.a.y; o[2] = r.a.z; o[3] = r.a.w; o[4] = r.b.x; o[5] = r.b.y; o[6] = r.b.z; o[7] = r.b.w;
}

// x'[t0 + k] = x[t0 + k] + pb for k < 8 from r = fetch8(x, t0): zero outside [0, L) (where the fetch left zeros), pb
// added inside when shifted (one test for the usual vector that is all inside).
template <typename T>
__device__ __forceinline__ void unpack8_shifted(const raw8<T>& r, int t0, int L, float pb, bool shifted, float* o) {
    unpack8(r, o);
    if (!shifted) return;
    if (t0 >= 0 && t0 + 8 <= L) { for (int k = 0; k < 8; ++k) o[k] += pb; return; }
    for (int k = 0; k < 8; ++k) if (t0 + k >= 0 && t0 + k < L) o[k] += pb;
}

// Backward: gx[b,c,t] = sum_j w[c,j] g[b,c,t+(K-1)-j] (terms past the end are zero), and this block's sums over its
// positions: partial[(row * chunks + blockIdx.y) * 10 + m] = sum g[t] x'[t-m] (m < 8; the weight's gradient at
// j = K-1-m; zero from m = TAPS), slot 8: sum g[t] (the bias's), slot 9: sum gx[t] (the input bias's). Grid (B*C rows,
// chunks), each thread 32 consecutive positions (4 vectors of 8); TAPS as in short_fwd. A thread first loads all it
// reads, unconverted: g at its 4 vectors and the one after (the taps that reach over), x' at the one before and its 4;
// 10 loads for 4 vectors, all in flight at once, where the kernel had taken the forward kernel's layout (the block's
// threads on neighbouring vectors) one vector at a time, 4 loads each: 16. The kernel had been bound by its loads'
// latency at 62 % of DRAM bandwidth: 67 % now, 600 -> 557 us at 128k x 2,304 rows and 303 -> 278 us at 64k on an H200
// (eighteenth session, docs/benchmarks.md).
template <typename T, int TAPS>
__device__ void short_bwd(const T* __restrict__ g, const T* __restrict__ x, const T* w, const T* inputBias, T* __restrict__ gx, float* partial, int L, int C, int K, float* red) {
    long long row = blockIdx.x;
    float lag[8], b, pb;
    short_taps(w, (const T*)0, inputBias, (int)(blockIdx.x % (unsigned)C), K, lag, &b, &pb);
    const T* gr = g + row * L;
    const T* xr = x + row * L;
    const bool shifted = inputBias != 0;
    const int t0 = (blockIdx.y * blockDim.x + threadIdx.x) * 32;
    float acc[10];
    for (int j = 0; j < 10; ++j) acc[j] = 0.f;
    if (t0 < L) {
        raw8<T> gv[5], xv[5];                               // gv[j] = g[t0 + 8j ..], xv[j] = x[t0 - 8 + 8j ..]
#pragma unroll
        for (int j = 0; j < 5; ++j) { fetch8(gr, t0 + 8 * j, L, gv[j]); fetch8(xr, t0 - 8 + 8 * j, L, xv[j]); }
#pragma unroll
        for (int v = 0; v < 4; ++v) {
            const int tv = t0 + 8 * v;
            if (tv >= L) break;
            float ge[16], xe[16], out[8];                   // ge[k] = g[tv + k] (k < 16); xe[k] = x'[tv - 8 + k]
            unpack8(gv[v], ge);
            unpack8(gv[v + 1], ge + 8);
            unpack8_shifted(xv[v], tv - 8, L, pb, shifted, xe);
            unpack8_shifted(xv[v + 1], tv, L, pb, shifted, xe + 8);
#pragma unroll
            for (int i = 0; i < 8; ++i) {
                float s = 0.f;
#pragma unroll
                for (int m = 0; m < TAPS; ++m) s += lag[m] * ge[i + m];
                out[i] = s;
                if (tv + i < L) acc[9] += s;
                acc[8] += ge[i];
#pragma unroll
                for (int m = 0; m < TAPS; ++m) acc[m] += ge[i] * xe[8 + i - m];
            }
            store8(gx + row * L, tv, L, out);
        }
    }
    // The block's sums, slot by slot: within each warp by shuffles, then the warps' sums through shared memory
    // (red[j * 32 + warp]), where a tree over shared memory had taken 8 rounds with a barrier each. A block of fewer than
    // 32 threads (the CPU emulation runs one) writes its sums as they are.
    float* out = partial + ((long long)row * gridDim.y + blockIdx.y) * 10;
    if (blockDim.x < 32) {
        for (int j = 0; j < 10; ++j) out[j] = acc[j];
        return;
    }
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
#pragma unroll
    for (int j = 0; j < 10; ++j) {
        float v = acc[j];
#pragma unroll
        for (int off = 16; off > 0; off >>= 1) v += __shfl_down_sync(0xffffffffu, v, off);
        if (lane == 0) red[j * 32 + warp] = v;
    }
    __syncthreads();
    if (threadIdx.x < 10) {
        float v = 0.f;
        for (int k = 0; k < (int)(blockDim.x >> 5); ++k) v += red[threadIdx.x * 32 + k];
        out[threadIdx.x] = v;
    }
}

// The entry points take the 4-tap loops up to K = 4 (one branch, the same for the whole launch).
extern ""C"" __global__ void hyena_short_fwd_f32(const float* x, const float* w, const float* b, const float* pb, float* y, int L, int C, int K) {
    if (K <= 4) short_fwd<float, 4>(x, w, b, pb, y, L, C, K); else short_fwd<float, 8>(x, w, b, pb, y, L, C, K); }
extern ""C"" __global__ void hyena_short_fwd_bf16(const bf16_t* x, const bf16_t* w, const bf16_t* b, const bf16_t* pb, bf16_t* y, int L, int C, int K) {
    if (K <= 4) short_fwd<bf16_t, 4>(x, w, b, pb, y, L, C, K); else short_fwd<bf16_t, 8>(x, w, b, pb, y, L, C, K); }
// The backward kernel in two: hyena_short_bwd_* for K <= 4 (the usual 3) and hyena_short_bwd_k8_* for K up to 8, whose
// accumulators and lags take 8 more registers. A thread holds its 10 loads unconverted: 40 registers in bfloat16, 80 in
// float32. Blocks an SM (__launch_bounds__): HYENA_SHORT_BWD_BLOCKS for the bfloat16 kernel of K <= 4, the one the
// mixed-precision operator runs (3: at most 80 registers, 768 threads an SM; 2 and 4 measured 606 and 605 us at 128k
// against 557, the latter held to 64 registers); 2 for the others (128 registers). The host picks by K (BackwardKernel).
#ifndef HYENA_SHORT_BWD_BLOCKS
#define HYENA_SHORT_BWD_BLOCKS 3
#endif
#define HYENA_SHORT_BWD(TN, T, BLOCKS4, BLOCKS8) \
extern ""C"" __global__ void __launch_bounds__(256, BLOCKS4) hyena_short_bwd_##TN(const T* g, const T* x, const T* w, const T* pb, T* gx, float* partial, int L, int C, int K) { \
    __shared__ float red[10 * 32]; \
    short_bwd<T, 4>(g, x, w, pb, gx, partial, L, C, K, red); } \
extern ""C"" __global__ void __launch_bounds__(256, BLOCKS8) hyena_short_bwd_k8_##TN(const T* g, const T* x, const T* w, const T* pb, T* gx, float* partial, int L, int C, int K) { \
    __shared__ float red[10 * 32]; \
    short_bwd<T, 8>(g, x, w, pb, gx, partial, L, C, K, red); }
HYENA_SHORT_BWD(f32, float, 2, 2)
HYENA_SHORT_BWD(bf16, bf16_t, HYENA_SHORT_BWD_BLOCKS, 2)
";

        /// <summary>The kernels' entry points.</summary>
        internal static readonly string[] FunctionNames =
        {
            "hyena_short_fwd_f32", "hyena_short_fwd_bf16", "hyena_short_bwd_f32", "hyena_short_bwd_bf16", "hyena_short_bwd_k8_f32", "hyena_short_bwd_k8_bf16",
        };

        /// <summary>The backward kernel for a kernel size of <paramref name="kernelSize"/> (up to 4, or up to 8) and stream type <paramref name="dtype"/>.</summary>
        internal static string BackwardKernel(int kernelSize, ScalarType dtype)
            => (kernelSize <= 4 ? "hyena_short_bwd_" : "hyena_short_bwd_k8_") + (dtype == ScalarType.BFloat16 ? "bf16" : "f32");

        public override string Name => "HyenaShortConvolution";

        /// <summary>Applies the function (records it for autograd when an input requires gradients).</summary>
        public static Tensor Apply(Tensor x, Tensor weight, Tensor bias, Tensor? inputBias = null)
            => inputBias is null ? apply(x, weight, bias, bias, false) : apply(x, weight, bias, inputBias, true);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            GradientHandOff.TakeUndefinedGradients(ctx);
            var x = ((Tensor)vars[0]).AsContiguous();
            GradientHandOff.BeginForward(x.device);
            var weightParameter = (Tensor)vars[1];
            var biasParameter = (Tensor)vars[2];
            bool hasInputBias = (bool)vars[4];
            var weight = weightParameter.InType(x.dtype).AsContiguous();
            var bias = biasParameter.InType(x.dtype).AsContiguous();
            var inputBias = hasInputBias ? ((Tensor)vars[3]).InType(x.dtype).AsContiguous() : null;
            // The bias is not needed backward, only the parameters' types, for their gradients.
            ctx.save_for_backward(inputBias is null ? new List<Tensor> { x, weight } : new List<Tensor> { x, weight, inputBias });
            ctx.save_data("types", new[] { weightParameter.dtype, biasParameter.dtype, hasInputBias ? ((Tensor)vars[3]).dtype : biasParameter.dtype });
            return CudaKernels.Handle(x) ? KernelForward(x, weight, bias, inputBias) : ComposedForward(x, weight, bias, inputBias);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("short convolution", 5, grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (x, weight) = (saved[0], saved[1]);
                var inputBias = saved.Count > 2 ? saved[2] : null;
                var types = (ScalarType[])ctx.get_data("types");
                var g = grad_output.AsContiguous();
                var (gx, gw, gb, gpb) = CudaKernels.Handle(x) ? KernelBackward(g, x, weight, inputBias) : ComposedBackward(g, x, weight, inputBias);
                return new List<Tensor> { gx, gw.InType(types[0]), gb.InType(types[1]), inputBias is null ? null! : gpb!.InType(types[2]), null! };
            });

        /// <summary>Composed forward: add the input bias, pad, unfold, multiply, sum over the taps, add the bias.</summary>
        internal static Tensor ComposedForward(Tensor x, Tensor weight, Tensor bias, Tensor? inputBias = null)
        {
            using var scope = NewDisposeScope();
            long channels = x.size(1), kernel = weight.size(-1);
            var input = inputBias is null ? x : x + inputBias.view(channels, 1);
            var windows = nn.functional.pad(input, new long[] { kernel - 1, 0 }).unfold(-1, kernel, 1);   // (B, C, L, K)
            var y = (windows * weight.view(channels, 1, kernel)).sum(-1) + bias.view(channels, 1);
            return scope.MoveToOuter(y);
        }

        /// <summary>
        /// Composed backward, with x' = x + inputBias: gx[t] = sum_j w[j] g[t + K-1-j]; gw[j] = sum over (b, t) of
        /// g[t] x'[t-(K-1)+j]; gb = sum of g; the input bias's gradient is the sum of gx (null without an input bias).
        /// </summary>
        internal static (Tensor gx, Tensor gw, Tensor gb, Tensor? gpb) ComposedBackward(Tensor g, Tensor x, Tensor weight, Tensor? inputBias = null)
        {
            using var scope = NewDisposeScope();
            long channels = x.size(1), kernel = weight.size(-1);
            var input = inputBias is null ? x : x + inputBias.view(channels, 1);
            var gWindows = nn.functional.pad(g, new long[] { 0, kernel - 1 }).unfold(-1, kernel, 1);  // g[t + m], m < K
            var gx = (gWindows * weight.view(channels, 1, kernel).flip(-1)).sum(-1);
            var xWindows = nn.functional.pad(input, new long[] { kernel - 1, 0 }).unfold(-1, kernel, 1);  // x'[t - (K-1) + j]
            var gw = (xWindows * g.unsqueeze(-1)).sum(new long[] { 0, 2 }).view(channels, 1, kernel);
            var gb = g.sum(new long[] { 0, 2 });
            var gpb = inputBias is null ? null : gx.sum(new long[] { 0, 2 });
            return (scope.MoveToOuter(gx), scope.MoveToOuter(gw), scope.MoveToOuter(gb), gpb is null ? null : scope.MoveToOuter(gpb));
        }

        /// <summary>Blocks along the length of the kernels for rows of <paramref name="length"/> positions.</summary>
        internal static int Chunks(long length)
            => (int)Math.Max(1, (length + (long)CudaKernels.Threads * Vector * VectorsPerThread - 1) / ((long)CudaKernels.Threads * Vector * VectorsPerThread));

        private static unsafe Tensor KernelForward(Tensor x, Tensor weight, Tensor bias, Tensor? inputBias)
        {
            int device = CudaKernels.DeviceIndex(x);
            CudaKernels.Ensure(device);
            var y = empty_like(x);
            if (x.numel() == 0)
                return y;
            int length = (int)x.size(2), channels = (int)x.size(1), kernel = (int)weight.size(-1);
            IntPtr px = CudaKernels.DataPointer(x), pw = CudaKernels.DataPointer(weight), pb = CudaKernels.DataPointer(bias), py = CudaKernels.DataPointer(y);
            IntPtr ppb = inputBias is null ? IntPtr.Zero : CudaKernels.DataPointer(inputBias);
            void** args = stackalloc void*[8];
            args[0] = &px; args[1] = &pw; args[2] = &pb; args[3] = &ppb; args[4] = &py;
            args[5] = &length; args[6] = &channels; args[7] = &kernel;
            CudaKernels.Launch(device, x.dtype == ScalarType.BFloat16 ? "hyena_short_fwd_bf16" : "hyena_short_fwd_f32",
                CudaKernels.RowGrid(x.size(0) * channels, (long)Chunks(length) * CudaKernels.Threads), args);
            return y;
        }

        private static unsafe (Tensor gx, Tensor gw, Tensor gb, Tensor? gpb) KernelBackward(Tensor g, Tensor x, Tensor weight, Tensor? inputBias)
        {
            int device = CudaKernels.DeviceIndex(x);
            CudaKernels.Ensure(device);
            int batch = (int)x.size(0), length = (int)x.size(2), channels = (int)x.size(1), kernel = (int)weight.size(-1);
            int chunks = Chunks(length);
            var gx = empty_like(x);
            var partial = zeros(new long[] { batch, channels, chunks, PartialSlots }, ScalarType.Float32, x.device);
            if (x.numel() > 0)
            {
                IntPtr pg = CudaKernels.DataPointer(g), px = CudaKernels.DataPointer(x), pw = CudaKernels.DataPointer(weight);
                IntPtr ppb = inputBias is null ? IntPtr.Zero : CudaKernels.DataPointer(inputBias);
                IntPtr pgx = CudaKernels.DataPointer(gx), pp = CudaKernels.DataPointer(partial);
                void** args = stackalloc void*[9];
                args[0] = &pg; args[1] = &px; args[2] = &pw; args[3] = &ppb; args[4] = &pgx; args[5] = &pp;
                args[6] = &length; args[7] = &channels; args[8] = &kernel;
                CudaKernels.Launch(device, BackwardKernel(kernel, x.dtype), CudaKernels.RowGrid((long)batch * channels, (long)chunks * CudaKernels.Threads), args);
            }
            var sums = partial.sum(new long[] { 0, 2 });                        // (C, 10), float32
            var gw = sums.narrow(1, 0, kernel).flip(1).reshape(channels, 1, kernel); // slot m is lag m: tap K-1-m
            var gb = sums.select(1, 8);                                         // float32 views: a parameter's gradient in float32 is
            var gpb = inputBias is null ? null : sums.select(1, 9);             // handed back as it is (InType), else cast
            return (gx, gw, gb, gpb);
        }
    }
}
