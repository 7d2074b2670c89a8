using Microsoft.ML.Hyena.Kernels;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The on-chip long convolution's CUDA source run on the CPU: Emulation/OnChipFftConvolution.cpp compiles
    /// <see cref="OnChipFftConvolution.Source"/> and <see cref="FourStepFftConvolution.Source"/> as C++ with g++ (one
    /// thread per block, which computes what the GPU computes because each phase between two barriers touches disjoint
    /// elements) and checks the convolution, the correlation of the backward pass, the kept spectrum and the side
    /// product against direct sums in double precision, with strided streams: one block per row for lengths 16 to
    /// 2,048, the four-step kernels for 512 to 16,384 with several splits into columns and rows (rows of 4,096 among them,
    /// which take the rows kernels' own build for that shape) (with the filter's
    /// spectrum put in their order by hyena_fourstep_spectrum_slots, checked bin by bin); the filter's own steps, and their
    /// fused forms that read the filter and write its gradient (with <see cref="FilterSpectrumFunction.Source"/>'s
    /// channels-first kernels, bit for bit). The GPU check is
    /// Hyena.Benchmarks check-libtorch.
    /// </summary>
    public class OnChipFftConvolutionEmulationTests
    {
        [Fact]
        public void TheKernelSourceComputesTheConvolutionAndItsSpectrum()
        {
            var (exit, output) = KernelEmulation.Run("OnChipFftConvolution.cpp",
                CudaKernels.CommonSource + FilterSpectrumFunction.Source + OnChipFftConvolution.Source + FourStepFftConvolution.Source);
            Assert.True(exit == 0, "the emulated kernel differs from the direct sums by more than 1e-5:\n" + output);
            Assert.Contains("L=2048 conj=1 logM1=0", output);
            Assert.Contains("L=2048 conj=1 logM1=0 logC=0 outputs side by side", output);
            Assert.Contains("L=2048 conj=0 logM1=0 logC=0 outputs contiguous", output);
            Assert.Contains("L=16384 conj=1 logM1=4 logC=8", output);
            Assert.Contains("L=16384 conj=1 logM1=2 logC=8", output);   // rows of 4,096: the rows kernels' own build
            Assert.Contains("with the bfloat16 buffer", output);            // the bfloat16 streams' buffer (bpx), within 6e-3
            Assert.Contains("filter L=16384 logM1=2 logC=8 fused steps identical", output);
            Assert.Contains("filter L=4096 logM1=5 logC=2 fused steps identical", output);
        }
    }
}
