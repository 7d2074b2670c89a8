using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// The filter MLP's activation y = sin(freq x) (<see cref="Modules.Sin"/>: a frequency per feature, over the last
    /// dimension) as one autograd node. On CUDA in float32, two NVRTC kernels (<see cref="Source"/>): the forward pass in
    /// one elementwise pass where libtorch ran two (the product, then the sine), and the backward pass in one pass that
    /// writes x's gradient g freq cos(freq x) and sums the frequency's, g x cos(freq x), over the rows a block visits,
    /// where autograd ran five (cos, three products, a reduction); the blocks' partial sums are then added by one small
    /// sum. At 64k positions and filter order 64 those were about 25 us forward and 70 us backward a layer on an H200, with
    /// three such layers a pass, and eight kernel launches a layer fewer. Elsewhere, and for other types, the library
    /// calls. The values are autograd's: the same float32 products in the same order (t = g cos(freq x); x's gradient
    /// t freq; the frequency's the sum of t x), with the sums in another order.
    /// </summary>
    internal sealed class SinActivationFunction : autograd.SingleTensorFunction<SinActivationFunction>
    {
        /// <summary>Rows a block of the backward kernel reads at a time (its threads: 32 features x 8 rows).</summary>
        internal const int RowLanes = 8;

        /// <summary>Features a block of the backward kernel covers.</summary>
        internal const int FeatureTile = 32;

        /// <summary>At most this many blocks along the rows in the backward kernel (each then loops over its share of rows).</summary>
        internal const int MaxRowBlocks = 256;

        /// <summary>
        /// The kernels' CUDA source (compiled with <see cref="CudaKernels.Source"/>; also run on the CPU by
        /// Emulation/SinActivation.cpp). x, y, g and gx are contiguous float32 (rows, F); freq holds F float32.
        /// </summary>
        internal const string Source = @"
// ---- The filter MLP's activation sin(freq x), a frequency per feature (SinActivationFunction). ----
// y[i] = sin(freq[i mod F] x[i]) for the n elements of x; grid-stride.
extern ""C"" __global__ void __launch_bounds__(256) hyena_sin_forward(const float* x, const float* freq, float* y, long long n, int F) {
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)gridDim.x * blockDim.x)
        y[i] = sinf(freq[(int)(i % F)] * x[i]);
}

