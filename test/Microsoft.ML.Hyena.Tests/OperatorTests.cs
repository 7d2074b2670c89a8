using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    public class OperatorTests
    {
        private static HyenaOperatorConfig Small(int order = 2, int maxLength = 64, int width = 8) => new()
        {
            ModelDimension = width,
            MaxLength = maxLength,
            Order = order,
            FilterOrder = 16,
        };

        [Theory]
        [InlineData(true, 3)]
        [InlineData(true, 1)]
        [InlineData(false, 3)]
        public void TheInputProjectionIsWrittenChannelsFirstAndContiguous(bool gradients, int batch)
        {
            // What the short filter reads without a transposing copy, with and without autograd: the same values and
            // gradients as linear(x).transpose(1, 2), contiguous; the input's gradient comes back in the input's layout,
            // contiguous, so that nothing after it makes a strided copy (batch 1 takes the weight's gradient as one mm).
            manual_seed(3);
            using var scope = NewDisposeScope();
            using var layer = nn.Linear(8, 24);
            var x = randn(batch, 10, 8).requires_grad_(gradients);
            using var mode = gradients ? enable_grad() : no_grad();
            var y = HyenaOperator.ProjectChannelsFirst(layer, x, null);
            Assert.Equal(new long[] { batch, 24, 10 }, y.shape);
            Assert.True(y.is_contiguous());
            TensorAssert.Close(y, layer.call(x).transpose(1, 2), 1e-6, "projection");
            if (gradients)
            {
                var probe = randn(batch, 24, 10);
                (y * probe).sum().backward();
                var (gx, gw, gb) = (x.grad!.clone(), layer.weight!.grad!.clone(), layer.bias!.grad!.clone());
                Assert.True(x.grad!.is_contiguous(), "the input's gradient is contiguous");
                x.grad = null;
                layer.zero_grad();
                (layer.call(x).transpose(1, 2) * probe).sum().backward();
                TensorAssert.Close(gx, x.grad!, 1e-6, "input gradient");
                TensorAssert.Close(gw, layer.weight!.grad!, 1e-5, "weight gradient");
                TensorAssert.Close(gb, layer.bias!.grad!, 1e-5, "bias gradient");
            }
        }

        [Fact]
        public void TheChannelsFirstProjectionCastsAnInputOfAnotherTypeAndGivesItsGradientInThatType()
        {
            // A float32 input with a bfloat16 weight: cast in the node, as a cast before it would; the input's gradient comes
            // back in float32 with the values of the cast's own backward pass (the bfloat16 gradient widened), exactly.
            manual_seed(5);
            var x = randn(2, 7, 16).requires_grad_(true);
            var weight = randn(8, 16).to_type(ScalarType.BFloat16).requires_grad_(true);
            var probe = randn(2, 8, 7).to_type(ScalarType.BFloat16);
            var y = ChannelsFirstProjection.Apply(x, weight);
            Assert.Equal(ScalarType.BFloat16, y.dtype);
            (y * probe).sum().backward();
            var (gx, gw) = (x.grad!.clone(), weight.grad!.clone());
            Assert.Equal(ScalarType.Float32, gx.dtype);

            x.grad!.zero_();
            weight.grad!.zero_();
            var cast = x.to_type(ScalarType.BFloat16);
            var expected = ChannelsFirstProjection.Apply(cast, weight);
            (expected * probe).sum().backward();
            Assert.True(y.eq(expected).all().item<bool>(), "the product differs from the product of the cast input");
            Assert.True(gx.eq(x.grad!).all().item<bool>(), "the input's gradient differs from the cast's");
            Assert.True(gw.eq(weight.grad!).all().item<bool>(), "the weight's gradient differs");
        }

        [Fact]
        public void TheChannelsFirstProjectionPassesTheGradientCheck()
        {
            // Its hand-written backward pass against finite differences, in float64, for both inputs.
            manual_seed(4);
            var x = randn(2, 5, 3, dtype: ScalarType.Float64).requires_grad_(true);
            var weight = randn(4, 3, dtype: ScalarType.Float64).requires_grad_(true);
            var probe = randn(2, 4, 5, dtype: ScalarType.Float64);
            Func<double> loss = () => { using var _ = no_grad(); return (ChannelsFirstProjection.Apply(x, weight) * probe).sum().item<double>(); };
            (ChannelsFirstProjection.Apply(x, weight) * probe).sum().backward();
            foreach (var (p, name) in new[] { (x, "x"), (weight, "weight") })
            {
                var analytic = p.grad!.flatten();
                var flat = p.detach().flatten();
                for (long i = 0; i < flat.numel(); i++)
                {
                    double saved = flat[i].item<double>();
                    using (no_grad()) flat[i].fill_(saved + 1e-6);
                    double up = loss();
                    using (no_grad()) flat[i].fill_(saved - 1e-6);
                    double down = loss();
                    using (no_grad()) flat[i].fill_(saved);
                    Assert.True(Math.Abs((up - down) / 2e-6 - analytic[i].item<double>()) < 1e-6, $"{name}[{i}]");
                }
            }
        }

        [Theory]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        public void OutputHasInputShapeForOrders2To4(int order)
        {
            manual_seed(1);
            using var op = new HyenaOperator(Small(order));
            using var x = randn(3, 40, 8);
            using var y = op.call(x);
            Assert.Equal(new long[] { 3, 40, 8 }, y.shape);
            Assert.True(isfinite(y).all().item<bool>());
        }

        [Theory]
        [InlineData(2)]
        [InlineData(3)]
        [InlineData(4)]
        public void IsCausal(int order)
        {
            manual_seed(2);
            using var scope = NewDisposeScope();
            // In float64: an FFT spreads rounding error over all positions (about 1e-8 in float32),
            // far below what a real leak from the future would change.
            var op = new HyenaOperator(Small(order));
            op.to(ScalarType.Float64);
            var x = randn(2, 48, 8, dtype: ScalarType.Float64);
            var y = op.call(x);
            const int t = 20;
            var perturbed = x.clone();
            perturbed[.., t, ..] += 1.0;
            var y2 = op.call(perturbed);
            double before = (y2[.., ..t, ..] - y[.., ..t, ..]).abs().max().item<double>();
            double after = (y2[.., t.., ..] - y[.., t.., ..]).abs().max().item<double>();
            Assert.True(before < 1e-12, $"an input change at t={t} changed an earlier output by {before}");
            Assert.True(after > 1e-4, "an input change did not change the outputs from t on");
        }

        [Theory]
        [InlineData(2)]
        [InlineData(3)]
        public void ShorterSequencesEqualThePrefixOfLongerOnes(int order)
        {
            manual_seed(3);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small(order, maxLength: 64));
            var x = randn(2, 64, 8);
            var full = op.call(x);
            foreach (int length in new[] { 1, 7, 33 })
            {
                var part = op.call(x[.., ..length, ..]);
                TensorAssert.Close(part, full[.., ..length, ..], 1e-5, $"length {length}");
            }
        }

        [Fact]
        public void LongerThanMaxLengthIsAnErrorNamingMaxLength()
        {
            using var op = new HyenaOperator(Small(maxLength: 32));
            using var x = randn(1, 33, 8);
            var error = Assert.Throws<ArgumentException>(() => op.call(x));
            Assert.Contains("33", error.Message);
            Assert.Contains("MaxLength", error.Message);
        }

        [Fact]
        public void WrongWidthIsAnErrorStatingTheExpectedShape()
        {
            using var op = new HyenaOperator(Small());
            using var x = randn(1, 10, 5);
            var error = Assert.Throws<ArgumentException>(() => op.call(x));
            Assert.Contains("(batch, length, 8)", error.Message);
        }

        [Theory]
        [InlineData(nameof(HyenaOperatorConfig.Order), 1)]
        [InlineData(nameof(HyenaOperatorConfig.EmbeddingDimension), 4)]
        [InlineData(nameof(HyenaOperatorConfig.ModelDimension), 0)]
        [InlineData(nameof(HyenaOperatorConfig.MaxLength), 0)]
        [InlineData(nameof(HyenaOperatorConfig.ShortFilterOrder), 0)]
        public void InvalidConfigIsRefusedNamingTheProperty(string property, int value)
        {
            var config = Small();
            config = property switch
            {
                nameof(HyenaOperatorConfig.Order) => config with { Order = value },
                nameof(HyenaOperatorConfig.EmbeddingDimension) => config with { EmbeddingDimension = value },
                nameof(HyenaOperatorConfig.ModelDimension) => config with { ModelDimension = value },
                nameof(HyenaOperatorConfig.MaxLength) => config with { MaxLength = value },
                _ => config with { ShortFilterOrder = value },
            };
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new HyenaOperator(config));
            Assert.Equal(property, error.ParamName);
            Assert.Contains(property, error.Message);
        }

        [Fact]
        public void DropoutActsOnlyInTraining()
        {
            manual_seed(4);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small() with { Dropout = 0.5 });
            var x = randn(2, 16, 8);
            op.train();
            Assert.False(op.call(x).allclose(op.call(x)));
            op.eval();
            Assert.True(op.call(x).allclose(op.call(x)));
        }

        [Theory]
        [InlineData(2)]
        [InlineData(3)]
        public void GradientsMatchFiniteDifferences(int order)
        {
            // Directional derivative of sum(y * probe) in float64, for the input and every parameter.
            manual_seed(5);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small(order, maxLength: 24, width: 4) with { FilterOrder = 8 });
            op.to(ScalarType.Float64);
            var x = randn(2, 24, 4, dtype: ScalarType.Float64).requires_grad_(true);
            var probe = randn(2, 24, 4, dtype: ScalarType.Float64);
            (op.call(x) * probe).sum().backward();

            var leaves = op.parameters().Cast<Tensor>().Prepend(x).ToList();
            var directions = leaves.Select(l => randn_like(l)).ToList();
            double analytic = leaves.Zip(directions).Sum(p => (p.First.grad! * p.Second).sum().item<double>());

            double Objective(double step)
            {
                using var noGrad = no_grad();
                for (int i = 0; i < leaves.Count; i++)
                    leaves[i].add_(directions[i] * step);
                double value = (op.call(x) * probe).sum().item<double>();
                for (int i = 0; i < leaves.Count; i++)
                    leaves[i].sub_(directions[i] * step);
                return value;
            }
            const double h = 1e-6;
            double numeric = (Objective(h) - Objective(-h)) / (2 * h);
            Assert.True(Math.Abs(numeric - analytic) <= 1e-6 * Math.Max(1, Math.Abs(analytic)),
                $"analytic {analytic} vs numeric {numeric}");
        }
    }
}

