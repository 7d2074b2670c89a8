using System;
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
        private readonly Sequential _mlp;

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
            _mlp = nn.Sequential(
                ("fc1", nn.Linear(width, width * mlpRatio)),
                ("act", nn.GELU()),
                ("drop", nn.Dropout(dropout)),
                ("fc2", nn.Linear(width * mlpRatio, width)));
            _dropout = nn.Dropout(dropout);
            RegisterComponents();
        }

        /// <summary>The block's Hyena operator.</summary>
        public HyenaOperator Mixer => _mixer;

        /// <summary>Applies the block to (batch, length, D); returns the same shape.</summary>
        public override Tensor forward(Tensor input)
        {
            using var scope = NewDisposeScope();
            var x = input + _dropout.call(_mixer.call(_norm1.call(input)));
            x = x + _dropout.call(_mlp.call(_norm2.call(x)));
            return scope.MoveToOuter(x);
        }
    }
}