// t = g cos(freq x) at each element: gx = t freq, and partial[blockIdx.y, f] = the sum of t x over the rows of feature f
// that this block visits (rows blockIdx.y * 8 + lane, stepping by gridDim.y * 8). Block of 256 threads as 8 lanes of 32
// features (blockIdx.x * 32 + e % 32), so that a warp reads 32 consecutive features of one row; grid (ceil(F / 32), rows
// blocks). Loops over the thread index, so one thread may run a whole block (the CPU emulation does).
extern ""C"" __global__ void __launch_bounds__(256) hyena_sin_backward(const float* g, const float* x, const float* freq, float* gx,
                                                                       float* partial, long long rows, int F) {
    __shared__ float sums[8][33];
    const int f0 = blockIdx.x * 32;
    for (int e = threadIdx.x; e < 256; e += blockDim.x) {
        const int c = e & 31, lane = e >> 5, f = f0 + c;
        float acc = 0.f;
        if (f < F) {
            const float w = freq[f];
            for (long long r = (long long)blockIdx.y * 8 + lane; r < rows; r += (long long)gridDim.y * 8) {
                const long long i = r * F + f;
                const float xi = x[i];
                const float t = g[i] * cosf(w * xi);
                gx[i] = t * w;
                acc += t * xi;
            }
        }
        sums[lane][c] = acc;
    }
    __syncthreads();
    store_lane_sums(sums, 32, f0, F, partial);
}
";

        /// <summary>The kernels' entry points.</summary>
        internal static readonly string[] FunctionNames = { "hyena_sin_forward", "hyena_sin_backward" };

        /// <summary>Threads per block of both kernels.</summary>
        private const int Threads = 256;

        public override string Name => "HyenaSinActivation";

        /// <summary>sin(<paramref name="frequency"/> * <paramref name="x"/>), the frequency broadcast over x's last dimension.</summary>
        public static Tensor Apply(Tensor x, Tensor frequency)
        {
            if (!KernelApplies(x, frequency))
                return sin(frequency * x);
            return is_grad_enabled() && (x.requires_grad || frequency.requires_grad) ? apply(x, frequency) : KernelForward(x, frequency);
        }

        /// <summary>
        /// Whether the kernels compute it: CUDA, x float32 and contiguous with at least one dimension, the frequency float32,
        /// contiguous, with as many elements as x's last dimension, on x's device; kernels ready.
        /// </summary>
        internal static bool KernelApplies(Tensor x, Tensor frequency)
            => x.device_type == DeviceType.CUDA && x.dtype == ScalarType.Float32 && frequency.dtype == ScalarType.Float32
               && x.dim() >= 1 && x.size(-1) >= 1 && x.size(-1) <= int.MaxValue && frequency.numel() == x.size(-1)
               && x.is_contiguous() && frequency.is_contiguous()
               && frequency.device_type == x.device_type && frequency.device_index == x.device_index
               && CudaKernels.TryEnsure(CudaKernels.DeviceIndex(x));

        private static unsafe Tensor KernelForward(Tensor x, Tensor frequency)
        {
            var y = empty(x.shape, ScalarType.Float32, x.device);
            long n = x.numel();
            if (n == 0)
                return y;
            int device = CudaKernels.DeviceIndex(x), features = (int)x.size(-1);
            long blocks = Math.Min((n + Threads - 1) / Threads, 65535L * 8);
            IntPtr px = CudaKernels.DataPointer(x), pf = CudaKernels.DataPointer(frequency), py = CudaKernels.DataPointer(y);
            void** args = stackalloc void*[] { &px, &pf, &py, &n, &features };
            CudaKernels.Launch(device, "hyena_sin_forward", ((uint)blocks, 1), args, Threads, 0);
            return y;
        }

        // x's gradient and the frequency's (shape (F)) for the gradient g of y.
        private static unsafe (Tensor gx, Tensor gf) KernelBackward(Tensor g, Tensor x, Tensor frequency)
        {
            using var scope = NewDisposeScope();
            int device = CudaKernels.DeviceIndex(x), features = (int)x.size(-1);
            long rows = x.numel() / features;
            var gradient = g.contiguous();
            var gx = empty(x.shape, ScalarType.Float32, x.device);
            long rowBlocks = Math.Clamp((rows + RowLanes - 1) / RowLanes, 1, MaxRowBlocks);
            var partial = empty(new[] { rowBlocks, (long)features }, ScalarType.Float32, x.device);   // the kernel writes every element
            if (rows > 0)
            {
                IntPtr pg = CudaKernels.DataPointer(gradient), px = CudaKernels.DataPointer(x), pf = CudaKernels.DataPointer(frequency);
                IntPtr pgx = CudaKernels.DataPointer(gx), pp = CudaKernels.DataPointer(partial);
                void** args = stackalloc void*[] { &pg, &px, &pf, &pgx, &pp, &rows, &features };
                uint featureBlocks = (uint)((features + FeatureTile - 1) / FeatureTile);
                CudaKernels.Launch(device, "hyena_sin_backward", (featureBlocks, (uint)rowBlocks), args, Threads, 0);
            }
            var gf = rowBlocks == 1 ? partial.squeeze(0) : partial.sum(0L);
            return (scope.MoveToOuter(gx), scope.MoveToOuter(gf));
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var x = (Tensor)vars[0];
            var frequency = (Tensor)vars[1];
            ctx.save_for_backward(new List<Tensor> { x, frequency });
            ctx.save_data("xGrad", x.requires_grad);
            ctx.save_data("frequencyGrad", frequency.requires_grad);
            return KernelForward(x, frequency);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("sin activation", 2, grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (x, frequency) = (saved[0], saved[1]);
                var (gx, gf) = KernelBackward(grad_output, x, frequency);
                bool xGrad = (bool)ctx.get_data("xGrad"), frequencyGrad = (bool)ctx.get_data("frequencyGrad");
                if (!xGrad)
                    gx.Dispose();
                if (!frequencyGrad)
                    gf.Dispose();
                return new List<Tensor> { xGrad ? gx : null!, frequencyGrad ? gf.view(frequency.shape) : null! };
            });
    }
}