namespace Microsoft.ML.Hyena.Tests
{
    public class HyenaBlockTests
    {
        [Fact]
        public void BlockIsCausalAndKeepsTheShape()
        {
            manual_seed(6);
            using var scope = NewDisposeScope();
            var block = new HyenaBlock(new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 32, FilterOrder = 8 });
            block.to(ScalarType.Float64).eval();
            var x = randn(2, 32, 8, dtype: ScalarType.Float64);
            var y = block.call(x);
            Assert.Equal(x.shape, y.shape);
            // Padding after the end of a sequence does not change the outputs before it.
            var padded = x.clone();
            padded[.., 20.., ..] = zeros(2, 12, 8, dtype: ScalarType.Float64);
            TensorAssert.Close(block.call(padded)[.., ..20, ..], y[.., ..20, ..], 1e-12, "prefix");
        }

        [Fact]
        public void NamesFollowTheBlockLayout()
        {
            using var block = new HyenaBlock(new HyenaOperatorConfig { ModelDimension = 4, MaxLength = 8, FilterOrder = 4 });
            var names = StateDict.Export(block).Keys.ToList();
            Assert.Contains("mixer.in_proj.weight", names);
            Assert.Contains("mlp.fc1.weight", names);
            Assert.Contains("norm2.bias", names);
        }
    }
}
