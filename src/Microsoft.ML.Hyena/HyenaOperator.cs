using System;
using System.Collections.Generic;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// The Hyena operator (Poli et al. 2023, "Hyena Hierarchy"): a causal, subquadratic drop-in for
    /// attention. The input is projected to N + 1 streams, each passed through a short causal
    /// depthwise convolution; then N - 1 times the value stream is gated by one stream and convolved
    /// with an implicit long filter, and finally gated by the first stream and projected out.
    /// </summary>
    /// <remarks>
    /// Parameter and buffer names equal those of the reference implementation (HazyResearch/safari,
    /// standalone_hyena.py), so a reference state_dict loads with <see cref="StateDict"/>. Unlike the
    /// reference, an input longer than <see cref="HyenaOperatorConfig.MaxLength"/> is an error.
    /// </remarks>
    public sealed class HyenaOperator : nn.Module<Tensor, Tensor>
    {
        [ComponentName(Name = "in_proj")]
        private readonly Linear _inProj;

        [ComponentName(Name = "out_proj")]
        private readonly Linear _outProj;

        [ComponentName(Name = "short_filter")]
        private readonly ShortFilter _shortFilter;

        [ComponentName(Name = "filter_fn")]
        private readonly HyenaFilter _filterFn;

        [ComponentName(Name = "dropout")]
        private readonly Dropout _dropout;

        // Filter spectra for inference. Not a Tensor field, so never registered as a buffer nor moved by to(): it is
        // cleared instead.
        private readonly FilterSpectrumCache _filterCache = new();
        private ScalarType? _computeDtype;
        private bool _cacheFilterSpectrum;

        /// <summary>Creates an operator as <paramref name="config"/> describes.</summary>
        public HyenaOperator(HyenaOperatorConfig config, string name = "hyena") : base(name)
        {
            Config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
            long width = config.ModelDimension;
            long innerWidth = width * (config.Order + 1);
            _inProj = nn.Linear(width, innerWidth);
            _outProj = nn.Linear(width, width);
            _shortFilter = new ShortFilter("short_filter", innerWidth, config.ShortFilterOrder);
            _filterFn = new HyenaFilter("filter_fn", config);
            _dropout = nn.Dropout(config.Dropout);
            RegisterComponents();
        }

        /// <summary>Creates an operator of width <paramref name="modelDimension"/> for sequences of up to <paramref name="maxLength"/> positions.</summary>
        public HyenaOperator(int modelDimension, int maxLength, int order = 2, int filterOrder = 64, double dropout = 0.0)
            : this(new HyenaOperatorConfig
            {
                ModelDimension = modelDimension,
                MaxLength = maxLength,
                Order = order,
                FilterOrder = filterOrder,
                Dropout = dropout,
            })
        {
        }

        /// <summary>The configuration the operator was built with.</summary>
        public HyenaOperatorConfig Config { get; }

        /// <summary>The implicit filter and skip term.</summary>
        public HyenaFilter FilterFunction => _filterFn;

        /// <summary>The short causal depthwise convolution (state_dict names <c>short_filter.weight</c>, <c>short_filter.bias</c>).</summary>
        public ShortFilter ShortFilter => _shortFilter;

        /// <summary>
        /// Mixed precision: when set to <see cref="ScalarType.BFloat16"/> (or Float16), the projections
        /// and the short filter run in that type on casts of the parameters, which stay in their own
        /// type (float32 master weights; their gradients arrive in float32), and so does the implicit
        /// filter's last matrix product (see <see cref="HyenaFilter.MatrixProductType"/>). The rest of the filter and
        /// the FFT convolution stay in the parameters' type (cuFFT has no bfloat16 transforms); the output
        /// has the input's type. Null (the default) computes everything in the parameters' type.
        /// </summary>
        public ScalarType? ComputeDtype
        {
            get => _computeDtype;
            set
            {
                if (value is ScalarType t && t != ScalarType.BFloat16 && t != ScalarType.Float16 && t != ScalarType.Float32 && t != ScalarType.Float64)
                    throw new ArgumentOutOfRangeException(nameof(ComputeDtype), t, "HyenaOperator.ComputeDtype must be null, BFloat16, Float16, Float32 or Float64.");
                _computeDtype = value;
                var filterProducts = value is ScalarType.BFloat16 or ScalarType.Float16 ? value : null;
                if (_filterFn.MatrixProductType != filterProducts)
                {
                    _filterFn.MatrixProductType = filterProducts;
                    ClearFilterCache();   // a cached spectrum was made with the filter's former products
                }
            }
        }

        /// <summary>How the short filter is computed (see <see cref="Modules.ShortFilterImplementation"/>). Default Auto.</summary>
        public ShortFilterImplementation ShortFilterImplementation
        {
            get => _shortFilter.Implementation;
            set => _shortFilter.Implementation = value;
        }

        /// <summary>How the gated long convolution is computed (see <see cref="Hyena.LongConvolutionImplementation"/>). Default Auto.</summary>
        public LongConvolutionImplementation LongConvolution { get; set; } = LongConvolutionImplementation.Auto;

        /// <summary>
        /// When true, the long convolution's FFTs run in float16 (half the memory traffic of float32) where
        /// cuFFT supports it: with the <see cref="LongConvolutionImplementation.CudaKernel"/> path on CUDA and
        /// transform sizes 2L that are powers of two; float32 everywhere else. The input is scaled by 1/sqrt(2L)
        /// and the spectrum by sqrt(2L) to stay within float16's range; expect relative errors of about 1e-3.
        /// Default false.
        /// </summary>
        public bool HalfPrecisionTransforms { get; set; }

        /// <summary>
        /// Whether the skip term is folded into the filter (k[:, 0] += bias) so that the long convolution
        /// needs no separate pass for it. Equal to the reference up to rounding. Default true; false runs
        /// the reference's composition (<see cref="FftConvolution.Causal"/>).
        /// </summary>
        public bool FoldSkipTerm { get; set; } = true;

        /// <summary>
        /// Inference only: when true, a forward pass in eval mode with gradients off reuses the filter's
        /// spectrum computed for the same length, device and type (the implicit filter MLP and the
        /// filter's FFT then run once per length). Default false.
        /// </summary>
        /// <remarks>
        /// The cache is dropped by <c>train()</c>/<c>eval()</c>, <c>to()</c>, <c>load_state_dict</c>, <c>load</c>,
        /// <see cref="StateDict.Load(nn.Module, IReadOnlyDictionary{string, Tensor}, bool, string)"/>, by any forward
        /// pass in training mode or with gradients on, and by turning this option off. Parameters changed in
        /// place by other means (for example an exponential moving average under no_grad) are not seen:
        /// call <see cref="ClearFilterCache"/> after such a change.
        /// </remarks>
        public bool CacheFilterSpectrum
        {
            get => _cacheFilterSpectrum;
            set
            {
                _cacheFilterSpectrum = value;
                if (!value)
                    ClearFilterCache();
            }
        }

        /// <summary>How many lengths <see cref="CacheFilterSpectrum"/> keeps (the oldest is dropped first). Default 4; at least 1.</summary>
        public int FilterCacheCapacity
        {
            get => _filterCache.Capacity;
            set
            {
                if (value < 1)
                    throw new ArgumentOutOfRangeException(nameof(FilterCacheCapacity), value, "HyenaOperator.FilterCacheCapacity must be at least 1.");
                _filterCache.Capacity = value;
            }
        }

        /// <summary>Number of spectra in the inference cache.</summary>
        public int CachedSpectrumCount => _filterCache.Count;

        /// <summary>
        /// Selects the reference composition of library calls: parameters' type throughout, Conv1d short
        /// filter, separate skip-term pass, no cache. The result equals the reference implementation's
        /// operations one for one; the other settings are checked against it.
        /// </summary>
        public void UseReferencePath()
        {
            ComputeDtype = null;
            ShortFilterImplementation = ShortFilterImplementation.Conv1d;
            LongConvolution = LongConvolutionImplementation.Composed;
            HalfPrecisionTransforms = false;
            FoldSkipTerm = false;
            CacheFilterSpectrum = false;
        }

        /// <summary>
        /// Throws <see cref="InvalidOperationException"/> when a backward pass of the operator's fused CUDA kernels
        /// (<see cref="Modules.ShortFilterImplementation.CudaKernel"/>, <see cref="LongConvolutionImplementation.CudaKernel"/>)
        /// failed since the last call, for example out of device memory. Such a failure cannot be thrown through
        /// libtorch's autograd engine without ending the process, so that pass's gradients of the failed node are
        /// left undefined and the error waits here: call this after <c>backward()</c> and before the optimizer
        /// step (the trainers do). The next forward pass of a fused node on that device throws it too.
        /// </summary>
        /// <param name="device">The device whose backward passes to check (a training on another GPU of the same
        /// process keeps its own failures); null checks every device.</param>
        public static void ThrowIfBackwardFailed(Device? device = null) => Kernels.GradientHandOff.ThrowIfFailed(device);

        /// <summary>Drops every cached filter spectrum.</summary>
        public void ClearFilterCache() => _filterCache.Clear();

        /// <summary>Drops the filter caches of every <see cref="HyenaOperator"/> in <paramref name="root"/> (itself included).</summary>
        public static void ClearFilterCaches(nn.Module root)
        {
            if (root is HyenaOperator self)
                self.ClearFilterCache();
            foreach (var module in root.modules())
            {
                if (module is HyenaOperator op)
                    op.ClearFilterCache();
            }
        }

        /// <summary>
        /// Applies the operator to <paramref name="input"/> of shape (batch, length, D) with
        /// 1 &lt;= length &lt;= MaxLength; returns the same shape. Causal: output t depends on inputs up to t.
        /// </summary>
        public override Tensor forward(Tensor input)
        {
            CheckInput(input);
            using var scope = NewDisposeScope();
            long length = input.size(1);
            bool inference = !is_grad_enabled() && !training;
            if (!inference)
                ClearFilterCache(); // parameters may change after this pass: never reuse an older spectrum
            if (_cacheFilterSpectrum && inference)
            {
                var cached = CachedSpectrum(length, input.device);   // held until this pass is done with it
                try
                {
                    return scope.MoveToOuter(MixCore(input, null, null, makeSpectrum: kernelOrder => (cached.Get(kernelOrder), kernelOrder)));
                }
                finally
                {
                    cached.Release();
                }
            }
            if (FoldSkipTerm && WindowedSpectrumApplies(length))
                return scope.MoveToOuter(MixCore(input, null, null, makeSpectrum: kernelOrder => FoldedSpectrum(length, kernelOrder)));
            var filter = _filterFn.call(length).squeeze(0); // (l, C)
            return scope.MoveToOuter(MixCore(input, filter, null));
        }

        // The filter's spectrum (N - 1, D, l + 1), skip term folded in, and whether it is in the four-step kernels' order.
        // For a pass whose convolution runs them (kernelOrder) it is made in that order where it can be: with the window,
        // by the four-step kernels themselves (WindowedSpectrum). Elsewhere it is made in bin order, by the spectrum's
        // kernels where they apply (WindowedSpectrum), else from the filter (FilterSpectrum). A bin-order spectrum asked
        // for in the kernels' order is reordered here only when no gradient flows through it (the inference cache, a pass
        // without autograd): the reorder has no backward pass, so one that needs a gradient is left in bin order for the
        // convolution node, which reorders it and its gradient itself.
        private (Tensor Spectrum, bool InKernelOrder) FoldedSpectrum(long length, bool kernelOrder)
        {
            using var scope = NewDisposeScope();
            bool byFourSteps = kernelOrder && _filterFn.Modulation.Modulate;
            var made = WindowedSpectrum(length, byFourSteps);
            bool ordered = made is not null && byFourSteps;
            var spectrum = made ?? FilterSpectrum(_filterFn.call(length).squeeze(0));
            if (kernelOrder && !ordered && !spectrum.requires_grad)
            {
                spectrum = Kernels.FourStepFftConvolution.SpectrumSlots(spectrum.squeeze(0).contiguous()).unsqueeze(0);
                ordered = true;
            }
            return (scope.MoveToOuter(spectrum), ordered);
        }

        // Whether WindowedSpectrum applies at this length (the filter spectrum's CUDA kernels take the filter).
        private bool WindowedSpectrumApplies(long length)
            => FilterSpectrumFunction.KernelsApply(_filterFn.Bias.device, _filterFn.Bias.dtype, length, Config.FilterChannels);

        // The filter's spectrum (skip term folded in) with the window applied by the spectrum's CUDA kernels as they read
        // the MLP's output (FilterSpectrumFunction.ApplyWindowed): the same values as FilterSpectrum(filter) without the
        // window's passes over (l, C) forward and backward; with kernelOrder, made by the four-step kernels in their own
        // order (for a convolution that runs them). Null where those kernels do not apply (CPU, float64, ...).
        private Tensor? WindowedSpectrum(long length, bool kernelOrder = false)
        {
            if (!WindowedSpectrumApplies(length))
                return null;
            using var scope = NewDisposeScope();
            var modulation = _filterFn.Modulation;
            // ApplyWindowed's kernels read a bfloat16 h (the MLP's last product in bfloat16) as it is, widening as they read.
            // The MLP's last product written channels first: the spectrum's kernels then read it, and write its gradient,
            // along the positions, with no transpose.
            // h is that (1, C, l) product itself, so the convolutions' filters (N-1, D, l) are h for order 2 and one view of
            // it otherwise, where a transposed h took four views (each a library call forward and a node backward).
            var (h, t) = _filterFn.Unwindowed(length, inProductType: modulation.Modulate, channelsFirst: true);
            int order = Config.Order;
            var k = order == 2 ? h : h.view(order - 1, Config.ModelDimension, length);   // the window not yet applied
            var bias = _filterFn.Bias.view(order - 1, Config.ModelDimension);
            var spectrum = modulation.Modulate
                ? FilterSpectrumFunction.ApplyWindowed(k, bias, new FilterSpectrumFunction.Window(t.view(length), modulation.Deltas.view(bias.shape), (float)modulation.Shift), kernelOrder)
                : kernelOrder ? throw new InvalidOperationException("The filter's spectrum in the four-step kernels' order needs the window's kernels.")
                : FftConvolution.FilterSpectrum(k, bias);
            return scope.MoveToOuter(spectrum);
        }

        /// <summary>
        /// The operator with a filter computed beforehand: <paramref name="filter"/> has shape (length, C)
        /// as returned by <see cref="HyenaFilter"/> (squeezed). Lets a caller compute the filter once
        /// and reuse it for several batches.
        /// </summary>
        public Tensor Mix(Tensor input, Tensor filter)
        {
            CheckInput(input);
            if (filter is null)
                throw new ArgumentNullException(nameof(filter));
            if (filter.dim() != 2 || filter.size(0) != input.size(1) || filter.size(1) != Config.FilterChannels)
                throw new ArgumentException($"Expected a filter of shape ({input.size(1)}, {Config.FilterChannels}); got ({string.Join(", ", filter.shape)}).", nameof(filter));
            return MixCore(input, filter, null);
        }

        /// <summary>
        /// The spectrum of the filter (skip term folded in) for <paramref name="filter"/> of shape (length, C):
        /// (N - 1, D, length + 1), complex. See <see cref="FftConvolution.FilterSpectrum"/>.
        /// </summary>
        public Tensor FilterSpectrum(Tensor filter)
        {
            using var scope = NewDisposeScope();
            var (k, bias) = PerConvolution(filter);
            return scope.MoveToOuter(FftConvolution.FilterSpectrum(k, bias));
        }

        // The filter (l, C) as the N - 1 long convolutions' filters, (N-1, D, l), a view with the positions outermost, and
        // their skip terms, (N-1, D).
        private (Tensor K, Tensor Bias) PerConvolution(Tensor filter)
        {
            int order = Config.Order;
            long width = Config.ModelDimension;
            return (filter.view(filter.size(0), order - 1, width).permute(1, 2, 0), _filterFn.Bias.view(order - 1, width));
        }

        // makeSpectrum: instead of filter or spectrum, makes (or takes from the inference cache) the spectrum once the
        // convolution that will read it is known; its argument says whether that convolution runs the four-step kernels, and
        // it returns the spectrum with whether it is in their order (else bin order, which the convolution node reorders).
        private Tensor MixCore(Tensor input, Tensor? filter, Tensor? spectrum, Func<bool, (Tensor Spectrum, bool InKernelOrder)>? makeSpectrum = null)
        {
            using var scope = NewDisposeScope();
            int order = Config.Order;
            long width = Config.ModelDimension;
            long length = input.size(1);
            ScalarType? compute = EffectiveComputeDtype(input);

            // Which long convolution runs, from a tensor with the streams' shape (b, D, l), type (the projections') and device,
            // so that makeSpectrum can make the filter's spectrum in the four-step kernels' order where the convolution runs them.
            var streamType = compute ?? _inProj.weight!.dtype;
            var streamLayout = input.dtype == streamType
                ? input.transpose(1, 2)                                                 // a view: no copy
                : empty(1, dtype: streamType, device: input.device).expand(input.size(0), width, length);
            bool onChip = LongConvolution == LongConvolutionImplementation.CudaOnChip
                || (LongConvolution == LongConvolutionImplementation.Auto && Kernels.OnChipFftConvolution.AutoPicks(streamLayout, length));
            bool kernelNode = UsesLongConvolutionKernel(streamLayout, ScalarType.ComplexFloat32);
            bool inKernelOrder = false;
            bool fourSteps = kernelNode && Kernels.LongConvolutionFunction.RunsOnChip(streamLayout, HalfPrecisionTransforms, onChip)
                && Kernels.OnChipFftConvolution.RunsFourSteps(streamLayout);
            streamLayout.Dispose();

            // (b, (N+1)D, l), contiguous; the input cast to the compute type in the projection's node (its gradient widened there)
            var projected = ProjectChannelsFirst(_inProj, input, compute, addBias: false);
            var filtered = _shortFilter.Apply(projected, compute, _inProj.bias);     // conv(projected + bias), causal, cut to l
            // N + 1 x (b, D, l). Where the on-chip backward pass writes the streams' gradients side by side, a split whose
            // backward pass takes them as they are instead of concatenating them.
            var streams = kernelNode && onChip
                ? Kernels.ChannelSplitFunction.Apply(filtered, width, order + 1)
                : filtered.split(width, dim: 1);
            projected.Dispose();                                                   // (what autograd needs, it keeps)

            // The filter's spectrum after the projections: its many small operations cost the host more than the GPU, so
            // the host issues them while the GPU runs the projection's product and the short filter, not at the start of a
            // pass with the GPU waiting; and, made later, its autograd nodes run their backward passes before the
            // projections' (with the convolution's kernels still running) instead of last (-0.26 ms a pass at 64k on an H200).
            if (spectrum is null && makeSpectrum is not null)
                (spectrum, inKernelOrder) = makeSpectrum(fourSteps);

            Tensor? k = null, bias = null;
            if (spectrum is null)
            {
                if (FoldSkipTerm)
                {
                    spectrum = FilterSpectrum(filter!);                             // (N-1, D, l+1)
                }
                else
                {
                    (k, bias) = PerConvolution(filter!);                             // (N-1, D, l), (N-1, D)
                }
            }

            Tensor y;
            if (spectrum is not null && spectrum.dtype == ScalarType.ComplexFloat32 && kernelNode)
            {
                // Order 2: x0 * (k' * (v * x1)) in one autograd node, in the streams' type.
                var convolutionSpectrum = SpectrumOf(spectrum, 0);
                y = Kernels.LongConvolutionFunction.Apply(streams[2], streams[1], streams[0], convolutionSpectrum, HalfPrecisionTransforms, onChip,
                    spectrumInKernelOrder: inKernelOrder);
            }
            else
            {
                y = ComposedLongConvolution(streams, spectrum, k, bias, compute);     // (b, D, l)
            }
            var output = ProjectOut(y, compute, input.dtype);
            return scope.MoveToOuter(output.InType(input.dtype));
        }

        // The output projection of the streams (b, D, l), channels first. In mixed precision with a wider input type, the
        // product runs in the compute type and the bias is added in the input's type. On CUDA in bfloat16 for a float32
        // output, one node (WideningLinearFunction) reads the streams transposed in place and casts the weight itself: one
        // cuBLASLt product accumulates in float32 and writes that, with the bias added by its epilogue (-0.1 ms a pass at 64k
        // and width 768 on an H200), or where cuBLASLt cannot take it the node runs the library calls below itself (the same
        // values and gradients to the bit: check-libtorch). Otherwise (on the transposed view) the product in the compute
        // type without its bias, then one pass that adds the bias and widens, where adding in the compute type and then
        // casting took two (0.14 ms at 64k); on CUDA a kernel of its own (WidenedBiasAddFunction), since libtorch's add of
        // two types is not vectorised.
        private Tensor ProjectOut(Tensor streams, ScalarType? compute, ScalarType outputType)
        {
            if (compute is not ScalarType c || _outProj.bias is null || outputType == c
                || (outputType != ScalarType.Float32 && outputType != ScalarType.Float64))
                return Project(_outProj, streams.transpose(1, 2), compute);
            using var scope = NewDisposeScope();
            var bias = _outProj.bias.InType(outputType);
            if (streams.dtype == c && streams.device_type == DeviceType.CUDA)
                return scope.MoveToOuter(Kernels.WideningLinearFunction.Apply(streams, _outProj.weight!, bias, channelsFirst: true));
            var product = Project(_outProj, streams.transpose(1, 2), compute, withBias: false);
            return scope.MoveToOuter(Kernels.WidenedBiasAddFunction.Apply(product, bias));
        }

        // x0 * (k * (... (k * (v * x_{N-1})) ...) * x1)) as library calls, with the spectrum (skip term folded in) or
        // the filter and skip term; the result in the compute type.
        private Tensor ComposedLongConvolution(Tensor[] streams, Tensor? spectrum, Tensor? k, Tensor? bias, ScalarType? compute)
        {
            int order = Config.Order;
            var v = streams[order];
            for (int o = 0; o < order - 1; o++)
            {
                // Gates x_{N-1}, ..., x_1 in turn (the reference's reversed(x[1:])).
                var gate = streams[order - 1 - o];
                v = DropoutReplay.Apply(_dropout, v * gate);
                v = spectrum is not null
                    ? FftConvolution.CausalFromSpectrum(v, SpectrumOf(spectrum, o)) // in the transform's type
                    : FftConvolution.Causal(v, k![o], bias![o]);
            }
            var first = streams[0];
            if (v.dtype != first.dtype)
                v = v.to_type(compute ?? first.dtype);
            return v * first;
        }

        // The spectrum of long convolution o, (D, l + 1), of the (N - 1, D, l + 1) spectra: for one (order 2) a squeeze, whose
        // gradient is a view of the incoming one; select's backward pass would fill a zero tensor and copy the gradient
        // into it (0.47 ms of the operator's 13.6 at 64k on an H200).
        private static Tensor SpectrumOf(Tensor spectra, int o) => spectra.size(0) == 1 ? spectra.squeeze(0) : spectra[o];

        // Whether this pass runs the gated long convolution as LongConvolutionFunction (see LongConvolutionImplementation) for
        // a spectrum of type spectrumType.
        private bool UsesLongConvolutionKernel(Tensor stream, ScalarType spectrumType)
        {
            if (LongConvolution == LongConvolutionImplementation.Composed || Config.Order != 2 || (training && Config.Dropout > 0)
                || (stream.dtype != ScalarType.Float32 && stream.dtype != ScalarType.BFloat16) || spectrumType != ScalarType.ComplexFloat32)
                return false;
            if (LongConvolution == LongConvolutionImplementation.CudaKernel || LongConvolution == LongConvolutionImplementation.CudaOnChip)
                return true;
            // Auto: the node's row kernels take the padded length 2L (up to 16,776,960 positions); longer rows run the library calls.
            return stream.device_type == DeviceType.CUDA && Kernels.CudaKernels.RowGridFits(stream.size(0) * stream.size(1), 2 * stream.size(2))
                && Kernels.CudaKernels.TryEnsure(stream.device.index);
        }

        private ScalarType? EffectiveComputeDtype(Tensor input)
        {
            if (_computeDtype is not ScalarType c)
                return null;
            var parameterType = _inProj.weight!.dtype;
            return c == parameterType && c == input.dtype ? null : c;
        }

        // layer(x) computed in the compute type (the parameters cast), or without the bias when not withBias.
        internal static Tensor Project(Linear layer, Tensor x, ScalarType? compute, bool withBias = true)
        {
            if (compute is not ScalarType c || (layer.weight!.dtype == c && x.dtype == c))
                return withBias ? layer.call(x) : nn.functional.linear(x, layer.weight!);
            using var scope = NewDisposeScope();
            var weight = layer.weight!.InType(c);
            var bias = !withBias || layer.bias is null ? null : layer.bias.InType(c);
            var input = x.InType(c);
            return scope.MoveToOuter(nn.functional.linear(input, weight, bias));
        }

        // The input projection written channels first, (b, l, D) -> (b, C, l): W x^T with x read transposed in place by the
        // matrix product and the bias added in place, so the short filter gets a contiguous input without the transposing
        // copy that linear(x).transpose(1, 2) costs it (and the same copy of its gradient in the backward pass). Without
        // addBias the bias is left to the caller (the operator hands it to the short filter, whose kernels add it as they read).
        internal static Tensor ProjectChannelsFirst(Linear layer, Tensor x, ScalarType? compute, bool addBias = true)
        {
            using var scope = NewDisposeScope();
            // x and the weight cast to the compute type in the node; (b, C, l); its backward writes x's gradient (b, l, D)
            // in x's type and the weight's in the weight's
            var y = ChannelsFirstProjection.Apply(x, layer.weight!, compute);
            if (addBias && layer.bias is not null)
                y.add_(layer.bias.to_type(y.dtype).view(-1, 1));                            // the backward pass does not need y
            return scope.MoveToOuter(y);
        }

        // The cache's entry for a length, made when missing, held for the caller (who releases it): an entry dropped
        // meanwhile (evicted, or the cache cleared by another thread) keeps its spectra until its last holder is done.
        internal FilterSpectrumCache.Entry CachedSpectrum(long length, Device device)
            => _filterCache.Acquire(new FilterSpectrumCache.Key(length, device.type, device.index, _filterFn.Bias.dtype),
                kernelOrder => MakeCachedSpectrum(length, kernelOrder));

        // The filter's spectrum of a length for the inference cache, as an uncached pass makes it, outside any dispose scope.
        private Tensor MakeCachedSpectrum(long length, bool kernelOrder)
        {
            var (spectrum, inKernelOrder) = FoldedSpectrum(length, kernelOrder);
            if (inKernelOrder != kernelOrder)   // no gradient at inference, so FoldedSpectrum puts it in the order asked for
                throw new InvalidOperationException("The cached filter spectrum did not come in the order asked for.");
            spectrum.DetachFromDisposeScope();
            return spectrum;
        }

        /// <inheritdoc />
        public override void train(bool train = true)
        {
            ClearFilterCache();
            base.train(train);
        }

        /// <inheritdoc />
        public override (IList<string> missing_keys, IList<string> unexpected_keyes) load_state_dict(Dictionary<string, Tensor> source, bool strict = true, IList<string>? skip = null)
        {
            ClearFilterCache();
            return base.load_state_dict(source, strict, skip);
        }

        /// <inheritdoc />
        public override nn.Module load(System.IO.BinaryReader reader, bool strict = true, IList<string>? skip = null, Dictionary<string, bool>? loadedParameters = null)
        {
            ClearFilterCache();
            return base.load(reader, strict, skip, loadedParameters);
        }

        /// <inheritdoc />
        protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking)
        {
            ClearFilterCache();
            return base._to(device, dtype, non_blocking);
        }

        /// <inheritdoc />
        protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking)
        {
            ClearFilterCache();
            return base._to(deviceType, deviceIndex, non_blocking);
        }

        /// <inheritdoc />
        protected override nn.Module _to(ScalarType dtype, bool non_blocking)
        {
            ClearFilterCache();
            return base._to(dtype, non_blocking);
        }

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing)
                ClearFilterCache();
            base.Dispose(disposing);
        }

        private void CheckInput(Tensor input)
        {
            if (input is null)
                throw new ArgumentNullException(nameof(input));
            if (input.dim() != 3 || input.size(2) != Config.ModelDimension)
                throw new ArgumentException(
                    $"Expected input of shape (batch, length, {Config.ModelDimension}); got ({string.Join(", ", input.shape)}).", nameof(input));
            long length = input.size(1);
            if (length < 1)
                throw new ArgumentException("The input sequence is empty; the operator needs at least one position.", nameof(input));
            if (length > Config.MaxLength)
                throw new ArgumentException(
                    $"The input has {length} positions but the operator was built for at most {Config.MaxLength} (MaxLength). " +
                    "Build the operator with a larger MaxLength or shorten the input; it is never cut silently.", nameof(input));
        }
    }
}
