using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Modules
{
    /// <summary>
    /// The implicit long filter of the Hyena operator: an MLP with Sin activations maps a positional
    /// embedding to C = D * (N - 1) filter channels, which an exponential window then modulates. Also
    /// holds the skip term <c>bias</c> of the long convolutions.
    /// </summary>
    public sealed class HyenaFilter : nn.Module<long, Tensor>, IHasStateDictAliases, IHasOptimizerHints
    {
        [ComponentName(Name = "bias")]
        private readonly Parameter _bias;

        [ComponentName(Name = "pos_emb")]
        private readonly PositionalEmbedding _posEmb;

        [ComponentName(Name = "implicit_filter")]
        private readonly Sequential _implicitFilter;

        [ComponentName(Name = "modulation")]
        private readonly ExponentialModulation _modulation;

        // Not a field of Module type: RegisterComponents would register the shared Sin a second time.
        private readonly HyenaOperatorConfig _config;

        /// <summary>Creates the filter described by <paramref name="config"/>.</summary>
        public HyenaFilter(string name, HyenaOperatorConfig config) : base(name)
        {
            _config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
            int channels = config.FilterChannels;
            _bias = new Parameter(randn(channels));
            _posEmb = new PositionalEmbedding("pos_emb", config.EmbeddingDimension, config.MaxLength,
                trainable: config.PositionalEmbeddingLearningRate != 0);

            // Linear(E, F), Sin, then InnerMlpCount x [Linear(F, F), Sin], then Linear(F, C, no bias).
            // The one Sin instance is appended after every Linear, as in the reference.
            var activation = new Sin("act", config.FilterOrder, config.Frequency);
            _implicitFilter = nn.Sequential();
            _implicitFilter.append(nn.Linear(config.EmbeddingDimension, config.FilterOrder));
            _implicitFilter.append(activation);
            for (int i = 0; i < config.InnerMlpCount; i++)
            {
                _implicitFilter.append(nn.Linear(config.FilterOrder, config.FilterOrder));
                _implicitFilter.append(activation);
            }
            _implicitFilter.append(nn.Linear(config.FilterOrder, channels, hasBias: false));

            _modulation = new ExponentialModulation("modulation", channels, config.FastDecayPercent,
                config.SlowDecayPercent, config.DecayTarget, config.Modulate, config.Shift);
            RegisterComponents();
        }

        /// <summary>The skip term of the long convolutions, shape (C).</summary>
        public Parameter Bias => _bias;

        /// <summary>The positional embedding.</summary>
        public PositionalEmbedding PositionalEmbedding => _posEmb;

        /// <summary>The filter MLP.</summary>
        public Sequential ImplicitFilter => _implicitFilter;

        /// <summary>The decay window.</summary>
        public ExponentialModulation Modulation => _modulation;

        /// <summary>The filter k for the first <paramref name="length"/> positions, shape (1, length, C).</summary>
        public override Tensor forward(long length)
        {
            using var scope = NewDisposeScope();
            var (h, t) = Unwindowed(length);
            return scope.MoveToOuter(_modulation.call(t, h));
        }

        /// <summary>
        /// The filter before the window: the MLP's output h, shape (1, length, C), and the times t, shape (1, length, 1), at
        /// which <see cref="Modulation"/> takes it (the filter is Modulation(t, h)). Lets the operator apply the window in
        /// the kernels of the filter's spectrum instead of in passes of its own. With <paramref name="inProductType"/>, h is
        /// left in <see cref="MatrixProductType"/> when that is set (for kernels that read it so), not cast back. With
        /// <paramref name="channelsFirst"/>, the MLP's last product is written channels first, W x^T, and h is that (1, C,
        /// length) tensor itself (for kernels that read the filter along its positions; its gradient comes the same way, so
        /// neither is transposed by a pass of its own, nor viewed by a library call).
        /// </summary>
        internal (Tensor H, Tensor T) Unwindowed(long length, bool inProductType = false, bool channelsFirst = false)
        {
            using var scope = NewDisposeScope();
            var (z, t) = _posEmb.call(length);
            var product = MatrixProductType is ScalarType c && c != z.dtype ? c : (ScalarType?)null;
            var h = product is null && !channelsFirst && !FusesActivations(z) ? _implicitFilter.call(z) : Mlp(z, product, castBack: !inProductType, channelsFirst);
            return (scope.MoveToOuter(h), scope.MoveToOuter(t));
        }

        /// <summary>
        /// The type the MLP's last matrix product runs in (the Linear from the filter order to the C channels, on casts of
        /// its input and weight, the product cast back), or null (the default) for the parameters' type. Set by
        /// <see cref="HyenaOperator.ComputeDtype"/> (which also drops the operator's inference cache). That product (length x order x C multiply-adds) in float32 had taken
        /// about 0.57 ms of the operator's 10 ms at 64k and width 768 on an H200, forward and backward. The layers before it
        /// (from the positional embedding, whose times a bfloat16 would round to 8 bits, and the order x order ones, a few
        /// percent of the work), the Sin activations, the window and the output stay in the parameters' type.
        /// </summary>
        public ScalarType? MatrixProductType { get; internal set; }

        // Whether the MLP's Linear layers hand their bias to the Sin after them (SinActivationFunction's kernels, on CUDA in
        // float32) rather than add it in a pass of their own; the values are the same.
        private static bool FusesActivations(Tensor z) => z.device_type == DeviceType.CUDA && z.dtype == ScalarType.Float32;

        // The MLP with its last Linear computed in type product (null: the parameters'), cast back to the input's type with
        // castBack, and written channels first (the (1, C, length) product) with channelsFirst. On
        // CUDA in float32 each inner Linear's bias is added by the Sin after it (FusesActivations).
        private Tensor Mlp(Tensor z, ScalarType? product, bool castBack, bool channelsFirst)
        {
            using var scope = NewDisposeScope();
            var layers = _implicitFilter.children().ToList();
            var x = z;
            bool fuse = FusesActivations(z);
            int first = 0;
            if (fuse && HiddenLayers(layers) is var (weights, biases, frequency) && Kernels.FilterMlpFunction.KernelApplies(z, frequency, weights, biases))
            {
                x = Kernels.FilterMlpFunction.Apply(z, frequency, weights, biases);
                first = layers.Count - 1;
            }
            for (int i = first; i < layers.Count - 1; i++)
            {
                if (fuse && layers[i] is Linear linear && linear.bias is not null && i + 1 < layers.Count - 1 && layers[i + 1] is Sin activation)
                {
                    x = Kernels.SinActivationFunction.Apply(nn.functional.linear(x, linear.weight!), activation.Frequency, linear.bias);
                    i++;
                    continue;
                }
                x = ((nn.Module<Tensor, Tensor>)layers[i]).call(x);
            }
            var last = (Linear)layers[^1];
            x = channelsFirst ? HyenaOperator.ProjectChannelsFirst(last, x, product) : HyenaOperator.Project(last, x, product);
            if (castBack && x.dtype != z.dtype)
                x = x.to_type(z.dtype);   // keeps a channels-first layout (the cast preserves strides)
            return scope.MoveToOuter(x);
        }

        // The hidden layers before the last Linear, as the fused kernels take them: each a Linear with a bias followed by a Sin,
        // every Sin with the same frequency (the reference's one instance). Null when the MLP is not of that form.
        private static (List<Tensor> Weights, List<Tensor> Biases, Tensor Frequency)? HiddenLayers(List<nn.Module> layers)
        {
            var weights = new List<Tensor>();
            var biases = new List<Tensor>();
            Tensor? frequency = null;
            for (int i = 0; i + 1 < layers.Count - 1; i += 2)
            {
                if (layers[i] is not Linear linear || linear.bias is null || layers[i + 1] is not Sin activation
                    || (frequency is not null && !ReferenceEquals(activation.Frequency, frequency)))
                    return null;
                frequency = activation.Frequency;
                weights.Add(linear.weight!);
                biases.Add(linear.bias);
            }
            return frequency is null || layers.Count % 2 == 0 ? null : (weights, biases, frequency);
        }

        /// <inheritdoc />
        public IEnumerable<(string Alias, string Canonical)> StateDictAliases()
        {
            // The shared Sin sits at index 1 and again after every inner Linear: 3, 5, ...
            for (int i = 0; i < _config.InnerMlpCount; i++)
                yield return ($"implicit_filter.{3 + 2 * i}.freq", "implicit_filter.1.freq");
        }

        /// <inheritdoc />
        public IEnumerable<(Parameter Parameter, OptimizerHint Hint)> OptimizerHints()
        {
            var filterHint = new OptimizerHint(_config.FilterLearningRate, _config.FilterWeightDecay);
            foreach (var parameter in _implicitFilter.parameters())
                yield return (parameter, filterHint);
            if (_posEmb.Z is Parameter z)
                yield return (z, new OptimizerHint(_config.PositionalEmbeddingLearningRate, 0.0));
        }
    }
}
