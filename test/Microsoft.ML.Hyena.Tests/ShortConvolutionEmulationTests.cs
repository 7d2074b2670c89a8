using Microsoft.ML.Hyena.Kernels;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The short convolution's CUDA kernels run on the CPU: Emulation/ShortConvolution.cpp compiles
    /// <see cref="ShortConvolutionFunction.Source"/> as C++ with g++ (one thread per block) and checks the forward pass,
    /// the input gradient and the block sums of the weight, bias and input-bias gradients against direct sums in double
    /// precision, in float32 and bfloat16, for kernel sizes 1 to 8, with and without the input bias, for lengths that fill
    /// whole 16-byte vectors and lengths that do not. The GPU check is Hyena.Benchmarks operator's verification.
    /// </summary>
    public class ShortConvolutionEmulationTests
    {
        [Fact]
        public void TheKernelSourceComputesTheConvolutionAndItsGradients()
        {
            var (exit, output) = KernelEmulation.Run("ShortConvolution.cpp", CudaKernels.CommonSource + ShortConvolutionFunction.Source);
            Assert.True(exit == 0, "the emulated kernels differ from the direct sums by more than their bounds:\n" + output);
            Assert.Contains("f32 L=2051 K=8 inputBias=1", output);
            Assert.Contains("bf16 L=4096 K=3 inputBias=1", output);
        }
    }
}
