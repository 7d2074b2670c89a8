using System;
using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Modules
{
    /// <summary>
    /// Exponential decay window applied to the implicit filter: h * (exp(-t |deltas|) + shift), with
    /// one decay rate per channel spread between a slow and a fast rate.
    /// </summary>
    public sealed class ExponentialModulation : nn.Module<Tensor, Tensor, Tensor>
    {
        [ComponentName(Name = "deltas")]
        private readonly Tensor _deltas;

        private readonly bool _modulate;
        private readonly double _shift;

        /// <summary>Creates the window for <paramref name="channels"/> channels.</summary>
        public ExponentialModulation(string name, long channels, double fastDecayPercent, double slowDecayPercent,
            double target, bool modulate, double shift) : base(name)
        {
            if (channels < 1)
                throw new ArgumentOutOfRangeException(nameof(channels), channels, "must be at least 1");
            double maxDecay = Math.Log(target) / fastDecayPercent;
            double minDecay = Math.Log(target) / slowDecayPercent;
            using (var scope = NewDisposeScope())
                _deltas = linspace(minDecay, maxDecay, channels, dtype: ScalarType.Float64)
                    .view(1, 1, channels).to_type(ScalarType.Float32).DetachFromDisposeScope();
            _modulate = modulate;
            _shift = shift;
            RegisterComponents();
        }

        /// <summary>Decay rates, shape (1, 1, C).</summary>
        public Tensor Deltas => _deltas;

        /// <summary>Whether the window is applied at all (false: the filter passes unchanged).</summary>
        public bool Modulate => _modulate;

        /// <summary>The constant added to the decay: the window is exp(-t |deltas|) + Shift.</summary>
        public double Shift => _shift;

        /// <summary>Applies the window to <paramref name="x"/> (1, l, C) at times <paramref name="t"/> (1, l, 1).</summary>
        public override Tensor forward(Tensor t, Tensor x)
        {
            if (!_modulate)
                return x.alias();
            using var scope = NewDisposeScope();
            var decay = exp(-t * _deltas.abs());
            // With no shift (the default) the window is used as is: one pass over (l, C) less, same values.
            return scope.MoveToOuter(x * (_shift == 0 ? decay : decay + _shift));
        }
    }
}
