namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The filter spectrum's CUDA kernels run on the CPU: Emulation/FilterSpectrum.cpp compiles
    /// <see cref="FilterSpectrumFunction.Source"/> as C++ with g++ (one thread per block) and checks the padding kernel
    /// (zero-padded, skip-termed, scaled, written channels first) and the gradient kernel (from cuFFT's unscaled inverse
    /// transform of a gradient spectrum, each bin counted once, written positions first, and the skip term's gradient)
    /// against direct sums in double precision, with and without the window they apply to the filter, for sizes that fill
    /// whole tiles and sizes that do not; their bfloat16 instances against the float32 ones, and their channels-first
    /// instances (a filter and gradient laid out (C, L)) against the positions-first ones, bit for bit. The GPU check is
    /// Hyena.Benchmarks check-libtorch.
    /// </summary>
    public class FilterSpectrumEmulationTests
    {
        [Fact]
        public void TheKernelSourcePadsTheFilterAndComputesItsGradient()
        {
            var (exit, output) = KernelEmulation.Run("FilterSpectrum.cpp", Kernels.CudaKernels.CommonSource + FilterSpectrumFunction.Source);
            Assert.True(exit == 0, "the emulated kernels differ from the direct sums by more than 1e-5:\n" + output);
            Assert.Contains("L=33 C=70 bias=1", output);
            Assert.Contains("L=512 C=40 bias=0 window=1", output);
            Assert.Contains("L=2500 C=3 bias=1 window=1", output);
            Assert.Contains("bfloat16 and channels first identical", output);
        }
    }
}
