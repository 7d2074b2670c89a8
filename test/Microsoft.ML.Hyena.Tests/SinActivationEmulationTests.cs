using Microsoft.ML.Hyena.Kernels;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The sine activation's CUDA kernels run on the CPU: Emulation/SinActivation.cpp compiles
    /// <see cref="SinActivationFunction.Source"/> as C++ with g++ and checks the forward pass and x's gradient bit for bit
    /// against the same float32 operations, and the frequency's gradient (the blocks' partial sums) against a direct sum in
    /// double precision. The GPU check is Hyena.Benchmarks check-libtorch ("sin activation kernels").
    /// </summary>
    public class SinActivationEmulationTests
    {
        [Fact]
        public void TheKernelSourceComputesTheActivationAndItsGradients()
        {
            var (exit, output) = KernelEmulation.Run("SinActivation.cpp", CudaKernels.CommonSource + SinActivationFunction.Source);
            Assert.True(exit == 0, "the emulated kernels differ from sin(freq x) and its gradients:\n" + output);
            Assert.Contains("rows=333 F=70 blocks=42 bias=0 wrong=0", output);
            Assert.Contains("rows=4096 F=64 blocks=256 bias=0 wrong=0", output);
            Assert.Contains("rows=333 F=70 blocks=42 bias=1 wrong=0", output);
            Assert.Contains("rows=4096 F=64 blocks=256 bias=1 wrong=0", output);
        }

        [Fact]
        public void OnTheCpuTheModuleRunsTheLibraryCalls()
        {
            // The kernels take CUDA float32 only; on the CPU the module's values and gradients are the library calls'.
            manual_seed(3);
            using var scope = NewDisposeScope();
            using var activation = new Sin("act", 6, 10.0);
            var x = randn(2, 5, 6).requires_grad_(true);
            Assert.False(SinActivationFunction.KernelApplies(x, activation.Frequency));
            var y = activation.call(x);
            var want = sin(activation.Frequency * x);
            Assert.True(y.eq(want).all().item<bool>());
            y.sum().backward();
            TensorAssert.Close(x.grad!, activation.Frequency * cos(activation.Frequency * x), 1e-6, "x's gradient");
        }

        [Fact]
        public void WithABiasOnTheCpuItIsTheBiasedLibraryCalls()
        {
            // With the Linear layer's bias handed to it: sin(freq (x + bias)), and the bias's gradient that of the add.
            manual_seed(4);
            using var scope = NewDisposeScope();
            using var activation = new Sin("act", 6, 10.0);
            var x = randn(2, 5, 6).requires_grad_(true);
            var bias = randn(6).requires_grad_(true);
            Assert.False(SinActivationFunction.KernelApplies(x, activation.Frequency, bias));
            var y = SinActivationFunction.Apply(x, activation.Frequency, bias);
            Assert.True(y.eq(sin(activation.Frequency * (x + bias))).all().item<bool>());
            y.sum().backward();
            var d = activation.Frequency * cos(activation.Frequency * (x + bias));
            TensorAssert.Close(x.grad!, d, 1e-6, "x's gradient");
            TensorAssert.Close(bias.grad!, d.sum(new long[] { 0, 1 }).view(6), 1e-5, "the bias's gradient");
        }
    }
}
