namespace Microsoft.ML.Hyena
{
    /// <summary>How <see cref="HyenaOperator"/> computes its gated long convolution, x0 * (k * (v * x1)).</summary>
    public enum LongConvolutionImplementation
    {
        /// <summary>
        /// <see cref="CudaKernel"/> where it applies and its kernels compile (on CUDA; NVRTC found; set
        /// HYENA_CUDA_KERNELS=0 to turn this off), else <see cref="Composed"/>; for powers of two from 16,384 up to what
        /// one block holds (16,384 on an H200) and from 32,768 up to 4,194,304, <see cref="CudaOnChip"/>, which was faster
        /// there (see docs/benchmarks.md). Rows longer than the node's kernels take (2L above 16,776,960 positions, so
        /// from 8,388,608 on) run <see cref="Composed"/>, where <see cref="CudaKernel"/> asked for explicitly says so.
        /// </summary>
        Auto,

        /// <summary>Library calls: the gate product, a cast, rfft of the zero-padded input, the product with the
        /// filter's spectrum, irfft, the cut to L, a cast and the second gate product, each a pass over memory.</summary>
        Composed,

        /// <summary>
        /// One autograd node with a hand-written backward pass: the gates, the padding, the cut and the casts
        /// are fused into one kernel before and one after cuFFT, forward and backward (NVRTC, see
        /// Kernels/LongConvolutionFunction.cs); elsewhere the same formulas composed of library calls.
        /// Applies to operators of order 2 whose filter spectrum has the skip term folded in
        /// (<see cref="HyenaOperator.FoldSkipTerm"/>), in float32 or bfloat16, without dropout in training;
        /// other cases run <see cref="Composed"/>.
        /// </summary>
        CudaKernel,

        /// <summary>
        /// <see cref="CudaKernel"/>'s node with, on CUDA, the whole convolution of each (batch, channel) row in one
        /// kernel that keeps the row's transforms in shared memory (Kernels/OnChipFftConvolution.cs): the gates,
        /// both transforms and the product with the filter's spectrum in one pass over memory, forward and
        /// backward. Applies when the length is a power of two from 16 up to what a block's shared memory holds
        /// (8 bytes per position: 16,384 on an A100, H100 or H200), and beyond that up to 4,194,304 as three kernels
        /// that take the row's transform in four steps through one buffer (Kernels/FourStepFftConvolution.cs); the
        /// transforms run in float32 (that buffer, and the spectrum kept for the backward pass, in bfloat16 for bfloat16
        /// streams: half their memory traffic, about one more bfloat16 rounding); other lengths run <see cref="CudaKernel"/>.
        /// </summary>
        CudaOnChip,
    }
}
