using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;
using StridedOperand = Microsoft.ML.Hyena.Kernels.WideningProduct.StridedOperand;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// A linear map in mixed precision written in float32, y = x W^T + b for bfloat16 x (…, k) and W (m, k) and a float32
    /// bias b (m), as one autograd node: the operator's output projection when its output is float32
    /// (<see cref="HyenaOperator"/>). The forward pass is one cuBLASLt product (<see cref="WideningProduct"/>: float32
    /// accumulation written as it is, the bias in the epilogue), where a bfloat16 product and
    /// <see cref="WidenedBiasAddFunction"/> took two passes and rounded the product to bfloat16 between them. The backward
    /// pass is theirs: the gradient rounded to bfloat16 and summed for the bias in one pass
    /// (<see cref="WidenedBiasAddFunction.NarrowAndSum"/>), then x's gradient g W and W's g^T x, as linear's backward pass
    /// gives them.
    /// </summary>
    internal sealed class WideningLinearFunction : autograd.SingleTensorFunction<WideningLinearFunction>
    {
        public override string Name => "HyenaWideningLinear";

        /// <summary>
        /// Whether this node computes linear(x, weight, bias) (see <see cref="WideningProduct.Applies(Tensor, Tensor, Tensor)"/>):
        /// CUDA, cuBLASLt found, the types above; the weight may also be float32 (master weights), which the node casts to
        /// bfloat16 itself. With <paramref name="channelsFirst"/>, x is given as (b, k, rows) and the map applies to its
        /// transpose (b, rows, k), read in place.
        /// </summary>
        public static bool Applies(Tensor x, Tensor weight, Tensor bias, bool channelsFirst = false)
            => x.dim() >= 2 && x.dim() <= 3 && (!channelsFirst || x.dim() == 3) && weight.dim() == 2
               && (weight.dtype == ScalarType.BFloat16 || (weight.dtype == ScalarType.Float32 && weight.is_contiguous()))
               && WideningProduct.Applies(Read(x, channelsFirst), StridedOperand.Of(weight).CastTo(ScalarType.BFloat16).Transposed(), bias, ScalarType.Float32);

        /// <summary>
        /// x W^T + b in float32, x's leading sizes by m (with <paramref name="channelsFirst"/>, of x^T for x given as (b, k, rows):
        /// the operator's output projection reads its channels-first streams so, where a transposed view recorded before the
        /// node cost the host a library call forward and a node backward). Where the product does not apply (see
        /// <see cref="Applies"/>: no cuBLASLt, another bias type, ...) the node runs the library calls it replaces, a bfloat16
        /// linear and the widened bias add, with their values and gradients, so callers need not ask first (asking describes
        /// the operands a second time on the hot path).
        /// </summary>
        public static Tensor Apply(Tensor x, Tensor weight, Tensor bias, bool channelsFirst = false)
            => is_grad_enabled() && (x.requires_grad || weight.requires_grad || bias.requires_grad)
                ? apply(x, weight, bias, channelsFirst)
                : Forward(x, weight.InType(x.dtype), bias, channelsFirst);

        /// <summary>
        /// Up to this many matrices in a batch, the weight's gradient for channels-first x is one product a matrix, summed
        /// (<see cref="SummedProducts"/>); past it, one product over x transposed by a copy, whose cost does not grow with
        /// the count of library calls.
        /// </summary>
        internal const long MaxSummedProducts = 8;

        // W's gradient (m, k) = sum over the batch of g_i^T x_i^T, for x (b, k, rows) channels first and g (b, rows, m): each
        // matrix's product read in place by cuBLASLt and written in float32, summed in float32. One product over the batch
        // would need x as (b rows, k), which its layout cannot describe: the transposing copy that made it took 0.34 ms at
        // 4 x 16k x 768 in bfloat16 on an H200 (for 0.11 ms of product). Null where a product does not apply.
        private static Tensor? SummedProducts(Tensor narrowed, Tensor x)
        {
            using var scope = NewDisposeScope();
            Tensor? sum = null;
            for (long i = 0; i < x.size(0); i++)
            {
                var product = WideningProduct.TryProduct(StridedOperand.Of(narrowed[i]).Transposed(), Read(x[i], channelsFirst: true), null, ScalarType.Float32);
                if (product is null)
                    return null;
                sum = sum is null ? product : sum.add_(product);
            }
            return scope.MoveToOuter(sum!);
        }

        // The (…, rows, k) operand the map applies to.
        private static StridedOperand Read(Tensor x, bool channelsFirst) => channelsFirst ? StridedOperand.Of(x).Transposed() : StridedOperand.Of(x);

        // The product, or (cuBLASLt without an algorithm for it) the bfloat16 product widened with the bias added, as the
        // library calls this node replaces compute it.
        private static Tensor Forward(Tensor x, Tensor weight, Tensor bias, bool channelsFirst)
        {
            if (WideningProduct.TryProduct(Read(x, channelsFirst), StridedOperand.Of(weight).Transposed(), bias) is Tensor y)
                return y;
            using var rows = channelsFirst ? x.transpose(1, 2) : x.alias();
            using var product = nn.functional.linear(rows, weight);
            return WidenedBiasAddFunction.Forward(product, bias);
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            GradientHandOff.TakeUndefinedGradients(ctx);
            var x = (Tensor)vars[0];
            var weightParameter = (Tensor)vars[1];
            var bias = (Tensor)vars[2];
            bool channelsFirst = (bool)vars[3];
            var weight = weightParameter.InType(x.dtype);     // unrecorded: the weight's gradient is handed back in its own type
            ctx.save_for_backward(new List<Tensor> { x, weight });
            ctx.save_data("weightType", (int)weightParameter.dtype);
            ctx.save_data("flags", new[] { x.requires_grad, weightParameter.requires_grad, bias.requires_grad, channelsFirst });
            return Forward(x, weight, bias, channelsFirst);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("widening linear", 4, grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (x, weight) = (saved[0], saved[1]);
                var flags = (bool[])ctx.get_data("flags");
                bool xGrad = flags[0], weightGrad = flags[1], biasGrad = flags[2], channelsFirst = flags[3];
                var g = grad_output.AsContiguous();
                var (narrowed, sum) = WidenedBiasAddFunction.NarrowAndSum(g);           // (…, rows, m) bfloat16, (m) float32
                // One matrix (a batch of one) is read from the described operands by cuBLASLt products, with no views made.
                bool single = narrowed.dim() == 2 || narrowed.size(0) == 1;
                var g2 = narrowed.dim() == 2 ? StridedOperand.Of(narrowed) : StridedOperand.Of(narrowed).Single();   // (rows, m) where single
                Tensor? gx = null, gw = null;
                if (xGrad)
                {
                    // In x's own layout, as mm's backward pass gives it: for x read transposed (the operator's channels-first
                    // streams) the product transposed, (…, k, rows) contiguous, so the node before gets its gradient
                    // without a transposing copy (0.34 ms at 64k x 768 on an H200).
                    // (bmm and mm write their output contiguous, where matmul would fold the batch and transpose it back.)
                    if (channelsFirst)
                    {
                        gx = single && x.dtype == ScalarType.BFloat16      // W^T g^T, (1, k, rows), rounded to bfloat16 by the product
                            ? WideningProduct.TryProduct(StridedOperand.Of(weight).Transposed().BatchOfOne(), g2.Transposed(), null, ScalarType.BFloat16)
                            : null;
                        gx ??= bmm(weight.t().unsqueeze(0).expand(x.size(0), -1, -1), narrowed.transpose(1, 2));
                    }
                    else
                    {
                        bool transposed = x.stride(-2) == 1 && x.size(-2) > 1;
                        gx = !transposed ? narrowed.matmul(weight)
                            : x.dim() == 3 ? bmm(weight.t().unsqueeze(0).expand(x.size(0), -1, -1), narrowed.transpose(1, 2)).transpose(1, 2)
                            : mm(weight.t(), narrowed.t()).t();
                    }
                }
                if (weightGrad)
                {
                    // (m, k) = g^T x over the rows: for one matrix from the described operands, in the weight's own type where
                    // that is float32 or bfloat16 (one cuBLASLt product, no cast), else as linear's backward pass gives it.
                    var weightType = (ScalarType)(int)ctx.get_data("weightType");
                    var rows = Read(x, channelsFirst);
                    gw = single && weightType is ScalarType.Float32 or ScalarType.BFloat16
                        ? WideningProduct.TryProduct(g2.Transposed(), x.dim() == 2 ? rows : rows.Single(), null, weightType)
                        : !single && channelsFirst && weightType == ScalarType.Float32 && x.size(0) <= MaxSummedProducts
                        ? SummedProducts(narrowed, x)
                        : null;
                    gw ??= narrowed.reshape(-1, weight.size(0)).t().mm((channelsFirst ? x.transpose(1, 2) : x).reshape(-1, weight.size(1))).InType(weightType);
                }
                return new List<Tensor> { gx!, gw!, biasGrad ? sum : null!, null! };
            });
    }
}
