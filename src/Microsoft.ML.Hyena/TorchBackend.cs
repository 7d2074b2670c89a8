using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML.Hyena.Native;
using TorchSharp;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Loads TorchSharp's native backends. CPU is loaded by TorchSharp itself on first use; CUDA is
    /// loaded on request, from wherever a CUDA libtorch is found, and this class remembers what
    /// happened so that errors and logs can say it (<see cref="CudaReport"/>).
    /// </summary>
    /// <remarks>
    /// <para>A CUDA libtorch is looked for, without loading anything, in this order:</para>
    /// <list type="number">
    /// <item><description>the folder named by the environment variable <c>HYENA_LIBTORCH_DIR</c> (a folder
    /// holding libtorch_cuda.so, such as a PyTorch install's torch/lib); when set, nothing else is tried,
    /// and <c>HYENA_LIBTORCH_DIR=off</c> turns CUDA off;</description></item>
    /// <item><description>the library search path: the application's folder (where a TorchSharp CUDA
    /// package puts libtorch), its native search folders, and <c>LD_LIBRARY_PATH</c>;</description></item>
    /// <item><description>only when nothing was found so far, the torch/lib folder of the active Python's
    /// PyTorch install (<c>python3</c>, or the interpreter named by <c>HYENA_PYTHON</c>; found with
    /// importlib without importing torch, under a 10 s timeout);</description></item>
    /// <item><description>last, the dynamic loader's default search (ld.so.cache).</description></item>
    /// </list>
    /// <para>The libraries found are loaded by full path (libc10, libc10_cuda, libtorch_cpu,
    /// libtorch_cuda, libtorch) before TorchSharp initialises CUDA; the dynamic loader then resolves
    /// TorchSharp's own loads by soname to them. So a self-contained application that references the
    /// plain TorchSharp package can use the libtorch of a PyTorch install with no LD_LIBRARY_PATH.
    /// This must happen before the first tensor is made: once TorchSharp has loaded a libtorch (the CPU
    /// package's, say), another one cannot be added, and the report says so.</para>
    /// <para>When nothing is found, TorchSharp is not asked to load CUDA at all, so nothing is printed
    /// and the CPU backend stays usable.</para>
    /// </remarks>
    public static class TorchBackend
    {
        /// <summary>The environment variable naming a folder that holds libtorch_cuda.so (or <c>off</c>).</summary>
        public const string LibTorchFolderVariable = LibTorchLocator.FolderVariable;

        /// <summary>The environment variable naming the Python interpreter asked for its PyTorch (default python3).</summary>
        public const string PythonVariable = LibTorchLocator.PythonVariable;

        /// <summary>The libraries loaded by full path from the folder found, in this order; those absent from the folder are skipped
        /// except libtorch_cuda.so, libtorch_cpu.so and libc10.so, which are required.</summary>
        internal static readonly string[] PreloadOrder = { "libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so" };

        private static readonly string[] Required = { "libc10.so", "libtorch_cpu.so", "libtorch_cuda.so" };

        private static readonly object _gate = new object();
        private static bool? _cudaAvailable;

        /// <summary>What the last attempt to load CUDA found and where, for messages and logs.</summary>
        public static string CudaReport { get; private set; } = "not tried";

        /// <summary>
        /// Which cuBLASLt the mixed-precision operator uses for the products it writes in float32 (the copy libtorch loaded,
        /// with its version), or why it uses none (<c>HYENA_CUBLASLT=0</c>, libtorch without it): looked for at the first such
        /// product on CUDA, "not looked for yet" before.
        /// </summary>
        public static string CublasLtReport => Native.CublasLt.Report;

        /// <summary>The search for a CUDA libtorch made by <see cref="TryInitializeCuda"/>, or null before it ran.</summary>
        public static LibTorchSearch? CudaSearch { get; private set; }

        /// <summary>
        /// Tries once per process to load TorchSharp's CUDA backend; true when it loaded and at least
        /// one CUDA device is present. Never prints; see <see cref="CudaReport"/> for what happened.
        /// </summary>
        public static bool TryInitializeCuda()
        {
            lock (_gate)
            {
                if (_cudaAvailable.HasValue)
                    return _cudaAvailable.Value;
                var search = new LibTorchLocator().Locate();
                if (!search.Found && LoaderFindsCudaLibrary())
                    search = search with
                    {
                        Source = LibTorchSource.LoaderDefault,
                        Steps = search.Steps.Append($"the dynamic loader's default search found {LibTorchLocator.CudaLibrary}").ToList(),
                    };
                else if (!search.Found)
                    search = search with { Steps = search.Steps.Append($"the dynamic loader's default search found no {LibTorchLocator.CudaLibrary}").ToList() };
                CudaSearch = search;
                var (available, report) = Initialize(search, LoadedLibTorchFolder, LoadLibrary, InitializeTorchSharpCuda);
                CudaReport = report;
                _cudaAvailable = available;
                return available;
            }
        }

        /// <summary>
        /// Loads the CUDA libtorch <paramref name="search"/> found, then TorchSharp's CUDA backend; every
        /// side effect is a parameter, for tests. Returns whether CUDA is usable and the report.
        /// </summary>
        /// <param name="search">Where libtorch_cuda.so is.</param>
        /// <param name="loadedLibTorchFolder">The folder of a libtorch already loaded in the process, or null.</param>
        /// <param name="loadLibrary">Loads a library by full path; throws <see cref="DllNotFoundException"/> with the loader's message.</param>
        /// <param name="initializeTorchSharp">Initialises TorchSharp's CUDA backend; returns the number of devices (0: none).</param>
        internal static (bool Available, string Report) Initialize(
            LibTorchSearch search,
            Func<string?> loadedLibTorchFolder,
            Action<string> loadLibrary,
            Func<int> initializeTorchSharp)
        {
            string where = search.Describe();
            if (!search.Found)
                return (false, $"no CUDA backend: {where}. Reference a TorchSharp CUDA package, or point {LibTorchFolderVariable} (or LD_LIBRARY_PATH) at a PyTorch install's torch/lib.");

            var loaded = new List<string>();
            if (search.Folder is string folder)
            {
                string? already = loadedLibTorchFolder();
                if (already is not null && !SameFolder(already, folder))
                    return (false,
                        $"no CUDA backend: {where}, but a libtorch from {already} is already loaded in this process " +
                        "(TorchSharp was used before CUDA was asked for); resolve the CUDA device before making the first tensor.");
                foreach (string name in Required)
                {
                    if (!File.Exists(Path.Combine(folder, name)))
                        return (false, $"no CUDA backend: {where}, but {name} is missing there.");
                }
                foreach (string name in PreloadOrder)
                {
                    string path = Path.Combine(folder, name);
                    if (!File.Exists(path))
                        continue;
                    try
                    {
                        loadLibrary(path);
                        loaded.Add(name);
                    }
                    catch (Exception e) when (e is DllNotFoundException || e is BadImageFormatException || e is IOException)
                    {
                        return (false, $"no CUDA backend: {where}, but loading {path} failed: {FirstLine(e.Message)}");
                    }
                }
            }

            int devices;
            try
            {
                devices = initializeTorchSharp();
            }
            catch (Exception e) when (e is NotSupportedException || e is InvalidOperationException || e is DllNotFoundException
                || e is TypeInitializationException || e is EntryPointNotFoundException || e is ExternalException)
            {
                return (false, $"no CUDA backend: {where}; TorchSharp could not initialise CUDA: {FirstLine(e.Message)}");
            }
            string libraries = loaded.Count > 0 ? $"; loaded {string.Join(", ", loaded)} from {search.Folder}" : "";
            string version = search.TorchVersion is string v ? $" (PyTorch {v})" : "";
            return devices > 0
                ? (true, $"CUDA backend loaded: {where}{version}{libraries}; {devices} CUDA device(s)")
                : (false, $"CUDA backend loaded but no CUDA device is present: {where}{version}{libraries}");
        }

        /// <summary>The folder of the libtorch_cpu.so mapped into this process, from /proc/self/maps, or null.</summary>
        internal static string? LoadedLibTorchFolder()
        {
            try
            {
                const string maps = "/proc/self/maps";
                if (!File.Exists(maps))
                    return null;
                foreach (string line in File.ReadLines(maps))
                {
                    int slash = line.IndexOf('/');
                    if (slash < 0)
                        continue;
                    string path = line.Substring(slash).Trim();
                    if (Path.GetFileName(path) == "libtorch_cpu.so")
                        return Path.GetDirectoryName(path);
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
            }
            return null;
        }

        private static bool LoaderFindsCudaLibrary()
        {
            // dlopen by bare name: ld.so.cache and the system folders (LD_LIBRARY_PATH was searched already).
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                return false;
            return NativeLibrary.TryLoad(LibTorchLocator.CudaLibrary, out _);
        }

        private static void LoadLibrary(string path) => NativeLibrary.Load(path);

        private static int InitializeTorchSharpCuda()
        {
            torch.InitializeDeviceType(DeviceType.CUDA);
            return torch.cuda.is_available() ? torch.cuda.device_count() : 0;
        }

        private static bool SameFolder(string a, string b)
            => string.Equals(RealPath(a), RealPath(b), StringComparison.Ordinal);

        // /proc/self/maps shows paths with every symbolic link resolved; so must the folder found.
        private static string RealPath(string path)
        {
            string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                return full;
            try
            {
                IntPtr resolved = realpath(full, IntPtr.Zero);
                if (resolved == IntPtr.Zero)
                    return full;
                try
                {
                    return Marshal.PtrToStringUTF8(resolved) ?? full;
                }
                finally
                {
                    free(resolved);
                }
            }
            catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
            {
                return full;
            }
        }

        [DllImport("libc", CharSet = CharSet.Ansi, BestFitMapping = false)]
        private static extern IntPtr realpath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

        [DllImport("libc")]
        private static extern void free(IntPtr pointer);

        private static string FirstLine(string message) => message.Split('\n')[0].Trim();
    }
}
