using System.Collections.Generic;
using Microsoft.ML.Hyena.Kernels;
using StridedOperand = Microsoft.ML.Hyena.Kernels.WideningProduct.StridedOperand;
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
    /// autograd gives it. For a batch of one in bfloat16 on CUDA all three products are cuBLASLt's on operands described by
    /// their sizes and strides (<see cref="WideningProduct.StridedOperand"/>), so no view is made for them: below 16k the
    /// operator's pass waits on the host, and each view costs it a library call (about 10 us).
    /// </remarks>
    internal sealed class ChannelsFirstProjection : autograd.SingleTensorFunction<ChannelsFirstProjection>
    {
        public override string Name => "HyenaChannelsFirstProjection";

        /// <summary>
        /// W x^T for <paramref name="x"/> (b, l, D) and <paramref name="weight"/> (C, D): (b, C, l), contiguous, computed in
        /// <paramref name="compute"/> (null: the weight's type). The node casts x and the weight to that type itself
        /// (unrecorded) and hands their gradients back in their own types: for a float32 x or weight and a bfloat16 product on
        /// CUDA written in float32 by the products themselves (<see cref="Kernels.WideningProduct"/>: x's -0.07 ms a pass at
        /// 64k x 768 on an H200; the weight's with no cast of the weight recorded before the node, whose pass and node the
        /// host paid for). Elsewhere x's gradient is widened by <see cref="Kernels.WidenedBiasAddFunction.Widen"/> (one
        /// vectorised pass, where the cast's own backward pass took libtorch's unvectorised copy) and the weight's cast.
        /// </summary>
        public static Tensor Apply(Tensor x, Tensor weight, ScalarType? compute = null)
        {
            var type = compute ?? weight.dtype;
            return is_grad_enabled() && (x.requires_grad || weight.requires_grad)
                ? apply(GradientHandOff.LeafInput(x), weight, (int)type)   // a leaf x takes its gradient without a copy
                : Product(x.InType(type), weight.InType(type));
        }

        // (b, C, D) @ (b, D, l). For a batch of one in bfloat16 on CUDA, one cuBLASLt product of the described operands (W as
        // a batch of one, x^T read in place), rounded to bfloat16 once, where bmm takes four library calls with its views.
        private static Tensor Product(Tensor x, Tensor weight)
            => (x.size(0) == 1 && x.dtype == ScalarType.BFloat16 && x.device_type == DeviceType.CUDA
                    ? Kernels.WideningProduct.TryProduct(StridedOperand.Of(weight).BatchOfOne(), StridedOperand.Of(x).Single().Transposed(), null, ScalarType.BFloat16)
                    : null)
               ?? bmm(weight.unsqueeze(0).expand(x.size(0), -1, -1), x.transpose(1, 2));

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            GradientHandOff.TakeUndefinedGradients(ctx);
            var input = (Tensor)vars[0];
            var weightParameter = (Tensor)vars[1];
            var type = (ScalarType)(int)vars[2];
            var (x, weight) = (input.InType(type), weightParameter.InType(type));
            ctx.save_for_backward(new List<Tensor> { x, weight });
            ctx.save_data("types", new[] { input.dtype, weightParameter.dtype });
            ctx.save_data("xGrad", input.requires_grad);
            ctx.save_data("weightGrad", weightParameter.requires_grad);
            return Product(x, weight);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("channels-first projection", 3, grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (x, weight) = (saved[0], saved[1]);
                var types = (ScalarType[])ctx.get_data("types");
                var g = grad_output.InType(x.dtype);                                          // (b, C, l)
                Tensor? gx = null, gw = null;
                if ((bool)ctx.get_data("xGrad"))
                {
                    var xType = types[0];
                    // A float32 x's gradient from bfloat16 g: written in float32 by one cuBLASLt product where it applies
                    gx = xType == ScalarType.Float32 ? Kernels.WideningProduct.TryProduct(StridedOperand.Of(g).Transposed(), StridedOperand.Of(weight), null) : null;
                    if (gx is null)
                    {
                        gx = bmm(g.transpose(1, 2), weight.unsqueeze(0).expand(x.size(0), -1, -1));   // (b, l, C) @ (b, C, D)
                        if (gx.dtype != xType)
                            gx = xType == ScalarType.Float32 && gx.dtype == ScalarType.BFloat16 ? Kernels.WidenedBiasAddFunction.Widen(gx) : gx.to_type(xType);
                    }
                }
                if ((bool)ctx.get_data("weightGrad"))
                {
                    // (C, l) @ (l, D); for a batch of one from the described matrices, in the weight's own type where that is
                    // float32 or bfloat16 (one cuBLASLt product, no cast).
                    var weightType = types[1];
                    gw = x.size(0) == 1 && weightType is ScalarType.Float32 or ScalarType.BFloat16
                        ? Kernels.WideningProduct.TryProduct(StridedOperand.Of(g).Single(), StridedOperand.Of(x).Single(), null, weightType)
                        : null;
                    gw ??= (x.size(0) == 1 ? mm(g[0], x[0]) : bmm(g, x).sum(0L)).InType(weightType);
                }
                return new List<Tensor> { gx!, gw!, null! };
            });
    }
}
