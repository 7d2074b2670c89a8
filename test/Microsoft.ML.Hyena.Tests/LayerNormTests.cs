using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// Layer normalisation's backward kernels run on the CPU: Emulation/LayerNorm.cpp compiles
    /// <see cref="LayerNormFunction.Source"/> with g++ and checks the input's, the weight's and the bias's gradients (and
    /// the row statistics the first kernel hands the second) against the backward pass in double precision. And the node
    /// where its kernels do not apply (the CPU): the module's own layer norm. The GPU check is Hyena.Benchmarks
    /// check-libtorch ("layer norm node": the node against libtorch's layer_norm, values and gradients).
    /// </summary>
    public class LayerNormTests
    {
        [Fact]
        public void TheKernelSourceGivesTheLayerNormsGradients()
        {
            var (exit, output) = KernelEmulation.Run("LayerNorm.cpp", LayerNormFunction.Source);
            Assert.True(exit == 0, "the emulated kernels differ from the layer norm's backward pass:\n" + output);
            Assert.Contains("rows=37 D=768 wrong=0 affine wrong=0 one pass wrong=0", output);
            Assert.Contains("rows=5 D=40 wrong=0 affine wrong=0 one pass wrong=0", output);
            Assert.Contains("rows=64 D=33 wrong=0 affine wrong=0 one pass n/a", output);
            Assert.Contains("rows=1 D=1 wrong=0 affine wrong=0 one pass n/a", output);
            Assert.Contains("rows=6 D=32 wrong=0 affine wrong=0 one pass wrong=0", output);
            Assert.Contains("rows=9 D=28 wrong=0 affine wrong=0 one pass wrong=0", output);
            Assert.Contains("wrong 0", output);
        }

        [Fact]
        public void WhereItsKernelsDoNotApplyItIsTheModulesOwnLayerNorm()
        {
            using var scope = NewDisposeScope();
            manual_seed(9);
            using var norm = nn.LayerNorm(6);
            var source = randn(2, 3, 6) * 2 + 1;
            Assert.False(LayerNormFunction.KernelsApply(source, norm.weight!, norm.bias!));   // the CPU
            var probe = randn(2, 3, 6);
            var a = source.clone().requires_grad_(true);
            var ya = LayerNormFunction.Normalize(norm, a);
            (ya * probe).sum().backward();
            var gw = norm.weight!.grad!.clone();
            norm.zero_grad();
            var b = source.clone().requires_grad_(true);
            var yb = norm.call(b);
            (yb * probe).sum().backward();
            Assert.True(ya.eq(yb).all().item<bool>());
            Assert.True(a.grad!.eq(b.grad!).all().item<bool>());
            Assert.True(gw.eq(norm.weight!.grad!).all().item<bool>());
        }

        [Fact]
        public void TheOnePassKernelHoldsTheRowInTheFewestVectorsThatTakeIt()
        {
            // A lane holds ceil(width / 4 / 32) vectors, rounded up to an entry point's 2, 4, 6 or 8.
            Assert.Equal(2, LayerNormFunction.RowVectors(4));
            Assert.Equal(2, LayerNormFunction.RowVectors(256));
            Assert.Equal(4, LayerNormFunction.RowVectors(260));
            Assert.Equal(6, LayerNormFunction.RowVectors(640));
            Assert.Equal(6, LayerNormFunction.RowVectors(768));
            Assert.Equal(8, LayerNormFunction.RowVectors(772));
            Assert.Equal(8, LayerNormFunction.RowVectors(LayerNormFunction.OnePassMaxWidth));
            Assert.Null(LayerNormFunction.RowVectors(LayerNormFunction.OnePassMaxWidth + 4));   // two passes: too wide
            Assert.Null(LayerNormFunction.RowVectors(33));                                      // two passes: not a multiple of 4
            Assert.Null(LayerNormFunction.RowVectors(1));
            foreach (int width in new[] { 4, 260, 768, 1024 })
                Assert.Contains("hyena_layer_norm_grad_rows_" + LayerNormFunction.RowVectors(width), LayerNormFunction.FunctionNames);
        }
    }
}
