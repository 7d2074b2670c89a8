using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// <see cref="FftConvolution.FilterSpectrum"/> as one autograd node with a hand-written backward pass. Forward:
    /// S = rfft(k', 2L) / 2L with k' the filter zero-padded to 2L and the skip term added at lag 0, as before. Backward:
    /// for the spectrum's gradient G, the filter's is grad k[t] = (1/2L) sum over f = 0..L of Re(G[f] e^(2 pi i f t / 2L))
    /// for t &lt; L (each bin of the one-sided spectrum counted once), which is irfft(w G, 2L)[..L] with w = 1 at bins 0
    /// and L and 1/2 between; the skip term's gradient is its value at t = 0.
    /// </summary>
    /// <remarks>
    /// libtorch's own backward pass of rfft builds the full two-sided gradient spectrum and runs a complex-to-complex
    /// transform of 2L points on it; this runs one complex-to-real transform of the one-sided gradient, half the work and
    /// memory. Nothing is saved for the backward pass but the length and types.
    /// <para>
    /// On CUDA in float32, for a filter laid out as the operator makes it (a (..., C, L) view of a contiguous (L, ...C)
    /// tensor: positions outermost), two NVRTC kernels (<see cref="Source"/>) replace the passes around the transforms.
    /// Forward, one kernel writes the zero-padded, skip-termed and scaled filter channels first, transposing it through
    /// shared memory, and cuFFT's transform runs unscaled. Backward, cuFFT's unscaled inverse transform of G itself (no
    /// weighting pass) gives z = G[0] + G[L] (-1)^t + 2 sum over 0 &lt; f &lt; L of Re(G[f] e^(...)), so that
    /// grad k[t] = (z[t] + Re G[0] + Re G[L] (-1)^t) / 4L, which one kernel writes back positions first.
    /// </para>
    /// <para>
    /// Where the four-step kernels make the spectrum in their own order and the filter is laid out channels first (the
    /// operator's path from 32k on), neither of those kernels runs: the four-step transform's first step reads the filter
    /// itself, windowed and scaled as the padding kernel would have written it, and its last step writes the filter's
    /// gradient as the gradient kernel would have (<see cref="FourStepFftConvolution.FilterSpectrum"/>,
    /// <see cref="FourStepFftConvolution.FilterGradient"/>): the same values, without the padded copy and z in memory.
    /// </para>
    /// </remarks>
    internal sealed class FilterSpectrumFunction : autograd.SingleTensorFunction<FilterSpectrumFunction>
    {
        /// <summary>
        /// The kernels' CUDA source (compiled with <see cref="CudaKernels.Source"/>; also run on the CPU by
        /// Emulation/FilterSpectrum.cpp). Both move 32 x 32 tiles through shared memory, read and written along the
        /// contiguous dimension of each side; the grid's x runs along the positions (up to 2^31 - 1 tiles), its y along the
        /// channels (up to 65,535 tiles, so C &lt;= 2,097,120).
        /// </summary>
        internal const string Source = @"
// The window exp(-t |delta_c|) + shift at time t and channel c (ExponentialModulation), or 1 without times.
__device__ __forceinline__ float filter_window(const float* times, const float* deltas, float shift, int t, int c) {
    return times ? expf(-(times[t] * fabsf(deltas[c]))) + shift : 1.f;
}

// padded[c, t] = scale (k[t * C + c] w(t, c) + (t == 0 ? bias[c] : 0)) for t < L and 0 for L <= t < width, with w the
// window (1 when times is null). k: (L, C) positions first, float32 or bfloat16 (widened as read: the filter MLP's last
// product in bfloat16 needs no cast of its own); padded: (C, width), width 2L (for cuFFT) or L (for the four-step
// kernels, which know the second half is zero); bias may be null. Grid (ceil(width / 32), ceil(C / 32)).
template <typename TK>
__device__ void filter_pad(const TK* k, const float* bias, const float* times, const float* deltas, float shift,
                           float* padded, int L, int C, float scale, int width) {
    __shared__ float tile[32][33];
    int t0 = blockIdx.x * 32, c0 = blockIdx.y * 32;
    if (t0 >= L) {                                         // the zero half: nothing to read
        for (int e = threadIdx.x; e < 1024; e += blockDim.x) {
            int c = c0 + e / 32, t = t0 + e % 32;
            if (c < C && t < width) padded[(long long)c * width + t] = 0.f;
        }
        return;
    }
    batched_load<4>(1024, [&](int e) {                     // read along the channels
        int t = t0 + e / 32, c = c0 + e % 32;
        float v = 0.f;
        if (t < L && c < C) { v = ld(k, (long long)t * C + c) * filter_window(times, deltas, shift, t, c); if (t == 0 && bias) v += bias[c]; }
        return v * scale;
    }, [&](int e, float v) { tile[e / 32][e % 32] = v; });
    __syncthreads();
    for (int e = threadIdx.x; e < 1024; e += blockDim.x) {   // write along the positions (zero from L on)
        int c = c0 + e / 32, t = t0 + e % 32;
        if (c < C && t < width) padded[(long long)c * width + t] = tile[e % 32][e / 32];
    }
}

// g = scale (z[c, t] + Re G[c, 0] + (-1)^t Re G[c, L]) for t < L: gk[t * C + c] = g w(t, c) (the window's, 1 when times is
// null) and gbias[c] = g at t = 0 when not null. z: (C, zWidth), zWidth 2L (cuFFT's inverse) or L (the four-step
// kernels' first L outputs); G: (C, L + 1) complex as interleaved floats, of which only bins 0 and L are read (the same
// places in bin order and in the four-step kernels' order); gk: (L, C) positions first, in the filter's type (float32, or
// bfloat16 rounded as a cast rounds); gbias float32. Grid (ceil(L / 32), ceil(C / 32)).
template <typename TG>
__device__ void filter_grad(const float* z, const float* G, const float* times, const float* deltas, float shift,
                            TG* gk, float* gbias, int L, int C, float scale, int zWidth) {
    __shared__ float tile[32][33];
    int t0 = blockIdx.x * 32, c0 = blockIdx.y * 32;
    batched_load<4>(1024, [&](int e) {                     // read along the positions
        int c = c0 + e / 32, t = t0 + e % 32;
        float v = 0.f;
        if (c < C && t < L) {
            long long g = (long long)c * (L + 1);
            float nyquist = G[2 * (g + L)];
            v = (z[(long long)c * zWidth + t] + G[2 * g] + ((t & 1) ? -nyquist : nyquist)) * scale;
            if (t == 0 && gbias) gbias[c] = v;
            v *= filter_window(times, deltas, shift, t, c);
        }
        return v;
    }, [&](int e, float v) { tile[e / 32][e % 32] = v; });
    __syncthreads();
    for (int e = threadIdx.x; e < 1024; e += blockDim.x) {   // write along the channels
        int t = t0 + e / 32, c = c0 + e % 32;
        if (t < L && c < C) st(gk, (long long)t * C + c, tile[e % 32][e / 32]);
    }
}

// The same two kernels for a filter laid out channels first, k (C, L) contiguous (the filter MLP's last product written
// W x^T), with its gradient gk (C, L) the same way: no transpose, so no tiles. Each block covers 2,048 positions of the
// channels blockIdx.y, blockIdx.y + gridDim.y, ...; each thread 8 of them, 256 apart, all 8 loads issued before the
// first store (a single load and store a thread left the kernel latency-bound at a third of the memory bandwidth), read
// and written along the positions. The same float operations in the same order as filter_pad / filter_grad, so the
// same values. Grid (ceil(width / 2048) or ceil(L / 2048), min(C, 65535)).
template <typename TK>
__device__ void filter_pad_cf(const TK* k, const float* bias, const float* times, const float* deltas, float shift,
                              float* padded, int L, int C, float scale, int width) {
    for (int c = blockIdx.y; c < C; c += gridDim.y)
        for (int e = threadIdx.x; e < 256; e += blockDim.x) {
            const int t0 = blockIdx.x * 2048 + e;
            float v[8];
#pragma unroll
            for (int i = 0; i < 8; i++) { int t = t0 + i * 256; v[i] = t < L ? ld(k, (long long)c * L + t) : 0.f; }
#pragma unroll
            for (int i = 0; i < 8; i++) {
                int t = t0 + i * 256;
                if (t >= width) break;
                float x = 0.f;
                if (t < L) { x = v[i] * filter_window(times, deltas, shift, t, c); if (t == 0 && bias) x += bias[c]; }
                padded[(long long)c * width + t] = x * scale;
            }
        }
}

template <typename TG>
__device__ void filter_grad_cf(const float* z, const float* G, const float* times, const float* deltas, float shift,
                               TG* gk, float* gbias, int L, int C, float scale, int zWidth) {
    for (int c = blockIdx.y; c < C; c += gridDim.y) {
        long long g = (long long)c * (L + 1);
        float first = G[2 * g], nyquist = G[2 * (g + L)];
        for (int e = threadIdx.x; e < 256; e += blockDim.x) {
            const int t0 = blockIdx.x * 2048 + e;
            float v[8];
#pragma unroll
            for (int i = 0; i < 8; i++) { int t = t0 + i * 256; v[i] = t < L ? z[(long long)c * zWidth + t] : 0.f; }
#pragma unroll
            for (int i = 0; i < 8; i++) {
                int t = t0 + i * 256;
                if (t >= L) break;
                float x = (v[i] + first + ((t & 1) ? -nyquist : nyquist)) * scale;
                if (t == 0 && gbias) gbias[c] = x;
                x *= filter_window(times, deltas, shift, t, c);
                st(gk, (long long)c * L + t, x);
            }
        }
    }
}

#define HYENA_FILTER(NAME, T) \
extern ""C"" __global__ void hyena_filter_pad##NAME(const T* k, const float* bias, const float* times, const float* deltas, float shift, float* padded, int L, int C, float scale, int width) { filter_pad(k, bias, times, deltas, shift, padded, L, C, scale, width); } \
extern ""C"" __global__ void hyena_filter_grad##NAME(const float* z, const float* G, const float* times, const float* deltas, float shift, T* gk, float* gbias, int L, int C, float scale, int zWidth) { filter_grad(z, G, times, deltas, shift, gk, gbias, L, C, scale, zWidth); } \
extern ""C"" __global__ void hyena_filter_pad_cf##NAME(const T* k, const float* bias, const float* times, const float* deltas, float shift, float* padded, int L, int C, float scale, int width) { filter_pad_cf(k, bias, times, deltas, shift, padded, L, C, scale, width); } \
extern ""C"" __global__ void hyena_filter_grad_cf##NAME(const float* z, const float* G, const float* times, const float* deltas, float shift, T* gk, float* gbias, int L, int C, float scale, int zWidth) { filter_grad_cf(z, G, times, deltas, shift, gk, gbias, L, C, scale, zWidth); }
HYENA_FILTER(, float)
HYENA_FILTER(_bf16, bf16_t)
";

        /// <summary>The kernels' entry points.</summary>
        internal static readonly string[] FunctionNames =
        {
            "hyena_filter_pad", "hyena_filter_grad", "hyena_filter_pad_bf16", "hyena_filter_grad_bf16",
            "hyena_filter_pad_cf", "hyena_filter_grad_cf", "hyena_filter_pad_cf_bf16", "hyena_filter_grad_cf_bf16",
        };

        /// <summary>Positions a block of the channels-first kernels covers (its 256 threads, 8 positions each).</summary>
        internal const int ChannelsFirstPositions = 2048;

        /// <summary>Side of the square tiles the kernels move through shared memory.</summary>
        internal const int Tile = 32;

        public override string Name => "HyenaFilterSpectrum";

        /// <summary>
        /// The exponential window of <see cref="Modules.ExponentialModulation"/> applied by the kernels as they read the
        /// filter: k[c, t] (exp(-Times[t] |Deltas[c]|) + Shift). Times: (L); Deltas: the filter's channel shape (..., C), float32.
        /// </summary>
        internal readonly record struct Window(Tensor Times, Tensor Deltas, float Shift);

        /// <summary>The spectrum of <paramref name="k"/> (..., C, L) with <paramref name="bias"/> (..., C) folded in, or none when null.</summary>
        public static Tensor Apply(Tensor k, Tensor? bias)
            => bias is null ? apply(k, k, false, false, k, k, 0f, false) : apply(k, bias, true, false, k, k, 0f, false);

        /// <summary>
        /// The spectrum of the windowed filter <paramref name="h"/> (..., C, L) (the window applied by the kernels, which
        /// must apply: <see cref="KernelsApply(Tensor, Tensor?)"/>, except that h may also be bfloat16, read as it is and its
        /// gradient written so) with <paramref name="bias"/> (float32) folded in; an autograd node when gradients are needed.
        /// With <paramref name="kernelOrder"/> (L a length the four-step kernels take, <see cref="FourStepFftConvolution.Applies"/>),
        /// the spectrum is made by those kernels and comes, and its gradient is expected, in their bin order (kept_slot),
        /// as the four-step convolution reads it: no cuFFT, no zero half, no reordering.
        /// </summary>
        public static Tensor ApplyWindowed(Tensor h, Tensor? bias, Window window, bool kernelOrder = false)
        {
            if (!is_grad_enabled() || !(h.requires_grad || (bias is not null && bias.requires_grad)))
                return KernelForward(h, bias, window, kernelOrder);
            return apply(h, bias ?? h, bias is not null, true, window.Times, window.Deltas, window.Shift, kernelOrder);
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            GradientHandOff.TakeUndefinedGradients(ctx);
            var k = (Tensor)vars[0];
            bool hasBias = (bool)vars[2];
            var bias = hasBias ? (Tensor)vars[1] : null;
            Window? window = (bool)vars[3] ? new Window((Tensor)vars[4], (Tensor)vars[5], (float)vars[6]) : null;
            bool kernels = window is not null || KernelsApply(k, bias);
            bool kernelOrder = vars.Length > 7 && (bool)vars[7];
            ctx.save_data("kernelOrder", kernelOrder);
            ctx.save_data("length", k.size(-1));
            ctx.save_data("kType", (int)k.dtype);
            ctx.save_data("biasType", hasBias ? (int)bias!.dtype : -1);
            ctx.save_data("kernels", kernels);
            var layout = kernels ? LayoutOf(k) : FilterLayout.Other;                        // once a pass: forward and backward use it
            ctx.save_data("channelsFirst", layout == FilterLayout.ChannelsFirst);
            if (window is Window w)
            {
                ctx.save_for_backward(new List<Tensor> { w.Times, w.Deltas });
                ctx.save_data("shift", w.Shift);
            }
            ctx.save_data("windowed", window is not null);
            return kernels ? KernelForward(k, bias, window, kernelOrder, layout) : Compose(k, bias);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("filter spectrum", 8, grad_output, () =>
            {
                long length = (long)ctx.get_data("length");
                var kType = (ScalarType)(int)ctx.get_data("kType");
                int biasType = (int)ctx.get_data("biasType");
                Tensor gk, gb;
                if ((bool)ctx.get_data("kernels"))
                {
                    Window? window = null;
                    if ((bool)ctx.get_data("windowed"))
                    {
                        var saved = ctx.get_saved_variables();
                        window = new Window(saved[0], saved[1], (float)ctx.get_data("shift"));
                    }
                    (gk, gb) = KernelBackward(grad_output, length, biasType >= 0, window, (bool)ctx.get_data("kernelOrder"),
                        kType, (bool)ctx.get_data("channelsFirst"));
                }
                else
                {
                    // w G with w = 1 at bins 0 and L and 1/2 between: G over the one-sided weights (1, 2, ..., 2, 1), exactly.
                    var weighted = grad_output / LongConvolutionFunction.OneSidedWeights(length, grad_output.device);
                    var full2L = fft.irfft(weighted, 2 * length);                 // (..., C, 2L), 1/2L applied
                    gk = full2L.narrow(-1, 0, length);
                    gb = biasType >= 0 ? full2L.select(-1, 0) : null!;
                }
                return new List<Tensor>
                {
                    gk.InType(kType),
                    gb is null ? null! : gb.InType((ScalarType)biasType),
                    null!, null!, null!, null!, null!, null!,
                };
            });

        /// <summary>The forward pass as library calls (also what runs when no gradient is needed).</summary>
        internal static Tensor Compose(Tensor k, Tensor? bias)
        {
            using var scope = NewDisposeScope();
            long length = k.size(-1);
            var real = k.dtype == ScalarType.Float64 ? k : k.to_type(ScalarType.Float32);
            // The zero padding to 2L is made here (one copy, which also makes a transposed filter contiguous), so the
            // skip term can be added in place at lag 0.
            var padded = nn.functional.pad(real, new long[] { 0, length });
            if (bias is not null)
            {
                var lagZero = zeros(1, ScalarType.Int64, k.device);   // made on the device: no host copy
                padded.index_add_(-1, lagZero, bias.to_type(padded.dtype).unsqueeze(-1), 1);
            }
            return scope.MoveToOuter(fft.rfft(padded, 2 * length, norm: FFTNormType.Forward));
        }

        /// <summary>
        /// Whether the kernels take <paramref name="k"/> and <paramref name="bias"/>: on CUDA in float32, k laid out
        /// positions first (a view of a contiguous tensor with its positions outermost) or channels first (contiguous as
        /// it is), the grid within its limits, and the kernels ready (NVRTC found; not switched off by HYENA_CUDA_KERNELS=0).
        /// </summary>
        internal static bool KernelsApply(Tensor k, Tensor? bias)
            => (bias is null || bias.dtype == k.dtype) && KernelsApply(k.device, k.dtype, k.size(-1), k.numel() / Math.Max(1, k.size(-1)))
                && LayoutOf(k) != FilterLayout.Other;

        /// <summary>
        /// How a filter k (..., C, L) lies in memory for the kernels: positions first (a view of a contiguous (L, ...C)
        /// tensor, as the filter MLP's product x W^T writes it), channels first (contiguous as it is, as W x^T writes it; not
        /// also positions first, which one channel or one position is, where the positions-first kernels run), or neither.
        /// </summary>
        internal enum FilterLayout { PositionsFirst, ChannelsFirst, Other }

        /// <summary>The layout of <paramref name="k"/> (<see cref="FilterLayout"/>).</summary>
        internal static FilterLayout LayoutOf(Tensor k)
        {
            // From the sizes and strides: a movedim view to ask is_contiguous of would cost the host a library call a pass.
            long[] shape = k.shape, strides = k.stride();
            var positionsOutermost = new int[shape.Length];
            positionsOutermost[0] = shape.Length - 1;
            for (int d = 1; d < shape.Length; d++)
                positionsOutermost[d] = d - 1;
            return IsContiguousIn(positionsOutermost, shape, strides) ? FilterLayout.PositionsFirst
                : k.is_contiguous() ? FilterLayout.ChannelsFirst : FilterLayout.Other;
        }

        // Whether the dimensions taken in order (outermost first) lie contiguous, as is_contiguous decides it for a view in
        // that order: sizes of one are skipped, and no elements at all is contiguous.
        internal static bool IsContiguousIn(int[] order, long[] shape, long[] strides)
        {
            if (shape.Any(size => size == 0))
                return true;
            long expected = 1;
            for (int i = order.Length - 1; i >= 0; i--)
            {
                int d = order[i];
                if (shape[d] == 1)
                    continue;
                if (strides[d] != expected)
                    return false;
                expected *= shape[d];
            }
            return true;
        }

        /// <summary>Whether the kernels take a filter of <paramref name="length"/> positions and <paramref name="channels"/> channels in <paramref name="dtype"/> on <paramref name="device"/>, laid out positions outermost.</summary>
        internal static bool KernelsApply(Device device, ScalarType dtype, long length, long channels)
            => device.type == DeviceType.CUDA && dtype == ScalarType.Float32 && length >= 1 && channels >= 1 && length <= int.MaxValue / 2
                && (channels + Tile - 1) / Tile <= 65535 && CudaKernels.TryEnsure(device.index < 0 ? 0 : device.index);

        /// <summary>
        /// The forward pass with the padding kernel (and the window, when given) and an unscaled transform: (..., C, L + 1),
        /// complex64; k float32 or bfloat16. <paramref name="layout"/>: k's, when the caller has it (else found here).
        /// </summary>
        internal static unsafe Tensor KernelForward(Tensor k, Tensor? bias, Window? window = null, bool kernelOrder = false, FilterLayout? layout = null)
        {
            using var scope = NewDisposeScope();
            int device = CudaKernels.DeviceIndex(k);
            CudaKernels.Ensure(device);
            int length = (int)k.size(-1), channels = (int)(k.numel() / length);
            int width = kernelOrder ? length : 2 * length;                                      // the four-step kernels need no zero half
            var kLayout = layout ?? LayoutOf(k);
            bool channelsFirst = kLayout == FilterLayout.ChannelsFirst;
            if (kLayout == FilterLayout.Other)
                throw new ArgumentException("The filter spectrum's kernels read a filter laid out positions first or channels first; got another layout.", nameof(k));
            var leading = k.shape[..^1];
            var biasData = bias?.contiguous();
            var (times, deltas, shift) = WindowData(window, length, channels);
            IntPtr pk = CudaKernels.DataPointer(k), pb = biasData is null ? IntPtr.Zero : CudaKernels.DataPointer(biasData);
            IntPtr pt = times is null ? IntPtr.Zero : CudaKernels.DataPointer(times), pd = deltas is null ? IntPtr.Zero : CudaKernels.DataPointer(deltas);
            float scale = 1f / (2f * length);
            if (kernelOrder && channelsFirst)                                                   // the four-step kernels read k itself
                return scope.MoveToOuter(FourStepFftConvolution.FilterSpectrum(k, pb, pt, pd, shift, scale).view(leading.Append(length + 1L).ToArray()));
            var padded = empty(new long[] { channels, width }, ScalarType.Float32, k.device);
            IntPtr pp = CudaKernels.DataPointer(padded);
            void** args = stackalloc void*[10];
            args[0] = &pk; args[1] = &pb; args[2] = &pt; args[3] = &pd; args[4] = &shift; args[5] = &pp; args[6] = &length; args[7] = &channels; args[8] = &scale;
            args[9] = &width;
            CudaKernels.Launch(device, KernelName(channelsFirst ? "hyena_filter_pad_cf" : "hyena_filter_pad", k.dtype), Grid(width, channels, channelsFirst), args);
            var spectrum = kernelOrder
                ? FourStepFftConvolution.RealSpectrum(padded)                                   // in the four-step kernels' order
                : fft.rfft(padded, 2L * length, norm: FFTNormType.Backward);                    // unscaled: the kernel scaled
            return scope.MoveToOuter(spectrum.view(leading.Append(length + 1L).ToArray()));
        }

        /// <summary>
        /// The backward pass with an unscaled inverse transform of G and the gradient kernel: grad k (times the window, when
        /// given) laid out as k was, positions outermost or, with <paramref name="channelsFirst"/>, channels first, in
        /// <paramref name="filterType"/> (float32 or bfloat16: the kernel rounds as it writes); the skip term's in float32.
        /// </summary>
        internal static unsafe (Tensor gk, Tensor gb) KernelBackward(Tensor grad, long length, bool withBias, Window? window = null, bool kernelOrder = false,
            ScalarType filterType = ScalarType.Float32, bool channelsFirst = false)
        {
            string name = KernelName(channelsFirst ? "hyena_filter_grad_cf" : "hyena_filter_grad", filterType);
            int device = CudaKernels.DeviceIndex(grad);
            CudaKernels.Ensure(device);
            var leading = grad.shape[..^1];
            int channels = (int)(grad.numel() / (length + 1)), l = (int)length;
            var g = grad.contiguous().view(channels, length + 1);
            var gk = channelsFirst
                ? empty(leading.Append(length).ToArray(), filterType, grad.device)                 // (...C, L)
                : empty(new[] { length }.Concat(leading).ToArray(), filterType, grad.device);     // (L, ...C)
            var gb = withBias ? empty(leading, ScalarType.Float32, grad.device) : null;
            IntPtr pg = CudaKernels.DataPointer(g), pk = CudaKernels.DataPointer(gk), pb = gb is null ? IntPtr.Zero : CudaKernels.DataPointer(gb);
            var (times, deltas, shift) = WindowData(window, l, channels);
            IntPtr pt = times is null ? IntPtr.Zero : CudaKernels.DataPointer(times), pd = deltas is null ? IntPtr.Zero : CudaKernels.DataPointer(deltas);
            float scale = 1f / (4f * length);
            if (kernelOrder && channelsFirst)                                                   // the four-step kernels write gk itself
            {
                FourStepFftConvolution.FilterGradient(g, gk, pb, pt, pd, shift, scale);
                return (gk, gb!);
            }
            using var z = kernelOrder                                                           // unscaled: G[0] + G[L](-1)^t + 2 sum Re(...)
                ? FourStepFftConvolution.InverseRealSpectrum(g)                                 // G in the kernels' order: the first L of z
                : fft.irfft(g, 2 * length, norm: FFTNormType.Forward);
            int zWidth = (int)z.size(1);
            IntPtr pz = CudaKernels.DataPointer(z);
            void** args = stackalloc void*[11];
            args[0] = &pz; args[1] = &pg; args[2] = &pt; args[3] = &pd; args[4] = &shift; args[5] = &pk; args[6] = &pb; args[7] = &l; args[8] = &channels; args[9] = &scale;
            args[10] = &zWidth;
            CudaKernels.Launch(device, name, Grid(l, channels, channelsFirst), args);
            return (channelsFirst ? gk : gk.movedim(new long[] { 0 }, new long[] { -1 }), gb!);
        }

        // The kernel of that name for a filter of type filterType: float32, or bfloat16 (the filter MLP's last product in
        // bfloat16, HyenaFilter.MatrixProductType), read and written without casts of their own.
        internal static string KernelName(string name, ScalarType filterType) => filterType switch
        {
            ScalarType.Float32 => name,
            ScalarType.BFloat16 => name + "_bf16",
            _ => throw new ArgumentException($"The filter spectrum's kernels take a float32 or bfloat16 filter; got {filterType}.", nameof(filterType)),
        };

        private static uint TileCount(long n) => (uint)Math.Max(1, (n + Tile - 1) / Tile);

        // The kernels' grid over positions (width of them) and channels: tiles of 32 x 32 positions first; channels first,
        // blocks of 2,048 positions by up to 65,535 channels (each block then loops over its share of the channels).
        private static (uint, uint) Grid(long positions, long channels, bool channelsFirst) => channelsFirst
            ? ((uint)Math.Max(1, (positions + ChannelsFirstPositions - 1) / ChannelsFirstPositions), (uint)Math.Clamp(channels, 1, 65535))
            : (TileCount(positions), TileCount(channels));

        // The window's times and rates as contiguous float32 of L and C elements, or nulls without a window.
        private static (Tensor? Times, Tensor? Deltas, float Shift) WindowData(Window? window, int length, int channels)
        {
            if (window is not Window w)
                return (null, null, 0f);
            if (w.Times.numel() != length || w.Deltas.numel() != channels || w.Times.dtype != ScalarType.Float32 || w.Deltas.dtype != ScalarType.Float32)
                throw new ArgumentException($"The window needs {length} float32 times and {channels} float32 rates; got {w.Times.numel()} ({w.Times.dtype}) and {w.Deltas.numel()} ({w.Deltas.dtype}).", nameof(window));
            return (w.Times.contiguous(), w.Deltas.contiguous(), w.Shift);
        }
    }
}
