using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The gated long convolution as one autograd node (<see cref="LongConvolutionImplementation.CudaKernel"/>;
    /// on the CPU its composed formulas) against the operator's composed path: values and every gradient.
    /// </summary>
    public class LongConvolutionTests
    {
        private static HyenaOperator Operator(int order = 2, double dropout = 0, int width = 6) => new(new HyenaOperatorConfig
        {
            ModelDimension = width,
            MaxLength = 64,
            Order = order,
            FilterOrder = 8,
            Dropout = dropout,
        });

        [Theory]
        [InlineData(1, 32)]   // 2L a power of two: where float16 transforms would apply on CUDA
        [InlineData(3, 21)]   // batch > 1: the streams are strided slices of the short filter's output
        public void KernelPathEqualsTheComposedPath(int batch, int length)
        {
            manual_seed(70 + length);
            using var scope = NewDisposeScope();
            var op = Operator();
            var x = randn(batch, length, 6);
            var probe = randn(batch, length, 6);
            op.UseReferencePath();
            op.FoldSkipTerm = true;
            var composed = OperatorGradients.Run(op, x, probe);

            op.LongConvolution = LongConvolutionImplementation.CudaKernel;
            OperatorGradients.AssertSame(OperatorGradients.Run(op, x, probe), composed, 1e-5, "one autograd node (composed formulas on the CPU)");
            // The on-chip convolution needs CUDA: on the CPU it runs the same node's composed formulas.
            op.LongConvolution = LongConvolutionImplementation.CudaOnChip;
            OperatorGradients.AssertSame(OperatorGradients.Run(op, x, probe), composed, 1e-5, "on-chip convolution asked for on the CPU");
            op.LongConvolution = LongConvolutionImplementation.CudaKernel;
            // Float16 transforms need CUDA: on the CPU the option changes nothing.
            op.HalfPrecisionTransforms = true;
            OperatorGradients.AssertSame(OperatorGradients.Run(op, x, probe), composed, 1e-5, "half-precision transforms asked for on the CPU");
            using (no_grad())
            {
                op.eval();
                TensorAssert.Close(op.call(x), composed.Output, 1e-5, "output without autograd");
                op.CacheFilterSpectrum = true;
                TensorAssert.Close(op.call(x), composed.Output, 1e-5, "output from the cached spectrum");
            }
        }

        [Fact]
        public void KernelPathInBfloat16IsCloseToFloat32()
        {
            manual_seed(72);
            using var scope = NewDisposeScope();
            var op = Operator(width: 16);
            var x = randn(2, 40, 16);
            var probe = randn(2, 40, 16);
            op.UseReferencePath();
            var reference = OperatorGradients.Run(op, x, probe);
            op.ComputeDtype = ScalarType.BFloat16;
            op.FoldSkipTerm = true;
            op.LongConvolution = LongConvolutionImplementation.CudaKernel;
            var mixed = OperatorGradients.Run(op, x, probe);
            Assert.Equal(ScalarType.Float32, mixed.Output.dtype);
            Assert.All(mixed.Grads.Values, g => Assert.Equal(ScalarType.Float32, g.dtype));
            OperatorGradients.AssertSame(mixed, reference, 3e-2, "bfloat16 streams");
            Assert.True(TensorAssert.RelativeError(mixed.Output, reference.Output) > 1e-6, "the bfloat16 path did not run in bfloat16");
        }

        [Fact]
        public void WhereTheNodeDoesNotApplyTheComposedPathRuns()
        {
            using var scope = NewDisposeScope();
            // Order 3 (two long convolutions), and dropout between the gate and the convolution in training.
            foreach (var (order, dropout) in new[] { (3, 0.0), (2, 0.5) })
            {
                manual_seed(73);
                var op = Operator(order, dropout);
                var x = randn(2, 19, 6);
                var probe = randn(2, 19, 6);
                op.UseReferencePath();
                op.FoldSkipTerm = true;
                manual_seed(5);
                var composed = OperatorGradients.Run(op, x, probe);
                op.LongConvolution = LongConvolutionImplementation.CudaKernel;
                manual_seed(5);
                OperatorGradients.AssertSame(OperatorGradients.Run(op, x, probe), composed, 0, $"order {order}, dropout {dropout}");
            }
        }

        [Fact]
        public void SpectrumGradientIsTheCompositionsForEveryBin()
        {
            // Directly on the node: a spectrum that requires its gradient, checked through the real filter it
            // comes from (the one-sided weights 1, 2, ..., 2, 1 matter at every bin).
            manual_seed(74);
            using var scope = NewDisposeScope();
            long batch = 2, channels = 3, length = 16;
            var k = (randn(channels, length) * 0.3).requires_grad_(true);
            var bias = randn(channels).requires_grad_(true);
            var streams = randn(batch, 3 * channels, length).requires_grad_(true);
            var probe = randn(batch, channels, length);

            (Tensor y, Tensor gk, Tensor gb, Tensor gs) Grads(bool node)
            {
                k.grad = null; bias.grad = null; streams.grad = null;
                var spectrum = FftConvolution.FilterSpectrum(k, bias);
                var parts = streams.split(channels, 1);
                var y = node
                    ? LongConvolutionFunction.Apply(parts[2], parts[1], parts[0], spectrum, false)
                    : parts[0] * FftConvolution.CausalFromSpectrum(parts[2] * parts[1], spectrum);
                (y * probe).sum().backward();
                return (y.detach(), k.grad!.clone(), bias.grad!.clone(), streams.grad!.clone());
            }

            var composed = Grads(false);
            var node = Grads(true);
            TensorAssert.Close(node.y, composed.y, 1e-5, "output");
            TensorAssert.Close(node.gk, composed.gk, 1e-5, "grad filter");
            TensorAssert.Close(node.gb, composed.gb, 1e-5, "grad skip term");
            TensorAssert.Close(node.gs, composed.gs, 1e-5, "grad streams");
        }

        [Fact]
        public void BadArgumentsAreNamed()
        {
            using var scope = NewDisposeScope();
            var v = randn(1, 3, 8);
            var spectrum = FftConvolution.FilterSpectrum(randn(3, 8), randn(3));
            var shape = Assert.Throws<ArgumentException>(() => LongConvolutionFunction.Apply(v, v, randn(1, 3, 7), spectrum, false));
            Assert.Contains("one shape (B, D, L)", shape.Message);
            var type = Assert.Throws<ArgumentException>(() => LongConvolutionFunction.Apply(v.to_type(ScalarType.Float64), v.to_type(ScalarType.Float64), v.to_type(ScalarType.Float64), spectrum, false));
            Assert.Contains("float32 or bfloat16", type.Message);
            var wrongSpectrum = Assert.Throws<ArgumentException>(() => LongConvolutionFunction.Apply(v, v, v, spectrum.narrow(1, 0, 8), false));
            Assert.Equal("spectrum", wrongSpectrum.ParamName);
            Assert.Contains("(3, 9)", wrongSpectrum.Message);
            // A spectrum in the four-step kernels' order is refused where they do not run (here: the CPU), not misread.
            var order = Assert.Throws<InvalidOperationException>(() => LongConvolutionFunction.Apply(v, v, v, spectrum, false, onChip: true, spectrumInKernelOrder: true));
            Assert.Contains("four-step kernels' order", order.Message);
        }

        [Fact]
        public void OneSidedWeightsCountInteriorBinsTwice()
        {
            using var scope = NewDisposeScope();
            Assert.Equal(new[] { 1f, 2f, 2f, 2f, 1f }, LongConvolutionFunction.OneSidedWeights(4, CPU).data<float>().ToArray());
        }

        [Fact]
        public void HalfPrecisionTransformsApplyOnlyOnCudaToPowersOfTwo()
        {
            using var scope = NewDisposeScope();
            Assert.True(LongConvolutionFunction.HalfTransformsApply(DeviceType.CUDA, 1024));
            Assert.True(LongConvolutionFunction.HalfTransformsApply(DeviceType.CUDA, 1));
            Assert.False(LongConvolutionFunction.HalfTransformsApply(DeviceType.CUDA, 784));   // cuFFT: float16 needs 2^n points
            Assert.False(LongConvolutionFunction.HalfTransformsApply(DeviceType.CPU, 1024));   // the CPU has no float16 FFT
            Assert.False(CudaKernels.Handle(zeros(1)));
        }
    }
}
