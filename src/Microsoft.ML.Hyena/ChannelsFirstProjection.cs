using System.Collections.Generic;
using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// A linear map written channels first, y = W x^T: (b, l, D) -> (b, C, l), contiguous, as one autograd node whose
    /// backward pass writes the input's gradient in the input's own (b, l, D) layout. Used by
    /// <see cref="HyenaOperator.ProjectChannelsFirst"/> for the operator's input projection and for the filter MLP's last
    /// product (<see cref="Modules.HyenaFilter"/>, read channels first by the filter spectrum's kernels).
    /// </summary>
    /// <remarks>
    /// The forward pass is a bmm of the weight broadcast over the batch with the transposed input (matmul may instead fold
    /// the batch into the rows when the weight needs its gradient, and its result is then the transpose of a (b, l, C)
    /// product). Left to autograd, bmm's backward pass gives the input's gradient as W^T gy, (b, D, l): its transpose is
    /// the (b, l, D) gradient, not contiguous, and whoever takes it next (a cast, a layer norm, a leaf's accumulation)
    /// copies it with a strided pass (0.4 ms at 64k and width 768 on an H200). Here it is the bmm gy^T W, which cuBLAS
    /// reads transposed in place and writes as (b, l, D). The weight's gradient is the sum over the batch of gy x, as
    /// autograd gives it.
    /// </remarks>
    internal sealed class ChannelsFirstProjection : autograd.SingleTensorFunction<ChannelsFirstProjection>
    {
        public override string Name => "HyenaChannelsFirstProjection";

        /// <summary>
        /// W x^T for <paramref name="x"/> (b, l, D) and <paramref name="weight"/> (C, D): (b, C, l), contiguous, in the
        /// weight's type. An x of another type is cast to it in this node, whose backward pass gives x's gradient in x's
        /// type: for a float32 x and bfloat16 weight on CUDA written in float32 by the product itself
        /// (<see cref="Kernels.WideningProduct"/>, -0.07 ms a pass at 64k x 768 on an H200), elsewhere widened by
        /// <see cref="Kernels.WidenedBiasAddFunction.Widen"/> (one vectorised pass, where the cast's own backward pass took
        /// libtorch's unvectorised copy).
        /// </summary>
        public static Tensor Apply(Tensor x, Tensor weight)
            => is_grad_enabled() && (x.requires_grad || weight.requires_grad)
                ? apply(GradientHandOff.LeafInput(x), weight)   // a leaf x takes its gradient without a copy
                : Product(InWeightType(x, weight), weight);

        private static Tensor InWeightType(Tensor x, Tensor weight) => x.dtype == weight.dtype ? x : x.to_type(weight.dtype);

        private static Tensor Product(Tensor x, Tensor weight)
            => bmm(weight.unsqueeze(0).expand(x.size(0), -1, -1), x.transpose(1, 2));   // (b, C, D) @ (b, D, l)

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var input = (Tensor)vars[0];
            var weight = (Tensor)vars[1];
            var x = InWeightType(input, weight);
            ctx.save_for_backward(new List<Tensor> { x, weight });
            ctx.save_data("xType", (int)input.dtype);
            ctx.save_data("xGrad", input.requires_grad);
            ctx.save_data("weightGrad", weight.requires_grad);
            return Product(x, weight);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("channels-first projection", 2, grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (x, weight) = (saved[0], saved[1]);
                var g = grad_output.dtype == x.dtype ? grad_output : grad_output.to_type(x.dtype);   // (b, C, l)
                Tensor? gx = null, gw = null;
                if ((bool)ctx.get_data("xGrad"))
                {
                    var xType = (ScalarType)(int)ctx.get_data("xType");
                    // A float32 x's gradient from bfloat16 g: written in float32 by one cuBLASLt product where it applies
                    gx = xType == ScalarType.Float32 ? Kernels.WideningProduct.TryProduct(g.transpose(1, 2), weight, null) : null;
                    if (gx is null)
                    {
                        gx = bmm(g.transpose(1, 2), weight.unsqueeze(0).expand(x.size(0), -1, -1));   // (b, l, C) @ (b, C, D)
                        if (gx.dtype != xType)
                            gx = xType == ScalarType.Float32 && gx.dtype == ScalarType.BFloat16 ? Kernels.WidenedBiasAddFunction.Widen(gx) : gx.to_type(xType);
                    }
                }
                if ((bool)ctx.get_data("weightGrad"))
                {
                    gw = x.size(0) == 1 ? mm(g[0], x[0]) : bmm(g, x).sum(0L);                       // (C, l) @ (l, D)
                }
                return new List<Tensor> { gx!, gw! };
            });
    }
}
