using System;
using System.Diagnostics;
using System.IO;
using Microsoft.ML.Hyena.Kernels;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The on-chip long convolution's CUDA source run on the CPU: Emulation/OnChipFftConvolution.cpp compiles
    /// <see cref="OnChipFftConvolution.Source"/> and <see cref="FourStepFftConvolution.Source"/> as C++ with g++ (one
    /// thread per block, which computes what the GPU computes because each phase between two barriers touches disjoint
    /// elements) and checks the convolution, the correlation of the backward pass, the kept spectrum and the side
    /// product against direct sums in double precision, with strided streams: one block per row for lengths 16 to
    /// 2,048, the four-step kernels for 512 to 16,384 with several splits into columns and rows. The GPU check is
    /// Hyena.Benchmarks check-libtorch.
    /// </summary>
    public class OnChipFftConvolutionEmulationTests
    {
        [Fact]
        public void TheKernelSourceComputesTheConvolutionAndItsSpectrum()
        {
            string folder = Path.Combine(Path.GetTempPath(), "hyena-onchip-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                File.Copy(Path.Combine(AppContext.BaseDirectory, "Emulation", "OnChipFftConvolution.cpp"), Path.Combine(folder, "emulation.cpp"));
                File.WriteAllText(Path.Combine(folder, "kernel.inc"), CudaKernels.CommonSource + OnChipFftConvolution.Source + FourStepFftConvolution.Source);
                string binary = Path.Combine(folder, "emulation");
                var (built, buildOutput) = Run("g++", $"-O2 -std=c++17 -o \"{binary}\" \"{Path.Combine(folder, "emulation.cpp")}\"", folder);
                Assert.True(built == 0, "g++ (Debian: build-essential) could not compile the kernel source as C++:\n" + buildOutput);
                var (exit, output) = Run(binary, "", folder);
                Assert.True(exit == 0, "the emulated kernel differs from the direct sums by more than 1e-5:\n" + output);
                Assert.Contains("L=2048 conj=1 logM1=0", output);
                Assert.Contains("L=16384 conj=1 logM1=4 logC=8", output);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        private static (int Exit, string Output) Run(string file, string arguments, string folder)
        {
            var start = new ProcessStartInfo(file, arguments)
            {
                WorkingDirectory = folder,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start " + file);
            var error = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output + error.Result);
        }
    }
}
