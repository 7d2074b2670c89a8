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
    /// rounds twice). A step in which the kernel does not take every parameter (one on the CPU or of another type, a
    /// closure, AMSGrad or maximize in a group) is AdamW's own step.
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

        /// <summary>
        /// Steps every parameter that has a gradient: each by the kernel when the kernel takes every one of them, otherwise
        /// all as AdamW steps them (also with a closure, AMSGrad or maximize).
        /// </summary>
        /// <param name="closure">Reevaluates the model and returns the loss (optional).</param>
        /// <returns>The closure's loss, or null.</returns>
        public override Tensor step(Func<Tensor>? closure = null)
        {
            if (closure is not null)
                return base.step(closure);
            using var scope = NewDisposeScope();   // the gradients' wrappers
            var steps = new List<(Parameter Parameter, Tensor Grad, State State, Options Options)>();
            foreach (var group in _parameter_groups.Cast<ParamGroup>())
            {
                if (group.Options.amsgrad == true || group.Options.maximize == true)
                    return base.step();
                foreach (var parameter in group.Parameters)
                {
                    var grad = parameter.grad;
                    if (grad is null)
                        continue;
                    var state = (State)_state[parameter.Handle];
                    if (!AdamWStepKernel.Applies(parameter, grad, state.exp_avg, state.exp_avg_sq))
                        return base.step();
                    steps.Add((parameter, grad, state, group.Options));
                }
            }
            foreach (var (parameter, grad, state, o) in steps)
            {
                state.step += 1;
                AdamWStepKernel.Step(parameter, grad, state.exp_avg, state.exp_avg_sq, state.step,
                    o.LearningRate!.Value, o.weight_decay!.Value, o.beta1!.Value, o.beta2!.Value, o.eps!.Value);
            }
            return null!;   // no closure, no loss (as AdamW.step)
        }
    }
}
