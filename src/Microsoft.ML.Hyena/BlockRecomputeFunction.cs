using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Activation checkpointing of one residual block as an autograd node: the forward pass runs the block without
    /// recording its graph and keeps only the block's input; the backward pass runs the block again with gradients on and
    /// takes the backward pass through that recomputed graph, which adds the parameters' gradients to theirs (as any
    /// backward pass does) and gives the node the input's. What a training step keeps for its backward pass then shrinks
    /// from every block's activations (about 52 bytes a channel a position for a Hyena block in bfloat16) to the blocks'
    /// inputs (4 bytes in float32) plus one block's activations at a time, for one more forward pass of the blocks a step
    /// (PyTorch's reentrant <c>torch.utils.checkpoint</c> works the same way). The step's peak also holds the backward
    /// pass's own buffers: on an H200 it halved (<see cref="HyenaSequenceClassifier.RecomputeBlocks"/>).
    /// </summary>
    /// <remarks>
    /// The block's trainable parameters are the node's inputs too (their gradients reach them through the recomputed graph,
    /// not through the node), so that the node's output needs a gradient whenever they do, even where the block's input
    /// does not. The recomputation gives the forward pass's values: the dropouts of the blocks (<see cref="HyenaBlock"/>,
    /// <see cref="HyenaOperator"/>, <see cref="Modules.FeedForward"/>) go through <see cref="DropoutReplay"/>, whose masks the forward pass records and
    /// keeps (a byte an element) and the recomputation applies again. A failure in the backward pass (out of device
    /// memory, say) is held and thrown after it (<see cref="GradientHandOff"/>), as for the library's other nodes, with
    /// zeros standing in for the input's gradient meanwhile.
    /// </remarks>
    internal sealed class BlockRecomputeFunction : autograd.SingleTensorFunction<BlockRecomputeFunction>
    {
        public override string Name => "HyenaBlockRecompute";

        /// <summary><paramref name="block"/> applied to <paramref name="x"/>, its activations recomputed in the backward pass.</summary>
        public static Tensor Apply(nn.Module<Tensor, Tensor> block, Tensor x)
        {
            if (block is null)
                throw new ArgumentNullException(nameof(block));
            if (x is null)
                throw new ArgumentNullException(nameof(x));
            // The dropout masks the forward pass records: saved for the backward pass, which takes its own references to
            // them once the forward pass has returned (not before: they are let go here, after it).
            var dropouts = DropoutReplay.Record();
            var inputs = new List<object> { x, block, dropouts };
            inputs.AddRange(block.parameters().Where(p => p.requires_grad));
            try
            {
                return apply(inputs.ToArray());
            }
            finally
            {
                foreach (var mask in dropouts.Masks)
                    mask.Dispose();
            }
        }

        /// <summary>
        /// <paramref name="x"/> through <paramref name="blocks"/> in turn, each one recomputed in the backward pass
        /// (<see cref="Apply"/>) when <paramref name="recompute"/> is set and gradients are on, else called as it is.
        /// </summary>
        public static Tensor ApplyBlocks(IEnumerable<nn.Module<Tensor, Tensor>> blocks, Tensor x, bool recompute)
        {
            recompute = recompute && is_grad_enabled();
            foreach (var block in blocks)
                x = recompute ? Apply(block, x) : block.call(x);
            return x;
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            GradientHandOff.TakeUndefinedGradients(ctx);
            var x = (Tensor)vars[0];
            var block = (nn.Module<Tensor, Tensor>)vars[1];
            var dropouts = (DropoutReplay)vars[2];
            var y = dropouts.Run(() => block.call(x));                // autograd is off here: nothing of the block is kept
            var saved = new List<Tensor> { x };
            saved.AddRange(dropouts.Masks);
            ctx.save_for_backward(saved);
            ctx.save_data("block", block);
            ctx.save_data("inputs", vars.Length);
            ctx.save_data("inputGrad", x.requires_grad);
            return y;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("block recompute", (int)ctx.get_data("inputs"), grad_output, () =>
            {
                var block = (nn.Module<Tensor, Tensor>)ctx.get_data("block");
                bool inputGrad = (bool)ctx.get_data("inputGrad");
                var gradients = Undefined(ctx);
                var saved = ctx.get_saved_variables();
                using (enable_grad())
                {
                    var x = saved[0].detach().requires_grad_(inputGrad);
                    var y = DropoutReplay.Replay(saved.Skip(1)).Run(() => block.call(x));
                    y.backward(new[] { grad_output });
                    if (inputGrad)
                        gradients[0] = x.grad!;
                }
                return gradients;
            },
            // A failure hands back zeros for the input (the failure is thrown after the backward pass): an undefined gradient
            // would reach the block before, whose node TorchSharp 0.107 cannot give one.
            failed: () =>
            {
                var gradients = Undefined(ctx);
                if ((bool)ctx.get_data("inputGrad"))
                    gradients[0] = zeros_like(ctx.get_saved_variables()[0]);
                return gradients;
            });

        // One undefined gradient for each of the node's inputs, to fill in.
        private static List<Tensor> Undefined(autograd.AutogradContext ctx) => new(new Tensor[(int)ctx.get_data("inputs")]);
    }
}
