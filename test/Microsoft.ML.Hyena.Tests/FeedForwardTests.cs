using System;
using System.Linq;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>The blocks' MLP: its values and gradients against the layers it is made of, its names, its argument checks.</summary>
    public class FeedForwardTests
    {
        // fc2(GELU(fc1(x))) on x as it is, with the layers' own weights in the given type: what the MLP computes.
        private static Tensor Composed(FeedForward mlp, Tensor x, ScalarType type)
        {
            var p = mlp.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter);
            var h = nn.functional.gelu(nn.functional.linear(x.to_type(type), p["fc1.weight"].to_type(type), p["fc1.bias"].to_type(type)));
            return nn.functional.linear(h, p["fc2.weight"].to_type(type), p["fc2.bias"].to_type(type));
        }

        [Fact]
        public void ItComputesTheLayersOverEveryPositionWithTheirGradients()
        {
            using var scope = NewDisposeScope();
            manual_seed(3);
            using var mlp = new FeedForward(6, ratio: 3);
            var source = randn(2, 5, 6);
            var probe = randn(2, 5, 6);
            var x = source.clone().requires_grad_(true);
            var y = mlp.call(x);
            (y * probe).sum().backward();
            var gx = x.grad!.clone();
            var gw = mlp.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.grad!.clone());
            mlp.zero_grad();

            var xr = source.clone().requires_grad_(true);
            var yr = Composed(mlp, xr, ScalarType.Float32);
            (yr * probe).sum().backward();
            Assert.Equal(new long[] { 2, 5, 6 }, y.shape);
            TensorAssert.Close(y, yr, 1e-6, "values");
            TensorAssert.Close(gx, xr.grad!, 1e-6, "input gradient");
            foreach (var (name, parameter) in mlp.named_parameters())
                TensorAssert.Close(gw[name], parameter.grad!, 1e-6, name + " gradient");
        }

        [Fact]
        public void InMixedPrecisionItComputesInTheComputeTypeAndAnswersInTheInputsType()
        {
            using var scope = NewDisposeScope();
            manual_seed(4);
            using var mlp = new FeedForward(8, ratio: 2) { ComputeDtype = ScalarType.BFloat16 };
            var x = randn(3, 4, 8);
            var y = mlp.call(x);
            Assert.Equal(ScalarType.Float32, y.dtype);
            Assert.Equal(x.shape, y.shape);
            // The same operations on the positions as rows (a 3-d linear in bfloat16 rounds the product before it adds the
            // bias, the rows' product adds it before it rounds).
            var rows = Composed(mlp, x.reshape(-1, 8), ScalarType.BFloat16).to_type(ScalarType.Float32).view(3, 4, 8);
            TensorAssert.Close(y, rows, 0, "values");
            Assert.True(TensorAssert.RelativeError(y, Composed(mlp, x, ScalarType.Float32)) < 2e-2);
        }

        [Fact]
        public void AnInputAlreadyInTheComputeTypeMeetsWeightsCastToIt()
        {
            // float32 master weights, a bfloat16 input and compute type: the weights are cast, the input is not.
            using var scope = NewDisposeScope();
            manual_seed(5);
            using var mlp = new FeedForward(8, ratio: 2) { ComputeDtype = ScalarType.BFloat16 };
            var x = randn(3, 4, 8).to_type(ScalarType.BFloat16);
            var y = mlp.call(x);
            Assert.Equal(ScalarType.BFloat16, y.dtype);
            var rows = Composed(mlp, x.reshape(-1, 8), ScalarType.BFloat16).view(3, 4, 8);
            TensorAssert.Close(y.to_type(ScalarType.Float32), rows.to_type(ScalarType.Float32), 0, "values");
        }

        [Fact]
        public void ItTakesAnyLeadingShape()
        {
            using var scope = NewDisposeScope();
            using var mlp = new FeedForward(4);
            Assert.Equal(new long[] { 4 }, mlp.call(randn(4)).shape);
            Assert.Equal(new long[] { 7, 4 }, mlp.call(randn(7, 4)).shape);
            Assert.Equal(new long[] { 2, 3, 5, 4 }, mlp.call(randn(2, 3, 5, 4)).shape);
        }

        [Fact]
        public void ItsParametersKeepTheBlocksNames()
        {
            using var block = new HyenaBlock(new HyenaOperatorConfig { ModelDimension = 4, MaxLength = 8, FilterOrder = 4 }, mlpRatio: 2);
            var names = block.named_parameters().Select(p => p.name).Where(n => n.StartsWith("mlp.")).ToArray();
            Assert.Equal(new[] { "mlp.fc1.weight", "mlp.fc1.bias", "mlp.fc2.weight", "mlp.fc2.bias" }, names);
            Assert.Equal(new long[] { 8, 4 }, block.Mlp.named_parameters().First().parameter.shape);
        }

        [Fact]
        public void SettingTheBlocksComputeTypeSetsTheMlps()
        {
            using var block = new HyenaBlock(new HyenaOperatorConfig { ModelDimension = 4, MaxLength = 8, FilterOrder = 4 });
            block.ComputeDtype = ScalarType.BFloat16;
            Assert.Equal(ScalarType.BFloat16, block.Mlp.ComputeDtype);
            block.ComputeDtype = null;
            Assert.Null(block.Mlp.ComputeDtype);
        }

        [Fact]
        public void BadArgumentsAreRefusedByName()
        {
            Assert.Equal("width", Assert.Throws<ArgumentOutOfRangeException>(() => new FeedForward(0)).ParamName);
            Assert.Equal("ratio", Assert.Throws<ArgumentOutOfRangeException>(() => new FeedForward(4, ratio: 0)).ParamName);
            Assert.Equal("dropout", Assert.Throws<ArgumentOutOfRangeException>(() => new FeedForward(4, dropout: 1.0)).ParamName);
            using var mlp = new FeedForward(4);
            using var wrong = randn(2, 3, 5);
            var e = Assert.Throws<ArgumentException>(() => mlp.call(wrong));
            Assert.Equal("input", e.ParamName);
            Assert.Contains("width 4", e.Message);
            Assert.Contains("(2, 3, 5)", e.Message);
        }
    }
}
