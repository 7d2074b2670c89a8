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

        [Theory]
        [InlineData(ScalarType.Float64, true, 1)]
        [InlineData(ScalarType.Float64, true, 33)]
        [InlineData(ScalarType.Float64, false, 16)]
        [InlineData(ScalarType.Float32, true, 64)]
        public void FilterSpectrumNodeHasTheCompositionsGradients(ScalarType dtype, bool withBias, int length)
        {
            // The node's hand-written backward pass (one complex-to-real transform) against libtorch's backward pass
            // of the same library calls, for filters (N-1, C, L) as the operator passes them (a transposed view).
            manual_seed(length);
            using var scope = NewDisposeScope();
            var filter = randn(length, 2 * 3, dtype: dtype).requires_grad_(true);                 // (L, (N-1) C)
            var bias = withBias ? randn(2, 3, dtype: dtype).requires_grad_(true) : null;
            var probe = randn(2, 3, length + 1, dtype: dtype == ScalarType.Float64 ? ScalarType.ComplexFloat64 : ScalarType.ComplexFloat32);
            (Tensor s, Tensor gk, Tensor? gb) Run(bool node)
            {
                filter.grad = null;
                if (bias is not null)
                    bias.grad = null;
                var k = filter.view(length, 2, 3).permute(1, 2, 0);
                var s = node ? FftConvolution.FilterSpectrum(k, bias) : FilterSpectrumFunction.Compose(k, bias);
                s.backward(new[] { probe });
                return (s.detach(), filter.grad!.clone(), bias?.grad!.clone());
            }
            var composed = Run(false);
            var node = Run(true);
            double tolerance = dtype == ScalarType.Float64 ? 1e-12 : 1e-5;
            Assert.Equal(composed.s.shape, node.s.shape);
            TensorAssert.Close(node.s, composed.s, tolerance, "spectrum");
            TensorAssert.Close(node.gk, composed.gk, tolerance, "grad filter");
            if (bias is not null)
                TensorAssert.Close(node.gb!, composed.gb!, tolerance, "grad skip term");
            Assert.Equal(dtype, node.gk.dtype);
        }

        [Fact]
        public void TheFiltersLayoutIsReadFromItsStridesAsAMovedViewWouldTellIt()
        {
            // LayoutOf decides from the sizes and strides what movedim(-1, 0).is_contiguous() and is_contiguous() decide.
            FilterSpectrumFunction.FilterLayout Reference(Tensor k)
            {
                using var moved = k.movedim(new long[] { -1 }, new long[] { 0 });
                return moved.is_contiguous() ? FilterSpectrumFunction.FilterLayout.PositionsFirst
                    : k.is_contiguous() ? FilterSpectrumFunction.FilterLayout.ChannelsFirst : FilterSpectrumFunction.FilterLayout.Other;
            }
            var views = new (string Name, Tensor K)[]
            {
                ("channels first (2, 3, 5)", zeros(2, 3, 5)),
                ("positions first, (5, 2, 3) moved", zeros(5, 2, 3).permute(1, 2, 0)),
                ("positions first, (5, 6) transposed", zeros(5, 6).t()),
                ("one channel (1, 1, 7)", zeros(1, 1, 7)),
                ("one position (2, 3, 1)", zeros(2, 3, 1)),
                ("neither: a channel slice", zeros(2, 6, 5).narrow(1, 0, 3)),
                ("neither: positions strided", zeros(2, 3, 10).narrow(2, 0, 5)),
                ("neither: channels swapped", zeros(3, 2, 5).transpose(0, 1)),
                ("positions first with a size-1 channel dim", zeros(5, 1, 4).permute(1, 2, 0)),
                ("empty", zeros(2, 0, 5)),
            };
            foreach (var (name, k) in views)
                Assert.True(Reference(k) == FilterSpectrumFunction.LayoutOf(k), $"{name}: {FilterSpectrumFunction.LayoutOf(k)} where the view says {Reference(k)}");
            Assert.Equal(FilterSpectrumFunction.FilterLayout.PositionsFirst, FilterSpectrumFunction.LayoutOf(zeros(5, 2, 3).permute(1, 2, 0)));
            Assert.Equal(FilterSpectrumFunction.FilterLayout.ChannelsFirst, FilterSpectrumFunction.LayoutOf(zeros(2, 3, 5)));
            Assert.Equal(FilterSpectrumFunction.FilterLayout.Other, FilterSpectrumFunction.LayoutOf(zeros(2, 6, 5).narrow(1, 0, 3)));
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
