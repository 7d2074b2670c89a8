using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// One AdamW step of a float32 parameter in one CUDA kernel (<see cref="Source"/>), for <see cref="FusedAdamW"/>: the
    /// operations TorchSharp's <c>AdamW.step</c> runs as nine library calls a parameter (a weight-decay product, the two
    /// moments' updates, a square root, a division and a sum for the denominator, the update), in one pass over the
    /// parameter, its gradient and its two moments.
    /// </summary>
    internal static class AdamWStepKernel
    {
        /// <summary>The kernel's CUDA source (part of <see cref="CudaKernels.Source"/>; also run on the CPU by Emulation/AdamWStep.cpp).</summary>
        internal const string Source = @"
// ---- One AdamW step of a float32 parameter (FusedAdamW). ----
// For the n elements, as TorchSharp's AdamW.step computes them: p = p * decay (decay = 1 - lr * weight decay);
// m = m * beta1 + (1 - beta1) * g; v = v * beta2 + (1 - beta2) * g * g; p = p + negStep * (m / (sqrt(v) * invRoot + eps)),
// negStep = -lr / (1 - beta1^t), invRoot = 1 / sqrt(1 - beta2^t). p, m, v in place. Grid-stride, an element a thread a trip.
extern ""C"" __global__ void __launch_bounds__(256) hyena_adamw_step(float* p, const float* g, float* m, float* v, long long n,
        float decay, float beta1, float oneMinusBeta1, float beta2, float oneMinusBeta2, float invRoot, float eps, float negStep) {
    const long long stride = (long long)gridDim.x * blockDim.x;
    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += stride) {
        const float gi = g[i];
        const float mi = m[i] * beta1 + oneMinusBeta1 * gi;
        const float vi = v[i] * beta2 + oneMinusBeta2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = p[i] * decay + negStep * (mi / (sqrtf(vi) * invRoot + eps));
    }
}
";

        /// <summary>The kernel's entry point.</summary>
        internal static readonly string[] FunctionNames = { "hyena_adamw_step" };

        private const int Threads = 256;

        // Blocks of the grid-stride loop a multiprocessor: 8 of 256 threads fill one (1,056 blocks on an H200's 132), fewer
        // blocks for small parameters.
        private const long BlocksPerMultiprocessor = 8;

        /// <summary>
        /// Whether the kernel takes a step of <paramref name="parameter"/>: it, its gradient and its moments float32,
        /// contiguous and on one CUDA device, with the kernels ready there.
        /// </summary>
        internal static bool Applies(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq)
        {
            bool Fits(Tensor t) => t.dtype == ScalarType.Float32 && t.is_contiguous() && t.device_type == DeviceType.CUDA
                && t.device_index == parameter.device_index && t.numel() == parameter.numel();
            return parameter.device_type == DeviceType.CUDA && Fits(parameter) && Fits(grad) && Fits(expAvg) && Fits(expAvgSq)
                && CudaKernels.TryEnsure(CudaKernels.DeviceIndex(parameter));
        }

        /// <summary>One step (call only where <see cref="Applies"/>); <paramref name="step"/> counts from 1.</summary>
        internal static unsafe void Step(Tensor parameter, Tensor grad, Tensor expAvg, Tensor expAvgSq, long step,
            double learningRate, double weightDecay, double beta1, double beta2, double eps)
        {
            long n = parameter.numel();
            if (n == 0)
                return;
            float decay = (float)(1 - learningRate * weightDecay);
            float b1 = (float)beta1, c1 = (float)(1 - beta1), b2 = (float)beta2, c2 = (float)(1 - beta2);
            float invRoot = (float)(1 / Math.Sqrt(1 - Math.Pow(beta2, step)));
            float e = (float)eps;
            float negStep = (float)(-learningRate / (1 - Math.Pow(beta1, step)));
            IntPtr pp = CudaKernels.DataPointer(parameter), pg = CudaKernels.DataPointer(grad);
            IntPtr pm = CudaKernels.DataPointer(expAvg), pv = CudaKernels.DataPointer(expAvgSq);
            void** args = stackalloc void*[] { &pp, &pg, &pm, &pv, &n, &decay, &b1, &c1, &b2, &c2, &invRoot, &e, &negStep };
            int device = CudaKernels.DeviceIndex(parameter);
            long blocks = Math.Clamp((n + Threads - 1) / Threads, 1, Math.Max(1, CudaKernels.MultiprocessorCount(device)) * BlocksPerMultiprocessor);
            CudaKernels.Launch(device, "hyena_adamw_step", ((uint)blocks, 1), args, Threads, 0);
        }
    }
}
