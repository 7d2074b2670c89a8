using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// TorchSharp's AdamW whose step runs as one CUDA kernel a parameter: the same update, the same parameter groups,
    /// options and state (saved and loaded as AdamW's), but one pass over each float32 parameter on a CUDA device where
    /// AdamW runs nine library calls (at 16k tokens and width 768, about 920 kernels a step of the trainers' classifier).
    /// The values agree with AdamW's to float32 rounding (the kernel may fuse a product and a sum where the library
    /// rounds twice). Parameters elsewhere (the CPU, other types), and every parameter of a step with AMSGrad or
    /// maximize in a group, step as AdamW steps them.
    /// </summary>
    public sealed class FusedAdamW : AdamW
    {
        /// <summary>An optimizer over <paramref name="groups"/> (each group's own options over these defaults).</summary>
        /// <param name="groups">Parameter groups.</param>
        /// <param name="learningRate">Default learning rate.</param>
        /// <param name="beta1">Default decay of the first moment.</param>
        /// <param name="beta2">Default decay of the second moment.</param>
        /// <param name="eps">Default term added to the denominator.</param>
        /// <param name="weightDecay">Default decoupled weight decay.</param>
        public FusedAdamW(IEnumerable<ParamGroup> groups, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
            : base(groups ?? throw new ArgumentNullException(nameof(groups)), learningRate, beta1, beta2, eps, weightDecay)
        {
        }

        /// <summary>An optimizer over <paramref name="parameters"/> with these options.</summary>
        /// <param name="parameters">The parameters.</param>
        /// <param name="learningRate">Learning rate.</param>
        /// <param name="beta1">Decay of the first moment.</param>
        /// <param name="beta2">Decay of the second moment.</param>
        /// <param name="eps">Term added to the denominator.</param>
        /// <param name="weightDecay">Decoupled weight decay.</param>
        public FusedAdamW(IEnumerable<Parameter> parameters, double learningRate = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weightDecay = 0)
            : this(new[] { new ParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)), learningRate, beta1, beta2, eps, weightDecay) },
                  learningRate, beta1, beta2, eps, weightDecay)
        {
        }

        /// <summary>
        /// Sets every parameter's gradient to none, as PyTorch's <c>zero_grad</c> does by default (<c>set_to_none</c>), where
        /// AdamW's fills each with zeros: no kernel a parameter, and the next backward pass hands its gradients over instead
        /// of adding them to zeros. A parameter that then gets no gradient in a step is not stepped (with zeroed gradients
        /// AdamW would still move it by its moments and its weight decay).
        /// </summary>
        public override void zero_grad()
        {
            foreach (var group in _parameter_groups)
                foreach (var parameter in group.Parameters)
                    parameter.grad = null;
        }

        /// <summary>Steps every parameter that has a gradient: by the kernel where it applies, as AdamW otherwise.</summary>
        /// <param name="closure">Reevaluates the model and returns the loss (optional).</param>
        /// <returns>The closure's loss, or null.</returns>
        public override Tensor step(Func<Tensor>? closure = null)
        {
            var groups = ParamGroups.Cast<ParamGroup>().ToList();
            if (groups.Any(g => g.Options.amsgrad == true || g.Options.maximize == true))
                return base.step(closure!);
            return _step<ParamGroup>(group =>
            {
                var o = group.Options;
                double lr = o.LearningRate!.Value, wd = o.weight_decay!.Value, beta1 = o.beta1!.Value, beta2 = o.beta2!.Value, eps = o.eps!.Value;
                foreach (var parameter in group.Parameters)
                {
                    using var grad = parameter.grad;
                    if (grad is null)
                        continue;
                    var state = (State)_state[parameter.Handle];
                    state.step += 1;
                    if (AdamWStepKernel.Applies(parameter, grad, state.exp_avg, state.exp_avg_sq))
                    {
                        AdamWStepKernel.Step(parameter, grad, state.exp_avg, state.exp_avg_sq, state.step, lr, wd, beta1, beta2, eps);
                        continue;
                    }
                    // AdamW.step's own operations, for this parameter.
                    parameter.mul_(1 - lr * wd);
                    double correction1 = 1 - Math.Pow(beta1, state.step), correction2 = 1 - Math.Pow(beta2, state.step);
                    state.exp_avg.mul_(beta1).add_(grad, alpha: 1 - beta1);
                    state.exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value: 1 - beta2);
                    using var denominator = (state.exp_avg_sq.sqrt() / Math.Sqrt(correction2)).add_(eps);
                    parameter.addcdiv_(state.exp_avg, denominator, value: -lr / correction1);
                }
            }, closure);
        }
    }
}
