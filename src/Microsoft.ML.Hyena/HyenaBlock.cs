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
    /// A pre-norm residual block: x + Dropout(Hyena(LayerNorm(x))), then
    /// x + Dropout(MLP(LayerNorm(x))) with a GELU MLP. Causal, like the operator, so positions after
    /// the end of a sequence (padding) never change the outputs before it.
    /// </summary>
    public sealed class HyenaBlock : nn.Module<Tensor, Tensor>
    {
        [ComponentName(Name = "norm1")]
        private readonly LayerNorm _norm1;

        [ComponentName(Name = "mixer")]
        private readonly HyenaOperator _mixer;

        [ComponentName(Name = "norm2")]
        private readonly LayerNorm _norm2;

        [ComponentName(Name = "mlp")]
        private readonly FeedForward _mlp;

        [ComponentName(Name = "dropout")]
        private readonly Dropout _dropout;

        /// <summary>Creates a block around an operator built from <paramref name="operatorConfig"/>.</summary>
        /// <param name="operatorConfig">The Hyena operator of the block.</param>
        /// <param name="mlpRatio">Hidden width of the MLP as a multiple of the model width (at least 1).</param>
        /// <param name="dropout">Dropout on each residual branch and inside the MLP, in [0, 1).</param>
        /// <param name="name">Module name.</param>
        public HyenaBlock(HyenaOperatorConfig operatorConfig, int mlpRatio = 4, double dropout = 0.0, string name = "block") : base(name)
        {
            if (mlpRatio < 1)
                throw new ArgumentOutOfRangeException(nameof(mlpRatio), mlpRatio, "must be at least 1");
            if (!(dropout >= 0 && dropout < 1))
                throw new ArgumentOutOfRangeException(nameof(dropout), dropout, "must be in [0, 1)");
            long width = operatorConfig.Validate().ModelDimension;
            _norm1 = nn.LayerNorm(width);
            _mixer = new HyenaOperator(operatorConfig, "mixer");
            _norm2 = nn.LayerNorm(width);
            _mlp = new FeedForward(width, mlpRatio, dropout, "mlp");
            _dropout = nn.Dropout(dropout);
            RegisterComponents();
        }

        /// <summary>The block's Hyena operator.</summary>
        public HyenaOperator Mixer => _mixer;

        /// <summary>The block's MLP.</summary>
        public FeedForward Mlp => _mlp;

        /// <summary>
        /// Mixed precision for the whole block: the operator's projections and short filter (see
        /// <see cref="HyenaOperator.ComputeDtype"/>) and the MLP (<see cref="FeedForward.ComputeDtype"/>) run in this type
        /// on casts of the float32 master weights; the layer norms, the residual stream, the implicit filter and the FFT
        /// convolution stay in the parameters' type. Null (the default) computes everything in the
        /// parameters' type. Setting it sets the operator's and the MLP's.
        /// </summary>
        public ScalarType? ComputeDtype
        {
            get => _mixer.ComputeDtype;
            set
            {
                _mixer.ComputeDtype = value;
                _mlp.ComputeDtype = value;
            }
        }

        /// <summary>Applies the block to (batch, length, D); returns the same shape.</summary>
        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = input + DropoutReplay.Apply(_dropout, _mixer.call(Kernels.LayerNormFunction.Normalize(_norm1, input)));
            x = x + DropoutReplay.Apply(_dropout, _mlp.call(Kernels.LayerNormFunction.Normalize(_norm2, x)));
            return scope.MoveToOuter(x);
        }

        /// <inheritdoc />
        public override (IList<string> missing_keys, IList<string> unexpected_keyes) load_state_dict(Dictionary<string, Tensor> source, bool strict = true, IList<string>? skip = null)
        {
            _mixer.ClearFilterCache();
            return base.load_state_dict(source, strict, skip);
        }

        /// <inheritdoc />
        public override nn.Module load(System.IO.BinaryReader reader, bool strict = true, IList<string>? skip = null, Dictionary<string, bool>? loadedParameters = null)
        {
            _mixer.ClearFilterCache();
            return base.load(reader, strict, skip, loadedParameters);
        }
    }
}
