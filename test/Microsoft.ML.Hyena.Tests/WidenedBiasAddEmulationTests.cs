using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The widened bias add's CUDA kernel run on the CPU: Emulation/WidenedBiasAdd.cpp compiles
    /// <see cref="WidenedBiasAddFunction.Source"/> as C++ with g++ and checks every element against float(x) + bias, bit
    /// for bit, on the vector path (widths that are multiples of 8) and the element path (others, and a last partial
    /// vector); without a bias, x widened, bit for bit, a negative zero included; and the backward kernel, the gradient
    /// narrowed to bfloat16 bit for bit and the bias's gradient against a double-precision sum. The GPU check is Hyena.Benchmarks check-libtorch ("widened bias add kernel": whether the kernel ran, and its
    /// largest difference from libtorch's add).
    /// </summary>
    public class WidenedBiasAddEmulationTests
    {
        [Fact]
        public void TheKernelSourceAddsTheBiasAsItWidens()
        {
            var (exit, output) = KernelEmulation.Run("WidenedBiasAdd.cpp",
                CudaKernels.CommonSource + ShortConvolutionFunction.Source + WidenedBiasAddFunction.Source);
            Assert.True(exit == 0, "the emulated kernel differs from float(x) + bias:\n" + output);
            Assert.Contains("rows=40 D=768 n=30720 wrong=0 widened wrong=0 backward wrong=0", output);
            Assert.Contains("rows=9 D=12 n=108 wrong=0 widened wrong=0 backward wrong=0", output);
            Assert.Contains("rows=11 D=3 n=33 wrong=0 widened wrong=0 backward wrong=0", output);
            Assert.Contains("rows=90 D=512 n=46080 wrong=0 widened wrong=0 backward wrong=0", output);
            Assert.Contains("rows=200 D=12 n=2400 wrong=0 widened wrong=0 backward wrong=0", output);
        }

        [Theory]
        [InlineData(ScalarType.BFloat16)]
        [InlineData(ScalarType.Float32)]
        public void ItGivesTheAddsValuesAndGradients(ScalarType type)
        {
            // On the CPU the node runs libtorch's add; its hand-written backward pass against autograd's for the add.
            manual_seed(2);
            using var scope = NewDisposeScope();
            var x = randn(3, 5, 8).to_type(type).requires_grad_(true);
            var bias = randn(8).requires_grad_(true);
            var probe = randn(3, 5, 8);
            var y = WidenedBiasAddFunction.Apply(x, bias);
            Assert.Equal(ScalarType.Float32, y.dtype);
            (y * probe).sum().backward();
            var (gx, gb) = (x.grad!.clone(), bias.grad!.clone());
            x.grad = null;
            bias.grad = null;
            var reference = x + bias;
            TensorAssert.Close(y, reference, 0, "values");
            (reference * probe).sum().backward();
            Assert.Equal(type, gx.dtype);
            TensorAssert.Close(gx.to_type(ScalarType.Float32), x.grad!.to_type(ScalarType.Float32), 0, "x gradient");
            TensorAssert.Close(gb, bias.grad!, 1e-6, "bias gradient");
        }
    }
}
