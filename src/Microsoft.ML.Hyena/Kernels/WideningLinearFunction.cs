using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

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

        /// <summary>Whether this node computes linear(x, weight, bias) (see <see cref="WideningProduct.Applies"/>): CUDA, cuBLASLt found, the types above.</summary>
        public static bool Applies(Tensor x, Tensor weight, Tensor bias)
            => x.dim() >= 2 && x.dim() <= 3 && weight.dim() == 2 && WideningProduct.Applies(x, weight.t(), bias);

        /// <summary>x W^T + b in float32, x's leading sizes by m; call only where <see cref="Applies"/>.</summary>
        public static Tensor Apply(Tensor x, Tensor weight, Tensor bias)
            => is_grad_enabled() && (x.requires_grad || weight.requires_grad || bias.requires_grad) ? apply(x, weight, bias) : Forward(x, weight, bias);

        // The product, or (cuBLASLt without an algorithm for it) the bfloat16 product widened with the bias added, as the
        // library calls this node replaces compute it.
        private static Tensor Forward(Tensor x, Tensor weight, Tensor bias)
        {
            if (WideningProduct.TryProduct(x, weight.t(), bias) is Tensor y)
                return y;
            using var product = nn.functional.linear(x, weight);
            return WidenedBiasAddFunction.Forward(product, bias);
        }

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var x = (Tensor)vars[0];
            var weight = (Tensor)vars[1];
            var bias = (Tensor)vars[2];
            ctx.save_for_backward(new List<Tensor> { x, weight });
            ctx.save_data("xGrad", x.requires_grad);
            ctx.save_data("weightGrad", weight.requires_grad);
            ctx.save_data("biasGrad", bias.requires_grad);
            return Forward(x, weight, bias);
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
            => GradientHandOff.Backward("widening linear", 3, grad_output, () =>
            {
                var saved = ctx.get_saved_variables();
                var (x, weight) = (saved[0], saved[1]);
                bool xGrad = (bool)ctx.get_data("xGrad"), weightGrad = (bool)ctx.get_data("weightGrad"), biasGrad = (bool)ctx.get_data("biasGrad");
                var g = grad_output.is_contiguous() ? grad_output : grad_output.contiguous();
                var (narrowed, sum) = WidenedBiasAddFunction.NarrowAndSum(g);           // (…, m) bfloat16, (m) float32
                Tensor? gx = null, gw = null;
                if (xGrad)
                {
                    // In x's own layout, as mm's backward pass gives it: for x read transposed (the operator's channels-first
                    // streams) the product transposed, (…, k, rows) contiguous, so the node before gets its gradient
                    // without a transposing copy (0.34 ms at 64k x 768 on an H200).
                    // (bmm and mm write their output contiguous, where matmul would fold the batch and transpose it back.)
                    bool transposed = x.stride(-2) == 1 && x.size(-2) > 1;
                    gx = !transposed ? narrowed.matmul(weight)
                        : x.dim() == 3 ? bmm(weight.t().unsqueeze(0).expand(x.size(0), -1, -1), narrowed.transpose(1, 2)).transpose(1, 2)
                        : mm(weight.t(), narrowed.t()).t();
                }
                if (weightGrad)
                    gw = narrowed.reshape(-1, weight.size(0)).t().mm(x.reshape(-1, weight.size(1)));   // (m, k)
                return new List<Tensor> { gx!, gw!, biasGrad ? sum : null! };
            });
    }
}
