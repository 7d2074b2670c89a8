using System;
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
        private readonly Conv1d _shortFilter;

        [ComponentName(Name = "filter_fn")]
        private readonly HyenaFilter _filterFn;

        [ComponentName(Name = "dropout")]
        private readonly Dropout _dropout;

        /// <summary>Creates an operator as <paramref name="config"/> describes.</summary>
        public HyenaOperator(HyenaOperatorConfig config, string name = "hyena") : base(name)
        {
            Config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
            long width = config.ModelDimension;
            long innerWidth = width * (config.Order + 1);
            _inProj = nn.Linear(width, innerWidth);
            _outProj = nn.Linear(width, width);
            _shortFilter = nn.Conv1d(innerWidth, innerWidth, config.ShortFilterOrder,
                padding: config.ShortFilterOrder - 1, groups: innerWidth);
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

        /// <summary>
        /// Applies the operator to <paramref name="input"/> of shape (batch, length, D) with
        /// 1 &lt;= length &lt;= MaxLength; returns the same shape. Causal: output t depends on inputs up to t.
        /// </summary>
        public override Tensor forward(Tensor input)
        {
            CheckInput(input);
            using var scope = NewDisposeScope();
            long length = input.size(1);
            var filter = _filterFn.call(length).squeeze(0); // (l, C)
            return scope.MoveToOuter(Mix(input, filter));
        }

        /// <summary>
        /// The operator with a filter computed beforehand: <paramref name="filter"/> has shape (length, C)
        /// as returned by <see cref="HyenaFilter"/> (squeezed). Lets a caller compute the filter once
        /// and reuse it for several batches.
        /// </summary>
        public Tensor Mix(Tensor input, Tensor filter)
        {
            CheckInput(input);
            using var scope = NewDisposeScope();
            int order = Config.Order;
            long width = Config.ModelDimension;
            long length = input.size(1);

            var projected = _inProj.call(input).transpose(1, 2);               // (b, (N+1)D, l)
            var streams = _shortFilter.call(projected).narrow(-1, 0, length)   // causal: drop the tail
                .split(width, dim: 1);                                          // N + 1 x (b, D, l)
            var k = filter.view(length, order - 1, width).permute(1, 2, 0);   // (N-1, D, l)
            var bias = _filterFn.Bias.view(order - 1, width);                   // (N-1, D)

            var v = streams[order];
            for (int o = 0; o < order - 1; o++)
            {
                // Gates x_{N-1}, ..., x_1 in turn (the reference's reversed(x[1:])).
                var gate = streams[order - 1 - o];
                v = _dropout.call(v * gate);
                v = FftConvolution.Causal(v, k[o], bias[o]);
            }
            var y = (v * streams[0]).transpose(1, 2);                            // (b, l, D)
            return scope.MoveToOuter(_outProj.call(y));
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
