using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// An exponential moving average of a model's parameters kept beside training (Polyak averaging, as
    /// TensorFlow's ExponentialMovingAverage): after every optimizer step, average = d * average + (1 - d) *
    /// weight, with d = min(decay, (1 + n) / (10 + n)) at the n-th update, so that the first steps are not
    /// dominated by the initial weights. The averaged weights are usually smoother and generalise better
    /// than the last step's, and they vary less from seed to seed.
    /// </summary>
    internal sealed class WeightAveraging : IDisposable
    {
        private readonly List<TorchSharp.Modules.Parameter> _parameters;
        private readonly List<Tensor> _averages;
        private readonly double _decay;
        private long _updates;

        /// <summary>Starts the average at the current weights of <paramref name="model"/>.</summary>
        public WeightAveraging(nn.Module model, double decay)
        {
            if (!(decay > 0 && decay < 1))
                throw new ArgumentOutOfRangeException(nameof(decay), decay, "must be in (0, 1)");
            _decay = decay;
            _parameters = model.parameters().ToList();
            using (no_grad())
                _averages = _parameters.Select(p => p.detach().clone()).ToList();
        }

        /// <summary>Number of <see cref="Update"/> calls so far.</summary>
        public long Updates => _updates;

        /// <summary>The decay the next <see cref="Update"/> uses.</summary>
        public double NextDecay => Math.Min(_decay, (2.0 + _updates) / (11.0 + _updates));

        /// <summary>Folds the current weights into the average (call after each optimizer step).</summary>
        public void Update()
        {
            double d = NextDecay;
            _updates++;
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            for (int i = 0; i < _parameters.Count; i++)
                _averages[i].mul_(d).add_(_parameters[i].detach(), alpha: 1 - d);
        }

        /// <summary>
        /// Exchanges the model's weights with the averages: after one call the model holds the averaged
        /// weights (to validate or keep), after a second it holds the trained weights again.
        /// </summary>
        public void Swap()
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            for (int i = 0; i < _parameters.Count; i++)
            {
                var weights = _parameters[i].detach();
                var trained = weights.clone();
                weights.copy_(_averages[i]);
                _averages[i].copy_(trained);
            }
        }

        public void Dispose()
        {
            foreach (var average in _averages)
                average.Dispose();
            _averages.Clear();
        }
    }
}
