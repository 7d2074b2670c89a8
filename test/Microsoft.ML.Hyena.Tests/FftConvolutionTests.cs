using System;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    public class FftConvolutionTests
    {
        [Theory]
        [InlineData(1)]
        [InlineData(17)]
        [InlineData(128)]
        [InlineData(301)]
        public void EqualsDirectCausalConvolution(int length)
        {
            manual_seed(length);
            using var scope = NewDisposeScope();
            var u = randn(2, 3, length, dtype: ScalarType.Float64);
            var k = randn(3, length, dtype: ScalarType.Float64);
            var bias = randn(3, dtype: ScalarType.Float64);
            TensorAssert.Close(FftConvolution.Causal(u, k, bias), FftConvolution.CausalDirect(u, k, bias), 1e-10, "float64");
            TensorAssert.Close(
                FftConvolution.Causal(u.to_type(ScalarType.Float32), k.to_type(ScalarType.Float32), bias.to_type(ScalarType.Float32)),
                FftConvolution.CausalDirect(u, k, bias), 1e-5, "float32");
        }

        [Fact]
        public void DefinitionHoldsOnAnImpulse()
        {
            // A unit impulse at t = 2 returns the filter shifted by 2, plus the skip term at t = 2.
            using var scope = NewDisposeScope();
            var u = zeros(1, 1, 6, dtype: ScalarType.Float64);
            u[0, 0, 2] = tensor(1.0, dtype: ScalarType.Float64);
            var k = tensor(new double[] { 1, 2, 3, 4, 5, 6 }).view(1, 6);
            var bias = tensor(new double[] { 10 });
            var y = FftConvolution.Causal(u, k, bias).view(6);
            var expected = tensor(new double[] { 0, 0, 11, 2, 3, 4 });
            TensorAssert.Close(y, expected, 1e-12, "impulse response");
        }

        [Fact]
        public void MismatchedFilterIsAnError()
        {
            using var scope = NewDisposeScope();
            var error = Assert.Throws<ArgumentException>(() => FftConvolution.Causal(randn(1, 3, 8), randn(3, 7), randn(3)));
            Assert.Contains("(3, 8)", error.Message);
        }
    }
}
