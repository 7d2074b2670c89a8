using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// The filter MLP's hidden layers (<see cref="Modules.HyenaFilter"/>: Linear(E, F), Sin, then Linear(F, F), Sin for each
    /// inner layer, one Sin instance with one frequency per feature) as one autograd node with two NVRTC kernels
    /// (<see cref="Source"/>, builds for F = 16, 32 and 64), where the library calls ran a matrix product and the sine
    /// activation's kernel a layer forward, and five kernels a layer backward. A block takes a tile of positions through
    /// every layer, the products' operands in shared memory. Forward, a_l = sin(freq p_l) with p_l = W_l a_(l-1) + b_l
    /// (a_(-1) = z); when the gradient is wanted every layer's p_l and a_l are kept. Backward, from the last layer down:
    /// t = g cos(freq p_l), p_l's gradient t freq (written, for the weights' gradients), its sums over the positions (the
    /// bias's gradient) and those of t p_l (the frequency's), and the gradient of a_(l-1), W_l^T (t freq), or z's for the first
    /// layer; the weights' gradients are then one library product a layer. Measured on an H200 at 64k positions, filter order
    /// 64 (benchmarks.md, fifteenth session): the kernels 83 us forward and 94 us backward, where the library calls took about
    /// 110 and 236 us; the operator's pass 0.04 ms shorter at 64k, 0.1 at 128k, 1.1 at 1M, and about 0.5 ms at 8k and 16k,
    /// where the host's launches bound it. The values are autograd's up to the order of the sums (within 6e-7 on the GPU).
    /// </summary>
    internal sealed class FilterMlpFunction : autograd.SingleTensorFunction<FilterMlpFunction>
    {
        /// <summary>The most layers (the first and the inner ones) the kernels take.</summary>
        internal const int MaxLayers = 8;

        /// <summary>The MLP widths F the kernels are built for.</summary>
        internal static readonly int[] Widths = { 16, 32, 64 };

        /// <summary>Threads per block of both kernels (each 4 positions by 4 features of a tile).</summary>
        internal const int Threads = 256;

        /// <summary>At most this many blocks (each then steps over the tiles by the grid's size).</summary>
        internal const int MaxBlocks = 4096;

        /// <summary>Positions in a block's tile for MLP width <paramref name="width"/> (the source's mlp_tile P).</summary>
        internal static int TilePositions(int width) => 4096 / width;

        /// <summary>Shared memory of the forward kernel (bytes): X and Y, F x P each, and the weight, K x (F + 4).</summary>
        internal static int ForwardSharedBytes(int width) => 4 * (2 * width * TilePositions(width) + width * (width + 4));

        /// <summary>Shared memory of the backward kernel for <paramref name="layers"/> layers (bytes): D, F x P; the weight, F x F; G, P x F; the block's sums, (layers + 1) x F.</summary>
        internal static int BackwardSharedBytes(int width, int layers)
            => 4 * (width * TilePositions(width) + width * width + TilePositions(width) * width + (layers + 1) * width);

        /// <summary>
        /// The kernels' CUDA source (compiled with <see cref="CudaKernels.Source"/>; also run on the CPU by
        /// Emulation/FilterMlp.cpp). z is contiguous float32 (L, E); layer l's weight (F, E) for the first, (F, F) after, and
        /// its bias (F), float32, contiguous, 16-byte aligned; freq holds F float32.
        /// </summary>
        internal const string Source = @"
// ---- The filter MLP's hidden layers, Linear and Sin, in one pass a direction (FilterMlpFunction). ----
#define HYENA_MLP_MAX_LAYERS 8
#define HYENA_MLP_THREADS 256
struct hyena_mlp_layers { const float* weight[HYENA_MLP_MAX_LAYERS]; const float* bias[HYENA_MLP_MAX_LAYERS]; };

// A block takes a tile of P = 4096 / F positions (64 for F = 64) through every layer; its 256 threads each own 4
// positions (p0 = 4 (t / (F / 4))) by 4 features (j0 = 4 (t mod (F / 4))) of a layer's output, the products' operands
// from shared memory, four floats at a time. Each phase loops over the 256 thread indices (for blocks of one thread, as
// the CPU emulation runs them) and keeps what the next phase needs in shared memory.
template <int F> struct mlp_tile {
    static constexpr int JG = F / 4;       // feature groups
    static constexpr int P = 4096 / F;     // positions in a tile
    static constexpr int WS = F + 4;       // row stride of the forward kernel's transposed weight (16-byte aligned)
};

__device__ __forceinline__ float4 mlp_f4(const float* p) { return *(const float4*)p; }
__device__ __forceinline__ void mlp_st4(float* p, float x, float y, float z, float w) { float4 q; q.x = x; q.y = y; q.z = z; q.w = w; *(float4*)p = q; }
__device__ __forceinline__ float4 mlp_zero4() { float4 q; q.x = q.y = q.z = q.w = 0.f; return q; }

// Forward, for each tile of positions from base (count of them): p_l = W_l a_(l-1) + b_l and a_l = sin(freq p_l) for the
// n layers, a_(-1) = z (E values a position). With pre, p_l to pre[l, r] and a_l to act[l, r] ((n, L, F) each); without,
// only a_(n-1), to act[r] ((L, F)). Shared memory: the layer's input transposed, X[i][p] (F x P), its output transposed for
// the next layer, Y (F x P), and the weight transposed, Wt[i][j] (K x WS), K = E for the first layer and F after.
template <int F>
__device__ __forceinline__ void filter_mlp_forward(const float* z, int E, const hyena_mlp_layers& layers, int n, const float* freq,
                                                   float* pre, float* act, long long L) {
    typedef mlp_tile<F> T;
    extern __shared__ __align__(16) unsigned char hyena_smem[];
    float* X = (float*)hyena_smem;
    float* Y = X + F * T::P;
    float* Wt = Y + F * T::P;
    for (long long base = (long long)blockIdx.x * T::P; base < L; base += (long long)gridDim.x * T::P) {
        const int count = (int)(L - base < T::P ? L - base : T::P);
        for (int l = 0; l < n; l++) {
            const int K = l == 0 ? E : F;
            const float* W = layers.weight[l];
            const float* b = layers.bias[l];
            for (int q = threadIdx.x; q < F * K; q += blockDim.x) Wt[(q % K) * T::WS + q / K] = W[q];
            if (l == 0)
                for (int q = threadIdx.x; q < T::P * E; q += blockDim.x) X[(q % E) * T::P + q / E] = q / E < count ? z[base * E + q] : 0.f;
            __syncthreads();
            for (int t = threadIdx.x; t < HYENA_MLP_THREADS; t += blockDim.x) {
                const int j0 = 4 * (t % T::JG), p0 = 4 * (t / T::JG);
                float acc[4][4];
                const float4 bias = mlp_f4(b + j0);
#pragma unroll
                for (int u = 0; u < 4; u++) { acc[u][0] = bias.x; acc[u][1] = bias.y; acc[u][2] = bias.z; acc[u][3] = bias.w; }
#pragma unroll 4
                for (int i = 0; i < K; i++) {
                    const float4 x = mlp_f4(X + i * T::P + p0), w = mlp_f4(Wt + i * T::WS + j0);
                    const float xs[4] = { x.x, x.y, x.z, x.w }, ws[4] = { w.x, w.y, w.z, w.w };
#pragma unroll
                    for (int u = 0; u < 4; u++)
#pragma unroll
                        for (int v = 0; v < 4; v++) acc[u][v] = fmaf(xs[u], ws[v], acc[u][v]);
                }
                const float4 fr = mlp_f4(freq + j0);
                const float fs[4] = { fr.x, fr.y, fr.z, fr.w };
                float out[4][4];
#pragma unroll
                for (int u = 0; u < 4; u++) {
#pragma unroll
                    for (int v = 0; v < 4; v++) out[u][v] = sinf(fs[v] * acc[u][v]);
                    if (p0 + u < count) {
                        const long long r = base + p0 + u;
                        if (pre) {
                            mlp_st4(pre + ((long long)l * L + r) * F + j0, acc[u][0], acc[u][1], acc[u][2], acc[u][3]);
                            mlp_st4(act + ((long long)l * L + r) * F + j0, out[u][0], out[u][1], out[u][2], out[u][3]);
                        } else if (l == n - 1) {
                            mlp_st4(act + r * F + j0, out[u][0], out[u][1], out[u][2], out[u][3]);
                        }
                    }
                }
#pragma unroll
                for (int v = 0; v < 4; v++) mlp_st4(Y + (j0 + v) * T::P + p0, out[0][v], out[1][v], out[2][v], out[3][v]);
            }
            __syncthreads();
            float* swap = X; X = Y; Y = swap;
        }
    }
}

// Backward, for each tile, from the gradient g of a_(n-1) and the kept p_l: for l = n-1 down to 0, t = g_l cos(freq p_l),
// dpre[l, r] = t freq (p_l's gradient), the sums over the tile's positions of t p_l (the frequency's gradient) and of
// t freq (the layer's bias's), and g_(l-1) = W_l^T (t freq), or for l = 0 z's gradient W_0^T (t freq) to dz (E values a
// position) when dz is given. At the end the block's sums, the frequency's then each layer's bias's ((n + 1) x F values),
// to partial[c * gridDim.x + blockIdx.x] for each of them c, which a library sum over the blocks (along partial's rows)
// finishes. Shared memory: p_l's gradient transposed, D[j][p] (F x P); the weight, Ws[j][i] (F x F); the gradient g_l,
// G[p][j] (P x F), where a thread, once it has read its own 4 x 4 of G, leaves its sums over its 4 positions in the first
// two of its rows (then added over the tile); the block's sums, S[c] ((n + 1) x F).
template <int F>
__device__ __forceinline__ void filter_mlp_backward(const float* g, int E, const hyena_mlp_layers& layers, int n, const float* freq,
                                                    const float* pre, float* dpre, float* dz, float* partial, long long L) {
    typedef mlp_tile<F> T;
    extern __shared__ __align__(16) unsigned char hyena_smem[];
    float* D = (float*)hyena_smem;
    float* Ws = D + F * T::P;
    float* G = Ws + F * F;
    float* S = G + T::P * F;
    for (int q = threadIdx.x; q < (n + 1) * F; q += blockDim.x) S[q] = 0.f;
    for (long long base = (long long)blockIdx.x * T::P; base < L; base += (long long)gridDim.x * T::P) {
        const int count = (int)(L - base < T::P ? L - base : T::P);
        for (int l = n - 1; l >= 0; l--) {
            if (l > 0)
                for (int q = threadIdx.x; q < F * F; q += blockDim.x) Ws[q] = layers.weight[l][q];
            for (int t = threadIdx.x; t < HYENA_MLP_THREADS; t += blockDim.x) {
                const int j0 = 4 * (t % T::JG), p0 = 4 * (t / T::JG);
                const float4 fr = mlp_f4(freq + j0);
                const float fs[4] = { fr.x, fr.y, fr.z, fr.w };
                float sum[4] = { 0.f, 0.f, 0.f, 0.f }, bias_sum[4] = { 0.f, 0.f, 0.f, 0.f }, dp[4][4];
#pragma unroll
                for (int u = 0; u < 4; u++) {
                    const long long r = base + p0 + u;
                    const bool valid = p0 + u < count;
                    const float4 gq = !valid ? mlp_zero4() : l == n - 1 ? mlp_f4(g + r * F + j0) : mlp_f4(G + (p0 + u) * F + j0);
                    const float4 pq = valid ? mlp_f4(pre + ((long long)l * L + r) * F + j0) : mlp_zero4();
                    const float gs[4] = { gq.x, gq.y, gq.z, gq.w }, ps[4] = { pq.x, pq.y, pq.z, pq.w };
#pragma unroll
                    for (int v = 0; v < 4; v++) {
                        const float tv = gs[v] * cosf(fs[v] * ps[v]);
                        sum[v] += tv * ps[v];
                        dp[u][v] = tv * fs[v];
                        bias_sum[v] += dp[u][v];
                    }
                    if (valid) mlp_st4(dpre + ((long long)l * L + r) * F + j0, dp[u][0], dp[u][1], dp[u][2], dp[u][3]);
                }
#pragma unroll
                for (int v = 0; v < 4; v++) mlp_st4(D + (j0 + v) * T::P + p0, dp[0][v], dp[1][v], dp[2][v], dp[3][v]);
                mlp_st4(G + p0 * F + j0, sum[0], sum[1], sum[2], sum[3]);
                mlp_st4(G + (p0 + 1) * F + j0, bias_sum[0], bias_sum[1], bias_sum[2], bias_sum[3]);
            }
            __syncthreads();
            // The tile's sums: c < F the frequency's (rows 4 k of G), F <= c < 2 F layer l's bias's (rows 4 k + 1).
            for (int c = threadIdx.x; c < 2 * F; c += blockDim.x) {
                float s = 0.f;
                for (int k = 0; k < T::P / 4; k++) s += G[(4 * k + c / F) * F + c % F];
                S[c < F ? c : (l + 1) * F + c - F] += s;
            }
            __syncthreads();
            if (l > 0) {
                for (int t = threadIdx.x; t < HYENA_MLP_THREADS; t += blockDim.x) {
                    const int i0 = 4 * (t % T::JG), p0 = 4 * (t / T::JG);
                    float acc[4][4] = {};
#pragma unroll 4
                    for (int j = 0; j < F; j++) {
                        const float4 x = mlp_f4(D + j * T::P + p0), w = mlp_f4(Ws + j * F + i0);
                        const float xs[4] = { x.x, x.y, x.z, x.w }, ws[4] = { w.x, w.y, w.z, w.w };
#pragma unroll
                        for (int u = 0; u < 4; u++)
#pragma unroll
                            for (int v = 0; v < 4; v++) acc[u][v] = fmaf(xs[u], ws[v], acc[u][v]);
                    }
#pragma unroll
                    for (int u = 0; u < 4; u++) mlp_st4(G + (p0 + u) * F + i0, acc[u][0], acc[u][1], acc[u][2], acc[u][3]);
                }
            } else if (dz) {
                const float* W0 = layers.weight[0];
                for (int q = threadIdx.x; q < count * E; q += blockDim.x) {
                    const int p = q / E, e = q % E;
                    float s = 0.f;
                    for (int j = 0; j < F; j++) s = fmaf(D[j * T::P + p], W0[j * E + e], s);
                    dz[base * E + q] = s;
                }
            }
            __syncthreads();
        }
    }
    for (int c = threadIdx.x; c < (n + 1) * F; c += blockDim.x) partial[(long long)c * gridDim.x + blockIdx.x] = S[c];
}

#define HYENA_FILTER_MLP(F) \
extern ""C"" __global__ void __launch_bounds__(HYENA_MLP_THREADS) hyena_filter_mlp_forward_f##F(const float* z, int E, hyena_mlp_layers layers, int n, const float* freq, float* pre, float* act, long long L) { filter_mlp_forward<F>(z, E, layers, n, freq, pre, act, L); } \
extern ""C"" __global__ void __launch_bounds__(HYENA_MLP_THREADS) hyena_filter_mlp_backward_f##F(const float* g, int E, hyena_mlp_layers layers, int n, const float* freq, const float* pre, float* dpre, float* dz, float* partial, long long L) { filter_mlp_backward<F>(g, E, layers, n, freq, pre, dpre, dz, partial, L); }
HYENA_FILTER_MLP(16)
HYENA_FILTER_MLP(32)
HYENA_FILTER_MLP(64)
";

        /// <summary>The kernels' entry points.</summary>
        internal static readonly string[] FunctionNames = Widths.SelectMany(f => new[] { ForwardKernel(f), BackwardKernel(f) }).ToArray();

        /// <summary>The forward kernel's name for MLP width <paramref name="width"/>.</summary>
        internal static string ForwardKernel(int width) => $"hyena_filter_mlp_forward_f{width}";

        /// <summary>The backward kernel's name for MLP width <paramref name="width"/>.</summary>
        internal static string BackwardKernel(int width) => $"hyena_filter_mlp_backward_f{width}";

        // The kernels' hyena_mlp_layers argument: the layers' weight and bias addresses.
        [StructLayout(LayoutKind.Sequential)]
        private unsafe struct Layers
        {
            public fixed long Weight[MaxLayers];
            public fixed long Bias[MaxLayers];
        }

        public override string Name => "HyenaFilterMlp";

        /// <summary>
        /// The hidden layers' output a_(n-1) for the positional embedding <paramref name="z"/> (..., L, E): layer l is
        /// sin(<paramref name="frequency"/> (<paramref name="weights"/>[l] a_(l-1) + <paramref name="biases"/>[l])). The
        /// output has z's shape with F features last. Call only where <see cref="KernelApplies"/>.
        /// </summary>
        public static Tensor Apply(Tensor z, Tensor frequency, IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> biases)
        {
            var inputs = new List<Tensor> { z, frequency };
            inputs.AddRange(weights);
            inputs.AddRange(biases);
            bool record = is_grad_enabled() && inputs.Any(t => t.requires_grad);
            return record ? apply(inputs.Cast<object>().ToArray()) : Forward(z, frequency, weights, biases, keep: false).Output;
        }

        /// <summary>
        /// Whether the kernels compute these layers: z on CUDA, float32 and contiguous with its last dimension E; between 1
        /// and <see cref="MaxLayers"/> layers, the first weight (F, E) and the others (F, F) with F one of <see cref="Widths"/>
        /// and E at most F, every weight and bias (F) float32 and contiguous on z's device, the frequency F float32 values
        /// there; at most int.MaxValue positions; kernels ready, and the device's blocks may use the kernels' shared memory
        /// (about 50 KB at F = 64: not on GPUs that allow a block 48 KB, which keep the library calls).
        /// </summary>
        internal static bool KernelApplies(Tensor z, Tensor frequency, IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> biases)
        {
            if (z.device_type != DeviceType.CUDA || z.dtype != ScalarType.Float32 || !z.is_contiguous() || z.dim() < 1)
                return false;
            int n = weights.Count;
            if (n < 1 || n > MaxLayers || biases.Count != n || weights[0].dim() != 2)
                return false;
            long width = weights[0].size(0), e = z.size(-1);
            if (!Widths.Contains((int)width) || e < 1 || e > width || weights[0].size(1) != e || z.numel() / e > int.MaxValue)
                return false;
            for (int l = 0; l < n; l++)
            {
                var w = weights[l];
                if (w.dim() != 2 || w.size(0) != width || w.size(1) != (l == 0 ? e : width) || !Usable(w, z) || biases[l].numel() != width || !Usable(biases[l], z))
                    return false;
            }
            int device = CudaKernels.DeviceIndex(z);
            return frequency.numel() == width && Usable(frequency, z) && CudaKernels.TryEnsure(device)
                   && Math.Max(ForwardSharedBytes((int)width), BackwardSharedBytes((int)width, n)) <= CudaKernels.MaxSharedBytes(device);
        }

        // A float32, contiguous tensor on z's device whose data starts on a 16-byte boundary (the kernels read it four floats at a time).
        private static bool Usable(Tensor t, Tensor z)
            => t.dtype == ScalarType.Float32 && t.is_contiguous() && t.device_type == z.device_type && t.device_index == z.device_index
               && CudaKernels.Aligned16(t);

        private static unsafe Layers Addresses(IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> biases)
        {
            var layers = new Layers();
            for (int l = 0; l < weights.Count; l++)
            {
                layers.Weight[l] = CudaKernels.DataPointer(weights[l]).ToInt64();
                layers.Bias[l] = CudaKernels.DataPointer(biases[l]).ToInt64();
            }
            return layers;
        }

        private static uint Blocks(long positions, int width) => (uint)Math.Clamp((positions + TilePositions(width) - 1) / TilePositions(width), 1, MaxBlocks);

        // The forward kernel: the output (z's shape, F last) and, with keep, every layer's p and a, (n, L, F) each (the
        // output then a view of a's last layer).
        private static unsafe (Tensor Output, Tensor? Pre, Tensor? Act) Forward(Tensor z, Tensor frequency, IReadOnlyList<Tensor> weights, IReadOnlyList<Tensor> biases, bool keep)
        {
            int n = weights.Count, width = (int)weights[0].size(0), e = (int)z.size(-1);
            long positions = z.numel() / e;
            var shape = z.shape.ToArray();
            shape[^1] = width;
            var pre = keep ? empty(new[] { n, positions, width }, ScalarType.Float32, z.device) : null;
            var act = keep ? empty(new[] { n, positions, width }, ScalarType.Float32, z.device) : empty(shape, ScalarType.Float32, z.device);
            if (positions > 0)
            {
                var layers = Addresses(weights, biases);
                IntPtr pz = CudaKernels.DataPointer(z), pf = CudaKernels.DataPointer(frequency), pa = CudaKernels.DataPointer(act);
                IntPtr pp = pre is null ? IntPtr.Zero : CudaKernels.DataPointer(pre);
                void** args = stackalloc void*[] { &pz, &e, &layers, &n, &pf, &pp, &pa, &positions };
                CudaKernels.Launch(CudaKernels.DeviceIndex(z), ForwardKernel(width), (Blocks(positions, width), 1), args, Threads, (uint)ForwardSharedBytes(width));
            }
            return (keep ? act[n - 1].view(shape) : act, pre, act);
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            GradientHandOff.TakeUndefinedGradients(ctx);
            var inputs = vars.Cast<Tensor>().ToList();
            int n = (inputs.Count - 2) / 2;
            var (z, frequency) = (inputs[0], inputs[1]);
            var weights = inputs.GetRange(2, n);
            var biases = inputs.GetRange(2 + n, n);
            var (output, pre, act) = Forward(z, frequency, weights, biases, keep: true);
            var saved = new List<Tensor>(inputs) { pre!, act! };
            ctx.save_for_backward(saved);
            ctx.save_data("required", inputs.Select(t => t.requires_grad).ToArray());
            return output;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
        {
            var required = (bool[])ctx.get_data("required");
            return GradientHandOff.Backward("filter MLP", required.Length, grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                int n = (required.Length - 2) / 2;
                var (z, frequency) = (saved[0], saved[1]);
                var weights = saved.GetRange(2, n);
                var biases = saved.GetRange(2 + n, n);
                var (pre, act) = (saved[^2], saved[^1]);
                var grads = Backward(grad_output, z, frequency, weights, biases, pre, act, required);
                for (int i = 0; i < grads.Count; i++)
                    if (!required[i])
                        grads[i] = null!;
                return grads;
            });
        }

        // The gradients of z, the frequency, the weights and the biases, in the forward's order of inputs; z's and the weights'
        // only where required (the kernel sums the frequency's and the biases' either way).
        private static unsafe List<Tensor> Backward(Tensor gradOutput, Tensor z, Tensor frequency, List<Tensor> weights, List<Tensor> biases, Tensor pre, Tensor act, bool[] required)
        {
            bool zGrad = required[0];
            int n = weights.Count, width = (int)weights[0].size(0), e = (int)z.size(-1);
            long positions = z.numel() / e;
            var g = gradOutput.contiguous();
            if (!CudaKernels.Aligned16(g))
                g = g.clone();   // the kernel reads g's rows four floats at a time
            var dpre = empty(new[] { n, positions, width }, ScalarType.Float32, z.device);
            var dz = zGrad ? empty(z.shape, ScalarType.Float32, z.device) : null;
            uint blocks = Blocks(positions, width);
            var partial = empty(new long[] { n + 1, width, blocks }, ScalarType.Float32, z.device);   // the frequency's sums, then each bias's
            if (positions > 0)
            {
                var layers = Addresses(weights, biases);
                IntPtr pg = CudaKernels.DataPointer(g), pf = CudaKernels.DataPointer(frequency), pp = CudaKernels.DataPointer(pre);
                IntPtr pd = CudaKernels.DataPointer(dpre), pdz = dz is null ? IntPtr.Zero : CudaKernels.DataPointer(dz), ppart = CudaKernels.DataPointer(partial);
                void** args = stackalloc void*[] { &pg, &e, &layers, &n, &pf, &pp, &pd, &pdz, &ppart, &positions };
                CudaKernels.Launch(CudaKernels.DeviceIndex(z), BackwardKernel(width), (blocks, 1), args, Threads, (uint)BackwardSharedBytes(width, n));
            }
            else
            {
                partial.zero_();
                dpre.zero_();
                dz?.zero_();
            }
            var sums = partial.sum(2L);   // (n + 1, F)
            var grads = new List<Tensor> { dz!, sums[0].view(frequency.shape) };
            // Layer l's weight: p_l's gradient (F, L) x a_(l-1) (L, F), z (L, E) for the first. One product a layer: cuBLAS splits
            // these products' long sums over L between blocks, which it did not for a batched product of the inner layers (one
            // block a 64 x 64 output over all of L: about 1 ms at 64k on an H200).
            for (int l = 0; l < n; l++)
                grads.Add(required[2 + l] ? dpre[l].t().mm(l == 0 ? z.reshape(positions, e) : act[l - 1]) : null!);
            for (int l = 0; l < n; l++)
                grads.Add(sums[l + 1].view(biases[l].shape));
            return grads;
        }
    }
}
