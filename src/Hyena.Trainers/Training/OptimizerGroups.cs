using System.Collections.Generic;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// AdamW parameter groups (stepped by <see cref="FusedAdamW"/>: one CUDA kernel a parameter on the GPU, AdamW's own
    /// step elsewhere): parameters with a reference hint (the filter MLP, the positional
    /// embedding) take the hinted learning rate and weight decay; weight matrices take the options'
    /// learning rate and weight decay; biases, norms, embeddings and other vectors get no weight decay.
    /// </summary>
    internal static class OptimizerGroups
    {
        public static (AdamW Optimizer, double[] PeakRates) Create(nn.Module model, double learningRate, double weightDecay)
        {
            var hints = OptimizerHints.Collect(model);
            var grouped = new Dictionary<OptimizerHint, List<Parameter>>();
            var decayed = new List<Parameter>();
            var undecayed = new List<Parameter>();
            foreach (var (name, parameter) in model.named_parameters())
            {
                if (hints.TryGetValue(parameter.Handle, out var hint))
                {
                    if (!grouped.TryGetValue(hint, out var list))
                        grouped[hint] = list = new List<Parameter>();
                    list.Add(parameter);
                }
                else if (parameter.dim() >= 2 && !name.Contains("embedding"))
                    decayed.Add(parameter);
                else
                    undecayed.Add(parameter);
            }

            var groups = new List<AdamW.ParamGroup>();
            var rates = new List<double>();
            void Add(IEnumerable<Parameter> parameters, double lr, double wd)
            {
                var list = parameters.ToList();
                if (list.Count == 0)
                    return;
                groups.Add(new AdamW.ParamGroup(list, new AdamW.Options { LearningRate = lr, weight_decay = wd }));
                rates.Add(lr);
            }
            Add(decayed, learningRate, weightDecay);
            Add(undecayed, learningRate, 0);
            foreach (var (hint, list) in grouped.OrderBy(g => g.Key.LearningRate).ThenBy(g => g.Key.WeightDecay))
                Add(list, hint.LearningRate, hint.WeightDecay);
            return (new FusedAdamW(groups, learningRate, weightDecay: weightDecay), rates.ToArray());
        }
    }
}
