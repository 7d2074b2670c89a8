using System;
using System.Linq;
using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The cuBLASLt product's reading of its operands (<see cref="WideningProduct.Describe"/>), run on the CPU: each
    /// description is executed as cuBLAS would execute it (column-major operands read from the tensors' own storage with
    /// the described operations and leading dimensions, batch by batch) and compared with libtorch's matmul of the same
    /// tensors; and the output projection's node (<see cref="WideningLinearFunction"/>) against the library calls it
    /// replaces. The product itself runs only on CUDA; the GPU check is Hyena.Benchmarks check-libtorch ("widening
    /// product", "widening linear").
    /// </summary>
    public class WideningProductTests
    {
        [Fact]
        public void TheOutputProjectionsOperandsAreReadInPlace()
        {
            // The operator's output projection: x is (b, D, l) channels first read as (b, l, D); b is W^T for W (m, D).
            using var scope = NewDisposeScope();
            manual_seed(3);
            var channelsFirst = randn(1, 6, 10, dtype: ScalarType.Float64);
            var weight = randn(5, 6, dtype: ScalarType.Float64);
            var shape = AssertReproducesMatmul(channelsFirst, channelsFirst.transpose(1, 2), weight, weight.t());
            Assert.Equal(new WideningProduct.Operand(1, 6, 5, 6), shape.A);    // W read as it is, transposed
            Assert.Equal(new WideningProduct.Operand(1, 10, 6, 10), shape.B);  // x read channels first, transposed
            Assert.Equal(1, shape.Batch);
        }

        [Fact]
        public void DescribedOperandsAreReadAsTheirViewsWouldBe()
        {
            // StridedOperand's transpose, batch-of-one matrix and batch of one describe what the library's views would be,
            // without making them: the product reads them the same way.
            using var scope = NewDisposeScope();
            var g = randn(1, 7, 9);                 // (1, C, l), as a channels-first gradient
            var w = randn(7, 4);
            WideningProduct.Shape? Read(WideningProduct.StridedOperand a, WideningProduct.StridedOperand b)
                => WideningProduct.Describe(a.Shape, a.Strides, b.Shape, b.Strides);
            var described = Read(WideningProduct.StridedOperand.Of(g).Transposed(), WideningProduct.StridedOperand.Of(w));
            Assert.Equal(WideningProduct.Describe(g.transpose(1, 2).shape, g.transpose(1, 2).stride(), w.shape, w.stride()), described);
            var single = WideningProduct.StridedOperand.Of(g).Single();
            Assert.Equal(g[0].shape, single.Shape);
            Assert.Equal(g[0].stride(), single.Strides);
            var x = randn(1, 9, 4);
            var weightGradient = Read(single, WideningProduct.StridedOperand.Of(x).Single());                 // (C, l) by (l, D)
            Assert.Equal(WideningProduct.Describe(g[0].shape, g[0].stride(), x[0].shape, x[0].stride()), weightGradient);
            var batched = WideningProduct.StridedOperand.Of(w).BatchOfOne();
            Assert.Equal(new long[] { 1, 7, 4 }, batched.Shape);
            var forward = Read(batched, WideningProduct.StridedOperand.Of(randn(1, 9, 4)).Single().Transposed()); // W x^T, (1, C, l)
            Assert.NotNull(forward);
            Assert.Equal(1, forward!.Value.Batch);
            Assert.Equal(WideningProduct.Describe(w.shape, w.stride(), new long[] { 4, 9 }, new long[] { 1, 4 })!.Value with { Batch = 1 }, forward.Value);
            Assert.Equal(ScalarType.BFloat16, WideningProduct.StridedOperand.Of(w).CastTo(ScalarType.BFloat16).Type);
            Assert.Equal(w.stride(), WideningProduct.StridedOperand.Of(w).CastTo(ScalarType.BFloat16).Strides);
        }

        [Fact]
        public void TheInputProjectionsGradientIsReadInPlaceForEachBatch()
        {
            // The input projection's backward pass: g (b, C, l) read as (b, l, C), times W (C, D).
            using var scope = NewDisposeScope();
            manual_seed(4);
            var g = randn(3, 7, 9, dtype: ScalarType.Float64);
            var weight = randn(7, 4, dtype: ScalarType.Float64);
            var shape = AssertReproducesMatmul(g, g.transpose(1, 2), weight, weight);
            Assert.Equal(new WideningProduct.Operand(0, 4, 7, 4), shape.A);
            Assert.Equal(new WideningProduct.Operand(1, 9, 7, 9), shape.B);
            Assert.Equal((3L, 63L), (shape.Batch, shape.BatchStride));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void RowMajorOperandsAndSlicesWithWiderRowsAreReadInPlace(bool batched)
        {
            using var scope = NewDisposeScope();
            manual_seed(5);
            // a is a slice of wider rows (leading dimension 11 for 8 columns); b a slice of a wider matrix too.
            var aStorage = randn(batched ? new long[] { 2, 5, 11 } : new long[] { 5, 11 }, dtype: ScalarType.Float64);
            var a = batched ? aStorage[.., .., ..8] : aStorage[.., ..8];
            var bStorage = randn(8, 9, dtype: ScalarType.Float64);
            var b = bStorage[.., ..3];
            var shape = AssertReproducesMatmul(aStorage, a, bStorage, b);
            Assert.Equal(new WideningProduct.Operand(0, 3, 8, 9), shape.A);
            Assert.Equal(new WideningProduct.Operand(0, 8, 5, 11), shape.B);
        }

        [Fact]
        public void LayoutsItCannotReadInPlaceAreLeftToTheLibraryCalls()
        {
            using var scope = NewDisposeScope();
            var a = randn(4, 12)[.., TensorIndex.Slice(0, 12, 2)];                  // (4, 6): neither dimension contiguous
            var b = randn(6, 3);
            Assert.Null(WideningProduct.Describe(a.shape, a.stride(), b.shape, b.stride()));
            var c = randn(4, 6);
            Assert.Null(WideningProduct.Describe(c.shape, c.stride(), new long[] { 5, 3 }, new long[] { 3, 1 }));     // 6 against 5
            Assert.Null(WideningProduct.Describe(c.shape, c.stride(), new long[] { 2, 6, 3 }, new long[] { 18, 3, 1 })); // b not 2-D
            Assert.Null(WideningProduct.Describe(new long[] { 2, 2, 4, 6 }, new long[] { 48, 24, 6, 1 }, b.shape, b.stride()));
        }

        [Fact]
        public void OnTheCpuItDoesNotApplyAndTheOperatorKeepsItsLibraryCalls()
        {
            using var scope = NewDisposeScope();
            var a = randn(2, 5, 6).to_type(ScalarType.BFloat16);
            var b = randn(6, 3).to_type(ScalarType.BFloat16);
            Assert.False(WideningProduct.Applies(a, b, null));
            Assert.Null(WideningProduct.TryProduct(a, b, randn(3)));
            Assert.False(WideningLinearFunction.Applies(a, b.t(), randn(3)));
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void TheOutputProjectionsNodeGivesTheValuesAndGradientsOfTheLibraryCalls(bool channelsFirst)
        {
            // On the CPU the node's forward pass falls back to a bfloat16 linear widened with the bias added (no cuBLASLt);
            // its hand-written backward pass (the narrowing, x's gradient in x's layout, W's and the bias's) runs as on CUDA,
            // checked against autograd's for the library calls it replaces, for x read channels first (transposed) and not.
            using var scope = NewDisposeScope();
            manual_seed(6);
            var source = channelsFirst ? randn(2, 6, 10) : randn(2, 10, 6);
            var probe = randn(2, 10, 5);
            var weight = randn(5, 6) / 3;
            var bias = randn(5);
            (Tensor y, Tensor gx, Tensor gw, Tensor gb) Run(bool node)
            {
                var leaf = source.to_type(ScalarType.BFloat16).requires_grad_(true);
                var x = channelsFirst ? leaf.transpose(1, 2) : leaf;                       // (2, 10, 6)
                var w = weight.clone().requires_grad_(true);
                var b = bias.clone().requires_grad_(true);
                var w16 = w.to_type(ScalarType.BFloat16);
                var y = node
                    ? WideningLinearFunction.Apply(x, w16, b)
                    : WidenedBiasAddFunction.Apply(nn.functional.linear(x, w16), b);
                (y * probe).sum().backward();
                return (y.detach(), leaf.grad!, w.grad!, b.grad!);
            }
            var n = Run(true);
            var r = Run(false);
            Assert.Equal(ScalarType.Float32, n.y.dtype);
            Assert.Equal(new long[] { 2, 10, 5 }, n.y.shape);
            TensorAssert.Close(n.y, r.y, 0, "values");
            TensorAssert.Close(n.gx.to_type(ScalarType.Float32), r.gx.to_type(ScalarType.Float32), 1e-2, "x gradient");
            TensorAssert.Close(n.gw, r.gw, 1e-2, "weight gradient");
            TensorAssert.Close(n.gb, r.gb, 1e-6, "bias gradient");
        }

        // Executes Describe's reading of (a, b) on their storages as cuBLAS would and checks it against matmul(a, b).
        private static WideningProduct.Shape AssertReproducesMatmul(Tensor aStorage, Tensor a, Tensor bStorage, Tensor b)
        {
            Assert.True(aStorage.is_contiguous() && bStorage.is_contiguous());            // a and b are views from their first elements
            var described = WideningProduct.Describe(a.shape, a.stride(), b.shape, b.stride());
            Assert.NotNull(described);
            var s = described!.Value;
            double[] aData = aStorage.data<double>().ToArray(), bData = bStorage.data<double>().ToArray();
            var product = new double[s.Batch * s.N * s.M];
            for (long t = 0; t < s.Batch; t++)
                for (long j = 0; j < s.N; j++)
                    for (long i = 0; i < s.M; i++)
                    {
                        double sum = 0;
                        for (long p = 0; p < s.K; p++)
                        {
                            // op(A)[i, p] and op(B)[p, j] of column-major A and B (batch t of B)
                            double opA = s.A.Operation == 0 ? bData[i + p * s.A.Leading] : bData[p + i * s.A.Leading];
                            long bBase = t * s.BatchStride;
                            double opB = s.B.Operation == 0 ? aData[bBase + p + j * s.B.Leading] : aData[bBase + j + p * s.B.Leading];
                            sum += opA * opB;
                        }
                        product[(t * s.N + j) * s.M + i] = sum;                    // D (m x n) column-major: the (n, m) output
                    }
            var expected = matmul(a, b).contiguous().data<double>().ToArray();
            Assert.Equal(expected.Length, product.Length);
            double worst = expected.Zip(product, (x, y) => Math.Abs(x - y)).Max();
            Assert.True(worst < 1e-12, $"the described product differs from matmul by {worst}");
            return s;
        }
    }
}
