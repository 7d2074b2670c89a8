using System.Collections.Generic;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>A learning rate and weight decay that a parameter should be trained with instead of the optimizer's defaults.</summary>
    /// <param name="LearningRate">Learning rate for the parameter.</param>
    /// <param name="WeightDecay">Weight decay for the parameter.</param>
    public readonly record struct OptimizerHint(double LearningRate, double WeightDecay);

    /// <summary>A module that asks for its own learning rate or weight decay for some of its parameters.</summary>
    public interface IHasOptimizerHints
    {
        /// <summary>The parameters with their hints.</summary>
        IEnumerable<(Parameter Parameter, OptimizerHint Hint)> OptimizerHints();
    }

    /// <summary>Collects the optimizer hints of a module tree (the reference's per-parameter <c>_optim</c> settings).</summary>
    public static class OptimizerHints
    {
        /// <summary>
        /// Every hinted parameter below <paramref name="root"/>, keyed by the native handle of the
        /// parameter. Parameters missing from the result take the optimizer's defaults.
        /// </summary>
        public static IReadOnlyDictionary<System.IntPtr, OptimizerHint> Collect(nn.Module root)
        {
            var hints = new Dictionary<System.IntPtr, OptimizerHint>();
            foreach (var module in root.modules())
            {
                if (module is IHasOptimizerHints hinted)
                {
                    foreach (var (parameter, hint) in hinted.OptimizerHints())
                        hints[parameter.Handle] = hint;
                }
            }
            return hints;
        }
    }
}
