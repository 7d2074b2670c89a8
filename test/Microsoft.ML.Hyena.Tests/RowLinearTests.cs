using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>A linear map over the last dimension computed on the positions as rows: the values and gradients of linear.</summary>
    public class RowLinearTests
    {
        [Theory]
        [InlineData(true, false)]
        [InlineData(true, true)]
        [InlineData(false, false)]
        public void ItGivesLinearsValuesAndGradients(bool withBias, bool transposedInput)
        {
            using var scope = NewDisposeScope();
            manual_seed(8);
            var source = transposedInput ? randn(2, 6, 5) : randn(2, 5, 6);
            var weight = randn(3, 6);
            var bias = withBias ? randn(3) : null;
            var probe = randn(2, 5, 3);
            (Tensor y, Tensor gx, Tensor gw) Run(bool rows)
            {
                var leaf = source.clone().requires_grad_(true);
                var x = transposedInput ? leaf.transpose(1, 2) : leaf;            // (2, 5, 6), not contiguous when transposed
                var w = weight.clone().requires_grad_(true);
                var y = rows ? RowLinear.Apply(x, w, bias) : nn.functional.linear(x, w, bias);
                (y * probe).sum().backward();
                return (y.detach(), leaf.grad!, w.grad!);
            }
            var r = Run(true);
            var l = Run(false);
            Assert.Equal(new long[] { 2, 5, 3 }, r.y.shape);
            TensorAssert.Close(r.y, l.y, 1e-6, "values");
            TensorAssert.Close(r.gx, l.gx, 1e-6, "input gradient");
            TensorAssert.Close(r.gw, l.gw, 1e-6, "weight gradient");
        }

        [Fact]
        public void ALayerRunsInTheComputeTypeAndKeepsAnyLeadingShape()
        {
            using var scope = NewDisposeScope();
            using var layer = nn.Linear(4, 2);
            Assert.Equal(new long[] { 2 }, RowLinear.Apply(layer, randn(4)).shape);
            Assert.Equal(new long[] { 3, 2, 5, 2 }, RowLinear.Apply(layer, randn(3, 2, 5, 4)).shape);
            var y = RowLinear.Apply(layer, randn(3, 5, 4), ScalarType.BFloat16);
            Assert.Equal(ScalarType.BFloat16, y.dtype);
            Assert.Equal(ScalarType.Float32, layer.weight!.dtype);                     // the weights are cast, not changed
        }
    }
}
