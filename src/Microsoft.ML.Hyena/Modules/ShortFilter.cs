using System;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Modules
{
    /// <summary>How the short causal depthwise convolution of the operator is computed.</summary>
    public enum ShortFilterImplementation
    {
        /// <summary>
        /// The measured fastest: on CUDA in float32 or bfloat16, <see cref="CudaKernel"/> when its
        /// kernels compile (NVRTC found; set HYENA_CUDA_KERNELS=0 to turn this off), else
        /// <see cref="Conv1d"/>; <see cref="Conv1d"/> on the CPU (see docs/benchmarks.md).
        /// </summary>
        Auto,

        /// <summary>The reference: a grouped <c>conv1d</c> with padding K - 1, cut to the input length.</summary>
        Conv1d,

        /// <summary>
        /// The same convolution as K shifted multiply-adds over a padded, unfolded view of the input
        /// (one product and one sum over the K taps, plus the bias). Equal to <see cref="Conv1d"/>
        /// up to rounding; avoids cuDNN's depthwise kernel. Its forward and backward passes make
        /// transient (batch, C, length, K) tensors, K times the size of the input.
        /// </summary>
        ShiftedMultiplyAdd,

        /// <summary>
        /// One autograd node with a hand-written backward pass (chosen by Auto on CUDA); on
        /// CUDA in float32 or bfloat16 it runs fused kernels compiled at run time with NVRTC (one pass
        /// forward, one pass and one reduction backward), elsewhere the same formulas composed of library
        /// calls. Needs NVRTC and the CUDA driver on CUDA (see Kernels/CudaKernels.cs); K at most 8.
        /// </summary>
        CudaKernel,
    }

    /// <summary>
    /// The short causal depthwise convolution of the Hyena operator:
    /// y[c, t] = bias[c] + sum over j &lt; K of weight[c, 0, j] * x[c, t - (K - 1) + j], with x = 0 before
    /// the start. Its parameters are those of PyTorch's <c>nn.Conv1d(C, C, K, padding=K-1, groups=C)</c>
    /// (<c>weight</c> (C, 1, K), <c>bias</c> (C)), under the same names.
    /// </summary>
    public sealed class ShortFilter : nn.Module<Tensor, Tensor>
    {
        [ComponentName(Name = "weight")]
        private Parameter _weight;

        [ComponentName(Name = "bias")]
        private Parameter _bias;

        /// <summary>Creates the filter for <paramref name="channels"/> channels and kernel size <paramref name="kernelSize"/>,
        /// initialised as PyTorch initialises Conv1d (uniform in ±1/sqrt(K)).</summary>
        public ShortFilter(string name, long channels, int kernelSize) : base(name)
        {
            if (channels < 1)
                throw new ArgumentOutOfRangeException(nameof(channels), channels, "must be at least 1");
            if (kernelSize < 1)
                throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "must be at least 1");
            Channels = channels;
            KernelSize = kernelSize;
            // nn.Conv1d's default: kaiming_uniform(a = sqrt(5)) on the weight and U(-1/sqrt(fan_in), 1/sqrt(fan_in))
            // on the bias, with fan_in = in_channels / groups * K = K; both bounds are 1/sqrt(K).
            double bound = 1.0 / Math.Sqrt(kernelSize);
            _weight = new Parameter(empty(channels, 1, kernelSize).uniform_(-bound, bound));
            _bias = new Parameter(empty(channels).uniform_(-bound, bound));
            RegisterComponents();
        }

        /// <summary>Number of channels C.</summary>
        public long Channels { get; }

        /// <summary>Kernel size K.</summary>
        public int KernelSize { get; }

        /// <summary>The kernel, shape (C, 1, K).</summary>
        public Parameter Weight => _weight;

        /// <summary>The bias, shape (C).</summary>
        public Parameter BiasParameter => _bias;

        /// <summary>How <see cref="forward"/> computes the convolution. Default <see cref="ShortFilterImplementation.Auto"/>.</summary>
        public ShortFilterImplementation Implementation { get; set; } = ShortFilterImplementation.Auto;

        /// <summary>What happened when the experimental CUDA kernels were last prepared (NVRTC version and source, or why they are unavailable).</summary>
        public static string CudaKernelReport => Kernels.CudaKernels.Report;

        /// <summary>
        /// The implementation <paramref name="implementation"/> stands for on <paramref name="deviceType"/>
        /// for an input of shape <paramref name="inputShape"/> and element size <paramref name="elementSize"/>.
        /// </summary>
        /// <param name="implementation">The implementation asked for.</param>
        /// <param name="deviceType">The input's device type.</param>
        /// <param name="inputShape">The input's shape (batch, C, length).</param>
        /// <param name="elementSize">Bytes per element of the computation.</param>
        /// <param name="kernelSize">K.</param>
        /// <param name="cudaKernelsReady">Whether the fused CUDA kernels are ready for this input (CUDA, float32 or bfloat16, K at most 8, NVRTC found).</param>
        public static ShortFilterImplementation Resolve(ShortFilterImplementation implementation, DeviceType deviceType, long[] inputShape, int elementSize, int kernelSize,
            bool cudaKernelsReady = false)
        {
            if (implementation != ShortFilterImplementation.Auto)
                return implementation;
            // Auto on CUDA takes the fused kernels when they are ready: on an H200 at 64k tokens the
            // operator's forward+backward took 19.5 ms with them against 22.9 ms with cuDNN's depthwise
            // Conv1d in bfloat16, and 36.5 against 39.7 ms in float32, with identical outputs
            // (docs/benchmarks.md, 2026-11-28). Elsewhere Conv1d: faster on the CPU than the shifted
            // multiply-adds, and on CUDA than them (22.5 against 25.8 ms).
            return deviceType == DeviceType.CUDA && cudaKernelsReady && kernelSize <= Kernels.CudaKernels.MaxKernelSize
                ? ShortFilterImplementation.CudaKernel
                : ShortFilterImplementation.Conv1d;
        }

        /// <summary>Applies the filter to <paramref name="input"/> of shape (batch, C, length); returns the same shape.</summary>
        public override Tensor forward(Tensor input) => Apply(input, null);

        /// <summary>
        /// Applies the filter in <paramref name="computeDtype"/> (the parameters are cast, so their
        /// gradients stay in their own dtype), or in the input's dtype when null.
        /// </summary>
        public Tensor Apply(Tensor input, ScalarType? computeDtype) => Apply(input, computeDtype, null);

        /// <summary>
        /// Applies the filter to <paramref name="input"/> plus <paramref name="inputBias"/> (shape (C), per channel, for
        /// example the input projection's bias): conv(input + inputBias), in <paramref name="computeDtype"/> as
        /// <see cref="Apply(Tensor, ScalarType?)"/>. The CUDA kernels add the bias as they read the input (no pass of
        /// its own, and its gradient comes from the backward kernel's sums); the other implementations add it first.
        /// </summary>
        public Tensor Apply(Tensor input, ScalarType? computeDtype, Tensor? inputBias)
        {
            if (input.dim() != 3 || input.size(1) != Channels)
                throw new ArgumentException($"Expected input of shape (batch, {Channels}, length); got ({string.Join(", ", input.shape)}).", nameof(input));
            if (inputBias is not null && (inputBias.dim() != 1 || inputBias.size(0) != Channels))
                throw new ArgumentException($"Expected an input bias of shape ({Channels}); got ({string.Join(", ", inputBias.shape)}).", nameof(inputBias));
            using var scope = NewDisposeScope();
            ScalarType dtype = computeDtype ?? input.dtype;
            var x = input.InType(dtype);
            bool kernelsReady = Implementation == ShortFilterImplementation.Auto && input.device_type == DeviceType.CUDA
                && (dtype == ScalarType.Float32 || dtype == ScalarType.BFloat16) && KernelSize <= Kernels.CudaKernels.MaxKernelSize
                && Kernels.CudaKernels.RowGridFits(input.size(0) * input.size(1), input.size(2))
                && Kernels.CudaKernels.TryEnsure(input.device.index);
            var implementation = Resolve(Implementation, input.device_type, input.shape, (int)x.ElementSize, KernelSize, kernelsReady);
            if (implementation == ShortFilterImplementation.CudaKernel)
            {
                if (KernelSize > Kernels.CudaKernels.MaxKernelSize)
                    throw new NotSupportedException($"The CudaKernel short filter supports kernel sizes up to {Kernels.CudaKernels.MaxKernelSize}; this one has {KernelSize}.");
                // The node casts the parameters to x's type itself (unrecorded) and hands their gradients back in their own type.
                return scope.MoveToOuter(Kernels.ShortConvolutionFunction.Apply(x, _weight, _bias, inputBias));
            }
            var weight = _weight.InType(dtype);
            var bias = _bias.InType(dtype);
            if (inputBias is not null)
                x = x + inputBias.InType(dtype).view(Channels, 1);
            var y = implementation == ShortFilterImplementation.ShiftedMultiplyAdd ? ShiftedMultiplyAdd(x, weight, bias) : Conv(x, weight, bias);
            return scope.MoveToOuter(y);
        }

        /// <summary>The reference computation: grouped conv1d, padded by K - 1 on both sides, cut to the input length.</summary>
        internal static Tensor Conv(Tensor x, Tensor weight, Tensor bias)
        {
            long length = x.size(-1);
            long kernel = weight.size(-1);
            return nn.functional.conv1d(x, weight, bias, padding: kernel - 1, groups: x.size(1)).narrow(-1, 0, length);
        }

        /// <summary>
        /// The same convolution as multiply-adds: the input padded by K - 1 on the left, viewed as
        /// (batch, C, length, K) windows (no copy), multiplied by the kernel and summed over the taps.
        /// </summary>
        internal static Tensor ShiftedMultiplyAdd(Tensor x, Tensor weight, Tensor bias)
        {
            using var scope = NewDisposeScope();
            long channels = x.size(1);
            long kernel = weight.size(-1);
            Tensor y;
            if (kernel == 1)
            {
                y = torch.addcmul(bias.view(channels, 1), x, weight.view(channels, 1), 1);
            }
            else
            {
                var padded = nn.functional.pad(x, new long[] { kernel - 1, 0 });   // (b, C, l + K - 1)
                var windows = padded.unfold(-1, kernel, 1);                          // (b, C, l, K), a view
                y = (windows * weight.view(channels, 1, kernel)).sum(-1) + bias.view(channels, 1);
            }
            return scope.MoveToOuter(y);
        }
    }
}
