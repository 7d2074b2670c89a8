using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML.Hyena.Kernels;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The filter MLP's CUDA kernels run on the CPU: Emulation/FilterMlp.cpp compiles <see cref="FilterMlpFunction.Source"/>
    /// as C++ with g++ and checks the hidden layers' output, the values they keep and the gradients of those values, of z
    /// and of the frequency against the same MLP in double precision. The GPU check is Hyena.Benchmarks check-libtorch
    /// ("filter MLP kernels"), against the library calls and autograd.
    /// </summary>
    public class FilterMlpEmulationTests
    {
        [Fact]
        public void TheKernelSourceComputesTheHiddenLayersAndTheirGradients()
        {
            var (exit, output) = KernelEmulation.Run("FilterMlp.cpp", CudaKernels.CommonSource + FilterMlpFunction.Source);
            Assert.True(exit == 0, "the emulated kernels differ from the MLP in double precision:\n" + output);
            Assert.Contains("F=64 E=3 layers=3 L=300 blocks=4 dz=1", output);
            Assert.Contains("F=64 E=5 layers=4 L=65 blocks=64 dz=0", output);
            Assert.Contains("F=16 E=5 layers=3 L=600 blocks=2 dz=1", output);
            Assert.Equal(7, Regex.Matches(output, " ok$", RegexOptions.Multiline).Count);
        }

        [Fact]
        public void TheHostsSharedMemorySizesAreWhatTheKernelsUse()
        {
            // The launches ask for ForwardSharedBytes and BackwardSharedBytes; the emulation reports how far into the shared
            // memory each kernel writes. Never beyond (a smaller size would let a block overwrite its neighbour's on the GPU),
            // and with two layers or more exactly that far: the forward kernel's last row of the transposed weight leaves its
            // 4 padding floats unwritten, the backward kernel's sums end the block (a larger size would cost occupancy).
            var (exit, output) = KernelEmulation.Run("FilterMlp.cpp", CudaKernels.CommonSource + FilterMlpFunction.Source);
            Assert.True(exit == 0, output);
            var cases = Regex.Matches(output, @"^shared F=(\d+) E=(\d+) layers=(\d+): forward (\d+) backward (\d+)$", RegexOptions.Multiline);
            Assert.Equal(7, cases.Count);
            foreach (Match c in cases)
            {
                int width = int.Parse(c.Groups[1].Value), layers = int.Parse(c.Groups[3].Value);
                long forward = long.Parse(c.Groups[4].Value), backward = long.Parse(c.Groups[5].Value);
                Assert.True(forward <= FilterMlpFunction.ForwardSharedBytes(width), c.Value);
                Assert.True(backward == FilterMlpFunction.BackwardSharedBytes(width, layers), c.Value);
                if (layers >= 2)
                    Assert.True(forward == FilterMlpFunction.ForwardSharedBytes(width) - 16, c.Value);
            }
        }

        [Fact]
        public void TheHostsConstantsAreTheSources()
        {
            // The widths the host picks kernels for are the ones stamped, and the block and layer limits are the source's.
            var widths = Regex.Matches(FilterMlpFunction.Source, @"^HYENA_FILTER_MLP\((\d+)\)", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value));
            Assert.Equal(FilterMlpFunction.Widths, widths.ToArray());
            Assert.Contains($"#define HYENA_MLP_THREADS {FilterMlpFunction.Threads}\n", FilterMlpFunction.Source);
            Assert.Contains($"#define HYENA_MLP_MAX_LAYERS {FilterMlpFunction.MaxLayers}\n", FilterMlpFunction.Source);
            foreach (int width in FilterMlpFunction.Widths)
            {
                Assert.Contains(FilterMlpFunction.ForwardKernel(width), CudaKernels.FunctionNames);
                Assert.Contains(FilterMlpFunction.BackwardKernel(width), CudaKernels.FunctionNames);
            }
        }

        [Fact]
        public void OnTheCpuTheFilterRunsTheLibraryCalls()
        {
            // The kernels take CUDA float32 only: on the CPU the filter's hidden layers are its Linear and Sin modules.
            using var scope = NewDisposeScope();
            using var filter = new HyenaFilter("filter", new HyenaOperatorConfig { ModelDimension = 4, MaxLength = 16, FilterOrder = 16 });
            var layers = filter.ImplicitFilter.children().ToList();
            var weights = new[] { 0, 2, 4 }.Select(i => ((TorchSharp.Modules.Linear)layers[i]).weight!).ToList();
            var biases = new[] { 0, 2, 4 }.Select(i => ((TorchSharp.Modules.Linear)layers[i]).bias!).ToList();
            var sin = (Sin)layers[1];
            var (z, _) = filter.PositionalEmbedding.call(16);
            Assert.False(FilterMlpFunction.KernelApplies(z, sin.Frequency, weights, biases));
            var want = z;
            for (int l = 0; l < 3; l++)
                want = torch.sin(sin.Frequency * nn.functional.linear(want, weights[l], biases[l]));
            var (h, _) = filter.Unwindowed(16);
            var last = (TorchSharp.Modules.Linear)layers[^1];
            TensorAssert.Close(h, nn.functional.linear(want, last.weight!), 1e-6, "the filter before its window");
        }
    }
}
