using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// The filter MLP's activation y = sin(freq x) (<see cref="Modules.Sin"/>: a frequency per feature, over the last
    /// dimension), or y = sin(freq (x + bias)) with the bias of the Linear layer before it, as one autograd node. On CUDA
    /// in float32, two NVRTC kernels (<see cref="Source"/>): the forward pass in one elementwise pass where libtorch ran two
    /// (the product, then the sine) or three (the bias's add first), and the backward pass in one pass that writes x's
    /// gradient g freq cos(freq p) (p = x + bias) and sums the frequency's, g p cos(freq p), and the bias's, x's gradient,
    /// over the rows a block visits, where autograd ran five (cos, three products, a reduction) and one more reduction for
    /// the bias; the blocks' partial sums are then added by one small sum. At 64k positions and filter order 64 those were
    /// about 25 us forward and 70 us backward a layer on an H200, with three such layers a pass, and eight kernel launches a
    /// layer fewer; the bias's add and sum took 12.5 and 23 us more a layer (194 and 160 us at 1M). Elsewhere, and for
    /// other types, the library calls. The values are autograd's: the same float32 operations in the same order (p = x +
    /// bias; t = g cos(freq p); x's gradient t freq; the frequency's the sum of t p, the bias's of t freq), with the sums
    /// in another order.
    /// </summary>
    internal sealed class SinActivationFunction : autograd.SingleTensorFunction<SinActivationFunction>
    {
        /// <summary>Features a block of the backward kernel covers.</summary>
        internal const int FeatureTile = 32;

        /// <summary>
        /// The kernels' CUDA source (compiled with <see cref="CudaKernels.Source"/>; also run on the CPU by
        /// Emulation/SinActivation.cpp). x, y, g and gx are contiguous float32 (rows, F); freq holds F float32.
        /// </summary>
        internal const string Source = @"
// ---- The filter MLP's activation sin(freq (x + bias)), a frequency and a bias per feature (SinActivationFunction). ----
// y[i] = sin(freq[f] p) with p = x[i] + bias[f] (x[i] when bias is null), f = i mod F, for the n elements of x;
// grid-stride (one element a thread up to the 2^27 threads of the largest grid).
extern ""C"" __global__ void __launch_bounds__(256) hyena_sin_forward(const float* x, const float* freq, const float* bias, float* y, long long n, int F) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x) {
        const int f = (int)(i % F);
        const float p = bias ? x[i] + bias[f] : x[i];
        y[i] = sinf(freq[f] * p);
    }
}

