using System;
using System.Diagnostics;
using System.IO;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// Compiles a kernel's CUDA source as C++ with g++ next to one of the Emulation/*.cpp drivers (which include
    /// CudaShim.h and the source as kernel.inc) and runs it, in a temporary folder of its own.
    /// </summary>
    internal static class KernelEmulation
    {
        /// <summary>Builds <paramref name="driver"/> (a file of Emulation/) against <paramref name="kernelSource"/>, runs it, and returns its exit code and output; asserts that it compiled.</summary>
        public static (int Exit, string Output) Run(string driver, string kernelSource)
        {
            string folder = Path.Combine(Path.GetTempPath(), "hyena-emulation-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            try
            {
                string emulation = Path.Combine(AppContext.BaseDirectory, "Emulation");
                File.Copy(Path.Combine(emulation, driver), Path.Combine(folder, "driver.cpp"));
                File.Copy(Path.Combine(emulation, "CudaShim.h"), Path.Combine(folder, "CudaShim.h"));
                File.WriteAllText(Path.Combine(folder, "kernel.inc"), kernelSource);
                string binary = Path.Combine(folder, "emulation");
                var (built, buildOutput) = Execute("g++", $"-O2 -std=c++17 -fno-strict-aliasing -Wno-unknown-pragmas -o \"{binary}\" \"{Path.Combine(folder, "driver.cpp")}\"", folder);
                Assert.True(built == 0, "g++ (Debian: build-essential) could not compile the kernel source as C++:\n" + buildOutput);
                return Execute(binary, "", folder);
            }
            finally
            {
                Directory.Delete(folder, recursive: true);
            }
        }

        private static (int Exit, string Output) Execute(string file, string arguments, string folder)
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
