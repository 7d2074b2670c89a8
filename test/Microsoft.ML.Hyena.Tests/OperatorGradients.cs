using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>An operator's output and every gradient for one input, and their comparison: how execution paths are checked against each other.</summary>
    internal static class OperatorGradients
    {
        /// <summary>Output and every gradient (input and parameters) of sum(op(x) * probe).</summary>
        public static (Tensor Output, Tensor InputGrad, Dictionary<string, Tensor> Grads) Run(HyenaOperator op, Tensor x, Tensor probe)
        {
            op.zero_grad();
            var input = x.detach().clone().requires_grad_(true);
            var output = op.call(input);
            (output.to_type(probe.dtype) * probe).sum().backward();
            var grads = op.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.detach().clone());
            return (output.detach(), input.grad!.detach().clone(), grads);
        }

        /// <summary>Output, input gradient and every parameter's gradient within <paramref name="tolerance"/> (relative).</summary>
        public static void AssertSame(
            (Tensor Output, Tensor InputGrad, Dictionary<string, Tensor> Grads) actual,
            (Tensor Output, Tensor InputGrad, Dictionary<string, Tensor> Grads) expected,
            double tolerance, string what)
        {
            TensorAssert.Close(actual.Output, expected.Output, tolerance, what + ": output");
            TensorAssert.Close(actual.InputGrad, expected.InputGrad, tolerance, what + ": grad input");
            Assert.Equal(expected.Grads.Keys.OrderBy(k => k), actual.Grads.Keys.OrderBy(k => k));
            foreach (var (name, grad) in expected.Grads)
                TensorAssert.Close(actual.Grads[name], grad, tolerance, $"{what}: grad {name}");
        }
    }
}