// t = g cos(freq p) at each element, p = x + bias (x when bias is null): gx = t freq, p's gradient and x's; and
// partial[blockIdx.y, f] = the sum of t p over the rows of feature f that this block visits (rows blockIdx.y * 8 + lane,
// stepping by gridDim.y * 8), with a bias also partial[gridDim.y + blockIdx.y, f] = the sum of gx there (the bias's
// gradient). Block of 256 threads as 8 lanes of 32 features (blockIdx.x * 32 + e % 32), so that a warp reads 32
// consecutive features of one row; grid (ceil(F / 32), rows blocks). Loops over the thread index, so one thread may run a
// whole block (the CPU emulation does).
extern ""C"" __global__ void __launch_bounds__(256) hyena_sin_backward(const float* g, const float* x, const float* freq, const float* bias,
                                                                       float* gx, float* partial, long long rows, int F) {
    __shared__ float sums[8][33];
    __shared__ float bias_sums[8][33];
    const int f0 = blockIdx.x * 32;
    for (int e = threadIdx.x; e < 256; e += blockDim.x) {
        const int c = e & 31, lane = e >> 5, f = f0 + c;
        float acc = 0.f, acc_bias = 0.f;
        if (f < F) {
            const float w = freq[f], b = bias ? bias[f] : 0.f;
            for (long long r = (long long)blockIdx.y * 8 + lane; r < rows; r += (long long)gridDim.y * 8) {
                const long long i = r * F + f;
                const float p = bias ? x[i] + b : x[i];
                const float t = g[i] * cosf(w * p);
                const float d = t * w;
                gx[i] = d;
                acc += t * p;
                acc_bias += d;
            }
        }
        sums[lane][c] = acc;
        bias_sums[lane][c] = acc_bias;
    }
    __syncthreads();
    store_lane_sums(sums, 32, f0, F, partial);
    if (bias) store_lane_sums(bias_sums, 32, f0, F, partial + (long long)gridDim.y * F);
}
";

        /// <summary>The kernels' entry points.</summary>
        internal static readonly string[] FunctionNames = { "hyena_sin_forward", "hyena_sin_backward" };

        /// <summary>Threads per block of both kernels.</summary>
        private const int Threads = 256;

        public override string Name => "HyenaSinActivation";

        /// <summary>
        /// sin(<paramref name="frequency"/> * (<paramref name="x"/> + <paramref name="bias"/>)), the frequency and the bias
        /// (when given: the Linear layer's before the activation, added here rather than in a pass of its own, and its
        /// gradient summed by the backward kernel) broadcast over x's last dimension.
        /// </summary>
        public static Tensor Apply(Tensor x, Tensor frequency, Tensor? bias = null)
        {
            if (!KernelApplies(x, frequency, bias))
                return sin(frequency * (bias is null ? x : x + bias));
            bool record = is_grad_enabled() && (x.requires_grad || frequency.requires_grad || bias?.requires_grad == true);
            return !record ? KernelForward(x, frequency, bias) : bias is null ? apply(x, frequency) : apply(x, frequency, bias);
        }

        /// <summary>
        /// Whether the kernels compute it: CUDA, x float32 and contiguous with at least one dimension, the frequency (and the
        /// bias, when given) float32, contiguous, with as many elements as x's last dimension, on x's device; kernels ready.
        /// </summary>
        internal static bool KernelApplies(Tensor x, Tensor frequency, Tensor? bias = null)
            => x.device_type == DeviceType.CUDA && x.dtype == ScalarType.Float32 && x.dim() >= 1 && x.size(-1) >= 1 && x.size(-1) <= int.MaxValue
               && x.is_contiguous() && PerFeature(frequency, x) && (bias is null || PerFeature(bias, x))
               && CudaKernels.TryEnsure(CudaKernels.DeviceIndex(x));

        // A float32, contiguous tensor of one value per feature of x, on x's device.
        private static bool PerFeature(Tensor t, Tensor x)
            => t.dtype == ScalarType.Float32 && t.numel() == x.size(-1) && t.is_contiguous()
               && t.device_type == x.device_type && t.device_index == x.device_index;

        private static unsafe Tensor KernelForward(Tensor x, Tensor frequency, Tensor? bias)
        {
            var y = empty(x.shape, ScalarType.Float32, x.device);
            long n = x.numel();
            if (n == 0)
                return y;
            int device = CudaKernels.DeviceIndex(x), features = (int)x.size(-1);
            long blocks = Math.Min((n + Threads - 1) / Threads, 65535L * 8);
            IntPtr px = CudaKernels.DataPointer(x), pf = CudaKernels.DataPointer(frequency), py = CudaKernels.DataPointer(y);
            IntPtr pb = bias is null ? IntPtr.Zero : CudaKernels.DataPointer(bias);
            void** args = stackalloc void*[] { &px, &pf, &pb, &py, &n, &features };
            CudaKernels.Launch(device, "hyena_sin_forward", ((uint)blocks, 1), args, Threads, 0);
            return y;
        }

        // x's gradient, the frequency's (shape (F)) and, with a bias, the bias's (shape (F)) for the gradient g of y.
        private static unsafe (Tensor gx, Tensor gf, Tensor? gb) KernelBackward(Tensor g, Tensor x, Tensor frequency, Tensor? bias)
        {
            using var scope = NewDisposeScope();
            int device = CudaKernels.DeviceIndex(x), features = (int)x.size(-1);
            long rows = x.numel() / features;
            var gradient = g.contiguous();
            var gx = empty(x.shape, ScalarType.Float32, x.device);
            long rowBlocks = CudaKernels.SumRowBlocks(rows);
            // the frequency's partial sums, then the bias's: the kernel writes every element of the parts it uses
            var partial = empty(new[] { bias is null ? 1L : 2L, rowBlocks, (long)features }, ScalarType.Float32, x.device);
            if (rows > 0)
            {
                IntPtr pg = CudaKernels.DataPointer(gradient), px = CudaKernels.DataPointer(x), pf = CudaKernels.DataPointer(frequency);
                IntPtr pb = bias is null ? IntPtr.Zero : CudaKernels.DataPointer(bias);
                IntPtr pgx = CudaKernels.DataPointer(gx), pp = CudaKernels.DataPointer(partial);
                void** args = stackalloc void*[] { &pg, &px, &pf, &pb, &pgx, &pp, &rows, &features };
                uint featureBlocks = (uint)((features + FeatureTile - 1) / FeatureTile);
                CudaKernels.Launch(device, "hyena_sin_backward", (featureBlocks, (uint)rowBlocks), args, Threads, 0);
            }
            else
            {
                partial.zero_();
            }
            var sums = rowBlocks == 1 ? partial.squeeze(1) : partial.sum(1L);   // (1 or 2, F)
            var gf = sums[0];
            var gb = bias is null ? null : sums[1];
            return (scope.MoveToOuter(gx), scope.MoveToOuter(gf), gb is null ? null : scope.MoveToOuter(gb));
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            GradientHandOff.TakeUndefinedGradients(ctx);
            var x = (Tensor)vars[0];
            var frequency = (Tensor)vars[1];
            var bias = vars.Length > 2 ? (Tensor)vars[2] : null;
            ctx.save_for_backward(bias is null ? new List<Tensor> { x, frequency } : new List<Tensor> { x, frequency, bias });
            ctx.save_data("xGrad", x.requires_grad);
            ctx.save_data("frequencyGrad", frequency.requires_grad);
            ctx.save_data("hasBias", bias is not null);
            ctx.save_data("biasGrad", bias?.requires_grad == true);
            return KernelForward(x, frequency, bias);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("sin activation", (bool)ctx.get_data("hasBias") ? 3 : 2, grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (x, frequency) = (saved[0], saved[1]);
                var bias = saved.Count > 2 ? saved[2] : null;
                var (gx, gf, gb) = KernelBackward(grad_output, x, frequency, bias);
                bool xGrad = (bool)ctx.get_data("xGrad"), frequencyGrad = (bool)ctx.get_data("frequencyGrad"), biasGrad = (bool)ctx.get_data("biasGrad");
                var grads = new List<Tensor> { xGrad ? gx : null!, frequencyGrad ? gf.view(frequency.shape) : null! };
                if (bias is not null)
                    grads.Add(biasGrad ? gb!.view(bias.shape) : null!);
                return grads;
            });
    }
}
