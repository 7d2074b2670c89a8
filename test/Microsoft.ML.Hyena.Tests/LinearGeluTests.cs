using System;
using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The MLP's first layer and GELU as one node (<see cref="LinearGeluFunction"/>). Its CUDA kernel runs on the CPU
    /// (Emulation/LinearGelu.cpp, compiled with g++) against the exact GELU's derivative in double precision; the
    /// node itself, on the CPU where it composes library calls with the kernels' formulas, against autograd through the
    /// library calls it replaces (a bfloat16 linear and libtorch's gelu). The GPU check is Hyena.Benchmarks check-libtorch
    /// ("linear GELU node").
    /// </summary>
    public class LinearGeluTests
    {
        [Fact]
        public void TheKernelSourceComputesGelusGradientAndTheBiasSums()
        {
            var (exit, output) = KernelEmulation.Run("LinearGelu.cpp",
                CudaKernels.CommonSource + ShortConvolutionFunction.Source + LinearGeluFunction.Source);
            Assert.True(exit == 0, "the emulated kernel differs from GELU's derivative in double precision:\n" + output);
            foreach (string line in new[]
            {
                "rows=40 H=768 offset=0", "rows=90 H=512 offset=0", "rows=33 H=3072 offset=0", "rows=9 H=12 offset=0",
                "rows=11 H=3 offset=0", "rows=200 H=24 offset=0", "rows=20 H=64 offset=1",
            })
                Assert.Contains(line + " backward wrong=0 bias sum wrong=0", output);
        }

        [Theory]
        [InlineData(ScalarType.Float32)]
        [InlineData(ScalarType.BFloat16)]
        public void TheNodeGivesTheLibraryCallsValuesAndGradients(ScalarType inputType)
        {
            using var scope = NewDisposeScope();
            manual_seed(4);
            var source = (randn(13, 24) * 2).to_type(inputType);
            var weight = randn(40, 24) / 5;
            var bias = randn(40);
            var probe = randn(13, 40).to_type(ScalarType.BFloat16);
            (Tensor Y, Tensor Gx, Tensor Gw, Tensor Gb) Run(bool node)
            {
                var x = source.clone().requires_grad_(true);
                var w = weight.clone().requires_grad_(true);
                var b = bias.clone().requires_grad_(true);
                var y = node
                    ? LinearGeluFunction.Apply(x, w, b)
                    : nn.functional.gelu(nn.functional.linear(x.to_type(ScalarType.BFloat16), w.to_type(ScalarType.BFloat16), b.to_type(ScalarType.BFloat16)));
                (y.to_type(ScalarType.Float32) * probe.to_type(ScalarType.Float32)).sum().backward();
                return (y.detach(), x.grad!, w.grad!, b.grad!);
            }
            var n = Run(true);
            var r = Run(false);
            Assert.Equal(ScalarType.BFloat16, n.Y.dtype);
            Assert.Equal(inputType, n.Gx.dtype);
            Assert.Equal(ScalarType.Float32, n.Gw.dtype);
            Assert.Equal(ScalarType.Float32, n.Gb.dtype);
            TensorAssert.Close(n.Y.to_type(ScalarType.Float32), r.Y.to_type(ScalarType.Float32), 0, "values (the same library calls)");
            // The gradients: the node sums the pre-activation's gradient in float32 where the library calls round the
            // products and the bias's sum to bfloat16 (about 4e-3 apart), and the GELU's derivative may differ from
            // libtorch's by one bfloat16 step where the float32 formula's operations are ordered differently.
            TensorAssert.Close(n.Gx.to_type(ScalarType.Float32), r.Gx.to_type(ScalarType.Float32), 2e-2, "input gradient");
            TensorAssert.Close(n.Gw, r.Gw, 2e-2, "weight gradient");
            TensorAssert.Close(n.Gb, r.Gb, 2e-2, "bias gradient");
        }

        [Fact]
        public void TheDerivativeIsGelusAndTheBiasGradientItsSum()
        {
            // The composed backward pass against the derivative in double precision, away from any product's rounding.
            using var scope = NewDisposeScope();
            manual_seed(6);
            var pre = (randn(50, 16) * 3).to_type(ScalarType.BFloat16);
            var dy = randn(50, 16).to_type(ScalarType.BFloat16);
            var (dpre, biasGrad) = LinearGeluFunction.Derive(dy, pre);
            var p = pre.to_type(ScalarType.Float64);
            var exact = dy.to_type(ScalarType.Float64) * ((p / Math.Sqrt(2)).erf().add(1).mul(0.5) + p * (p * p).mul(-0.5).exp() / Math.Sqrt(2 * Math.PI));
            Assert.Equal(ScalarType.BFloat16, dpre.dtype);
            TensorAssert.Close(dpre.to_type(ScalarType.Float64), exact, 8e-3, "the pre-activation's gradient");
            TensorAssert.Close(biasGrad, dpre.to_type(ScalarType.Float32).sum(0L), 1e-6, "the bias gradient: the rounded gradients' sum");
        }

        [Fact]
        public void ShapesThatDoNotMatchAreRefusedNamingThem()
        {
            using var scope = NewDisposeScope();
            var e = Assert.Throws<ArgumentException>(() => LinearGeluFunction.Apply(randn(3, 5), randn(4, 6), randn(4)));
            Assert.Contains("(3, 5)", e.Message);
            Assert.Contains("(4, 6)", e.Message);
            Assert.False(LinearGeluFunction.Applies(randn(3, 5), randn(4)));   // the CPU: FeedForward keeps its library calls
        }
    }
}
