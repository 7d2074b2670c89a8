using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.InteropServices;
using Microsoft.ML.Hyena.Native;

namespace Microsoft.ML.Hyena.Tests
{
    public class NativeFixTests
    {
        // The unpatched library as NuGet restored it (the build output holds a patched copy).
        private static string PackagedLibTorchSharp()
        {
            string root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
                ? custom
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            string version = typeof(TorchSharp.torch).Assembly
                .GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
            return Path.Combine(root, "torchsharp", version, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        }

        [Fact]
        public void MarksOnlyTheGlibcxxRequirementWeak()
        {
            Assert.True(RuntimeInformation.IsOSPlatform(OSPlatform.Linux), "this test reads a Linux ELF library");
            string original = PackagedLibTorchSharp();
            Assert.True(File.Exists(original), $"{original} not found");
            string copy = Path.Combine(Path.GetTempPath(), $"hyena-{Guid.NewGuid():N}.so");
            try
            {
                File.Copy(original, copy);
                Assert.True(LibStdCxxCompatibility.HasStrongRequirement(copy));
                Assert.Equal(WeakRequirementResult.Patched, LibStdCxxCompatibility.MakeRequirementWeak(copy, copy));
                Assert.False(LibStdCxxCompatibility.HasStrongRequirement(copy));
                Assert.Equal(WeakRequirementResult.AlreadyWeak, LibStdCxxCompatibility.MakeRequirementWeak(copy, copy));

                // Exactly one byte (the flags of one Elf64_Vernaux entry) differs.
                var before = File.ReadAllBytes(original);
                var after = File.ReadAllBytes(copy);
                Assert.Equal(before.Length, after.Length);
                Assert.Equal(1, before.Zip(after).Count(p => p.First != p.Second));
            }
            finally
            {
                File.Delete(copy);
            }
        }

        [Fact]
        public void ReadsTheLibrariesItNeeds()
        {
            var needed = LibStdCxxCompatibility.NeededLibraries(PackagedLibTorchSharp());
            Assert.Contains("libtorch.so", needed);
            Assert.Contains("libstdc++.so.6", needed);
        }

        [Fact]
        public void FindsOnlyLibrariesAlreadyLoaded()
        {
            // What CublasLt relies on to take libtorch's copy of cuBLASLt and never load a second one: a glibc library that
            // exists but nothing here loads is not found until it is loaded.
            Assert.NotEqual(IntPtr.Zero, LibStdCxxCompatibility.Dl.OpenLoaded("libc.so.6"));
            string name = new[] { "libanl.so.1", "libutil.so.1" }.First(n => LibStdCxxCompatibility.Dl.OpenLoaded(n) == IntPtr.Zero);
            Assert.Equal(IntPtr.Zero, LibStdCxxCompatibility.Dl.OpenLoaded(name));
            Assert.NotEqual(IntPtr.Zero, NativeLibrary.Load(name));
            Assert.NotEqual(IntPtr.Zero, LibStdCxxCompatibility.Dl.OpenLoaded(name));
        }

        [Fact]
        public void RefusesAFileThatIsNotElf()
        {
            string path = Path.Combine(Path.GetTempPath(), $"hyena-{Guid.NewGuid():N}.so");
            try
            {
                File.WriteAllText(path, "not a library");
                var error = Assert.Throws<InvalidDataException>(() => LibStdCxxCompatibility.HasStrongRequirement(path));
                Assert.Contains("not an ELF file", error.Message);
            }
            finally
            {
                File.Delete(path);
            }
        }

        [Fact]
        public void TorchSharpRunsAndTheLoaderSaysWhatItDid()
        {
            TorchSharpNativeLoader.EnsureLoadable();
            Assert.NotEqual("not run", TorchSharpNativeLoader.Report);
            Assert.DoesNotContain("failed", TorchSharpNativeLoader.Report);
            using var t = TorchSharp.torch.ones(2, 2);
            Assert.Equal(4f, t.sum().item<float>());
        }
    }
}
