using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Hyena.Native;
using TorchSharp;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>The search for a CUDA libtorch and the report, on fake folders: no library is loaded.</summary>
    public sealed class TorchBackendTests : IDisposable
    {
        private readonly string _root = Path.Combine(Path.GetTempPath(), "hyena-libtorch-" + Guid.NewGuid().ToString("N"));

        public TorchBackendTests() => Directory.CreateDirectory(_root);

        public void Dispose() => Directory.Delete(_root, recursive: true);

        /// <summary>A folder with empty files of the given names.</summary>
        private string Folder(string name, params string[] files)
        {
            string folder = Path.Combine(_root, name);
            Directory.CreateDirectory(folder);
            foreach (string file in files)
                File.WriteAllBytes(Path.Combine(folder, file), Array.Empty<byte>());
            return folder;
        }

        private string CudaFolder(string name) => Folder(name, TorchBackend.PreloadOrder);

        private static Func<string, string?> Env(params (string Name, string Value)[] values)
            => name => values.FirstOrDefault(v => v.Name == name).Value;

        private static Func<PythonProbeResult> NoPython => () => throw new InvalidOperationException("Python must not be asked");

        [Fact]
        public void TheEnvironmentVariableComesFirstAndAlone()
        {
            string configured = CudaFolder("configured");
            string onPath = CudaFolder("onpath");
            var search = new LibTorchLocator
            {
                GetEnvironmentVariable = Env((LibTorchLocator.FolderVariable, configured)),
                SearchFolders = new[] { onPath },
                PythonProbe = NoPython,
            }.Locate();
            Assert.Equal(LibTorchSource.EnvironmentVariable, search.Source);
            Assert.Equal(configured, search.Folder);
            Assert.Contains(configured, search.Describe());
        }

        [Fact]
        public void AWrongEnvironmentVariableIsReportedNotSkipped()
        {
            string empty = Folder("empty");
            var search = new LibTorchLocator
            {
                GetEnvironmentVariable = Env((LibTorchLocator.FolderVariable, empty)),
                SearchFolders = new[] { CudaFolder("onpath") },
                PythonProbe = NoPython,
            }.Locate();
            Assert.False(search.Found);
            Assert.Contains($"{empty} holds no libtorch_cuda.so", search.Describe());

            var off = new LibTorchLocator { GetEnvironmentVariable = Env((LibTorchLocator.FolderVariable, "off")), PythonProbe = NoPython }.Locate();
            Assert.False(off.Found);
            Assert.Contains("turned off", off.Describe());
        }

        [Fact]
        public void TheSearchPathComesBeforePython()
        {
            string cpuOnly = Folder("cpuonly", "libtorch_cpu.so", "libc10.so");
            string cuda = CudaFolder("cuda");
            var search = new LibTorchLocator
            {
                GetEnvironmentVariable = Env(),
                SearchFolders = new[] { cpuOnly, cuda },
                PythonProbe = NoPython,
            }.Locate();
            Assert.Equal(LibTorchSource.SearchPath, search.Source);
            Assert.Equal(cuda, search.Folder);
            Assert.Contains("HYENA_LIBTORCH_DIR is not set", search.Describe());
        }

        [Fact]
        public void PythonIsAskedOnlyWhenNothingElseIsFound()
        {
            string torchLib = CudaFolder(Path.Combine("site-packages", "torch", "lib"));
            File.WriteAllText(Path.Combine(torchLib, "..", "version.py"), "__version__ = '2.11.0+cu130'\ngit_version = 'x'\n");
            int asked = 0;
            var search = new LibTorchLocator
            {
                GetEnvironmentVariable = Env(),
                SearchFolders = new[] { Folder("nothing") },
                PythonProbe = () => { asked++; return new PythonProbeResult("python3", torchLib, "ok"); },
            }.Locate();
            Assert.Equal(1, asked);
            Assert.Equal(LibTorchSource.Python, search.Source);
            Assert.Equal(torchLib, search.Folder);
            Assert.Equal("2.11.0+cu130", search.TorchVersion);
            Assert.Contains("no libtorch_cuda.so on the library search path", search.Describe());
            Assert.Contains("python3's PyTorch (2.11.0+cu130)", search.Describe());
        }

        [Fact]
        public void ACpuOnlyPyTorchOrNoPythonIsReported()
        {
            string cpuLib = Folder("cpulib", "libtorch_cpu.so");
            var cpu = new LibTorchLocator
            {
                GetEnvironmentVariable = Env(),
                SearchFolders = Array.Empty<string>(),
                PythonProbe = () => new PythonProbeResult("python3", cpuLib, "ok"),
            }.Locate();
            Assert.False(cpu.Found);
            Assert.Contains("CPU-only build", cpu.Describe());

            var none = new LibTorchLocator
            {
                GetEnvironmentVariable = Env(),
                SearchFolders = Array.Empty<string>(),
                PythonProbe = () => new PythonProbeResult("python3", null, "has no torch module"),
            }.Locate();
            Assert.False(none.Found);
            Assert.EndsWith("python3: has no torch module", none.Describe());
        }

        [Fact]
        public void TheSearchPathIncludesLdLibraryPath()
        {
            string folder = CudaFolder("ldpath");
            var folders = LibTorchLocator.DefaultSearchFolders(Env(("LD_LIBRARY_PATH", "/nonexistent-hyena:" + folder)));
            Assert.Contains(folder, folders);
            Assert.DoesNotContain("/nonexistent-hyena", folders);
            Assert.Equal(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), folders[0]);
        }

        [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
        private string Script(string name, string body)
        {
            string path = Path.Combine(_root, name);
            File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            return path;
        }

        [Fact]
        public void ThePythonProbeReadsTheFolderAndHonoursItsTimeout()
        {
            if (!OperatingSystem.IsLinux())
                return;
            string torchLib = CudaFolder("probe-lib");
            var answer = LibTorchLocator.RunPython(Script("python-ok", $"echo some warning >&2\necho '{torchLib}'"), TimeSpan.FromSeconds(10));
            Assert.Equal(torchLib, answer.Folder);

            var nothing = LibTorchLocator.RunPython(Script("python-none", "echo"), TimeSpan.FromSeconds(10));
            Assert.Null(nothing.Folder);
            Assert.Equal("has no torch module", nothing.Message);

            var failing = LibTorchLocator.RunPython(Script("python-fail", "echo boom >&2\nexit 3"), TimeSpan.FromSeconds(10));
            Assert.Null(failing.Folder);
            Assert.Contains("exited with code 3 boom", failing.Message);

            var started = DateTime.UtcNow;
            var slow = LibTorchLocator.RunPython(Script("python-slow", "sleep 30"), TimeSpan.FromMilliseconds(300));
            Assert.Null(slow.Folder);
            Assert.Contains("no answer within", slow.Message);
            Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10), "the probe was not stopped at its timeout");

            var missing = LibTorchLocator.RunPython(Path.Combine(_root, "no-such-python"), TimeSpan.FromSeconds(5));
            Assert.Null(missing.Folder);
            Assert.StartsWith("not found", missing.Message);
        }

        [Fact]
        public void ThePythonScriptLocatesTorchWithoutImportingIt()
        {
            Assert.Contains("find_spec('torch')", LibTorchLocator.PythonScript);
            Assert.DoesNotContain("import torch", LibTorchLocator.PythonScript);
        }

        private static LibTorchSearch Found(string folder, string? version = null)
            => new(folder, LibTorchSource.Python, new[] { $"python3's PyTorch has libtorch_cuda.so in {folder}" }, version);

        [Fact]
        public void NothingFoundMeansTorchSharpIsNotAsked()
        {
            var search = new LibTorchSearch(null, LibTorchSource.None, new[] { "HYENA_LIBTORCH_DIR is not set", "python3: has no torch module" });
            var (available, report) = TorchBackend.Initialize(search, () => null,
                _ => throw new InvalidOperationException("nothing may be loaded"),
                () => throw new InvalidOperationException("TorchSharp must not be asked"));
            Assert.False(available);
            Assert.StartsWith("no CUDA backend: HYENA_LIBTORCH_DIR is not set; python3: has no torch module.", report);
            Assert.Contains("HYENA_LIBTORCH_DIR", report);
        }

        [Fact]
        public void TheLibrariesAreLoadedByFullPathInDependencyOrderBeforeTorchSharp()
        {
            string folder = CudaFolder("torch-lib");
            var events = new List<string>();
            var (available, report) = TorchBackend.Initialize(Found(folder, "2.11.0"), () => null,
                path => events.Add(path),
                () => { events.Add("torchsharp"); return 2; });
            Assert.True(available);
            Assert.Equal(TorchBackend.PreloadOrder.Select(n => Path.Combine(folder, n)).Append("torchsharp"), events);
            Assert.Contains(folder, report);
            Assert.Contains("(PyTorch 2.11.0)", report);
            Assert.Contains("loaded libc10.so, libc10_cuda.so, libtorch_cpu.so, libtorch_cuda.so, libtorch.so", report);
            Assert.EndsWith("2 CUDA device(s)", report);
        }

        [Fact]
        public void NoDeviceOrAFailedLoadIsReported()
        {
            string folder = CudaFolder("torch-lib-2");
            var (available, report) = TorchBackend.Initialize(Found(folder), () => null, _ => { }, () => 0);
            Assert.False(available);
            Assert.StartsWith("CUDA backend loaded but no CUDA device is present", report);

            (available, report) = TorchBackend.Initialize(Found(folder), () => null,
                path => { if (path.EndsWith("libc10_cuda.so", StringComparison.Ordinal)) throw new DllNotFoundException("libcudart.so.13: cannot open shared object file\nmore"); },
                () => throw new InvalidOperationException("not reached"));
            Assert.False(available);
            Assert.Contains($"loading {Path.Combine(folder, "libc10_cuda.so")} failed: libcudart.so.13: cannot open shared object file", report);
            Assert.DoesNotContain("more", report);

            (available, report) = TorchBackend.Initialize(Found(folder), () => null, _ => { },
                () => throw new InvalidOperationException("Torch device type CUDA did not initialise on the current machine."));
            Assert.False(available);
            Assert.Contains("TorchSharp could not initialise CUDA: Torch device type CUDA did not initialise", report);
        }

        [Fact]
        public void AMissingLibraryOrAnotherLoadedLibTorchIsRefusedBeforeLoading()
        {
            string partial = Folder("partial", "libtorch_cuda.so", "libc10.so");
            var (available, report) = TorchBackend.Initialize(Found(partial), () => null,
                _ => throw new InvalidOperationException("nothing may be loaded"), () => 1);
            Assert.False(available);
            Assert.Contains("libtorch_cpu.so is missing", report);

            string folder = CudaFolder("torch-lib-3");
            string other = Folder("app", "libtorch_cpu.so");
            (available, report) = TorchBackend.Initialize(Found(folder), () => other,
                _ => throw new InvalidOperationException("nothing may be loaded"), () => 1);
            Assert.False(available);
            Assert.Contains($"a libtorch from {other} is already loaded", report);

            // The same folder already loaded (LD_LIBRARY_PATH pointed there) is fine.
            (available, _) = TorchBackend.Initialize(Found(folder), () => folder, _ => { }, () => 1);
            Assert.True(available);
        }

        [Fact]
        public void TheProcessLibTorchFolderIsReadFromTheMemoryMap()
        {
            if (!OperatingSystem.IsLinux())
                return;
            using var t = torch.zeros(1); // makes sure TorchSharp-cpu's libtorch is loaded
            string? folder = TorchBackend.LoadedLibTorchFolder();
            Assert.NotNull(folder);
            Assert.True(File.Exists(Path.Combine(folder!, "libtorch_cpu.so")));
        }

        [Fact]
        public void AutoResolvesWithoutPrintingAnything()
        {
            var stdout = Console.Out;
            var stderr = Console.Error;
            var captured = new StringWriter();
            Console.SetOut(captured);
            Console.SetError(captured);
            torch.Device device;
            try
            {
                device = HyenaDevice.Auto.Resolve();
            }
            finally
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
            }
            Assert.Equal("", captured.ToString());
            Assert.NotEqual("not tried", TorchBackend.CudaReport);
            if (device.type == DeviceType.CPU)
            {
                Assert.StartsWith("no CUDA backend", TorchBackend.CudaReport);
                var error = Assert.Throws<InvalidOperationException>(() => HyenaDevice.Cuda().Resolve());
                Assert.Contains(TorchBackend.CudaReport, error.Message);
            }
        }
    }
}
