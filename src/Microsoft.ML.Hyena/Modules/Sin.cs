using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Modules
{
    /// <summary>
    /// Periodic activation sin(freq * x) with a trainable frequency per feature, the activation of
    /// the implicit filter. One instance is reused after every Linear layer of the filter MLP.
    /// </summary>
    public sealed class Sin : nn.Module<Tensor, Tensor>
    {
        [ComponentName(Name = "freq")]
        private readonly Parameter _freq;

        /// <summary>Creates the activation for <paramref name="dimension"/> features, frequency initialised to <paramref name="frequency"/>.</summary>
        public Sin(string name, long dimension, double frequency) : base(name)
        {
            _freq = new Parameter(full(1, dimension, frequency, dtype: ScalarType.Float32));
            RegisterComponents();
        }

        /// <summary>The frequency, shape (1, dimension).</summary>
        public Parameter Frequency => _freq;

        /// <summary>
        /// sin(freq * input); on CUDA in float32 as one node with kernels of its own (<see cref="Kernels.SinActivationFunction"/>:
        /// one pass forward and one backward where the library calls take two and five), elsewhere the library calls.
        /// </summary>
        public override Tensor forward(Tensor input) => Kernels.SinActivationFunction.Apply(input, _freq);
    }
}
