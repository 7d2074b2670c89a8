using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Microsoft.ML.Hyena.Native
{
    /// <summary>Where a CUDA build of libtorch was found.</summary>
    public enum LibTorchSource
    {
        /// <summary>Not found.</summary>
        None,
        /// <summary>The folder named by <c>HYENA_LIBTORCH_DIR</c>.</summary>
        EnvironmentVariable,
        /// <summary>A folder of the library search path: next to the application (a TorchSharp CUDA package),
        /// the application's native search folders, or <c>LD_LIBRARY_PATH</c>.</summary>
        SearchPath,
        /// <summary>The <c>torch/lib</c> folder of the active Python's PyTorch install.</summary>
        Python,
        /// <summary>The dynamic loader's default search (ld.so.cache, system folders).</summary>
        LoaderDefault,
    }

    /// <summary>The outcome of a search for a CUDA libtorch: the folder, how it was found, and every step taken.</summary>
    /// <param name="Folder">The folder holding libtorch_cuda.so, or null (also for <see cref="LibTorchSource.LoaderDefault"/>, where the loader resolved it).</param>
    /// <param name="Source">How it was found.</param>
    /// <param name="Steps">One line per place looked at, in order.</param>
    /// <param name="TorchVersion">The PyTorch version of a Python install, when known.</param>
    public sealed record LibTorchSearch(string? Folder, LibTorchSource Source, IReadOnlyList<string> Steps, string? TorchVersion = null)
    {
        /// <summary>Whether a CUDA libtorch was found.</summary>
        public bool Found => Source != LibTorchSource.None;

        /// <summary>The steps joined into one sentence.</summary>
        public string Describe() => string.Join("; ", Steps);
    }

    /// <summary>
    /// Looks for a CUDA build of libtorch (a folder holding <c>libtorch_cuda.so</c>) without loading
    /// anything, in this order: the folder named by <c>HYENA_LIBTORCH_DIR</c> (when set, the only place
    /// looked at; <c>off</c> turns the search off); the library search path (the application's folder,
    /// where a TorchSharp CUDA package puts libtorch, its native search folders, and
    /// <c>LD_LIBRARY_PATH</c>); then, only when nothing was found so far, the <c>torch/lib</c> folder of the
    /// active Python's PyTorch install (found with <c>importlib</c>, without importing torch, under a short
    /// timeout); the dynamic loader's default search comes last (see <see cref="TorchBackend"/>).
    /// Every input is replaceable, for tests.
    /// </summary>
    internal sealed class LibTorchLocator
    {
        /// <summary>The environment variable naming a folder that holds libtorch_cuda.so.</summary>
        public const string FolderVariable = "HYENA_LIBTORCH_DIR";

        /// <summary>The environment variable naming the Python interpreter to ask (default python3).</summary>
        public const string PythonVariable = "HYENA_PYTHON";

        /// <summary>The file that marks a CUDA libtorch.</summary>
        public const string CudaLibrary = "libtorch_cuda.so";

        /// <summary>Prints the torch/lib folder of the interpreter's PyTorch (empty when none), without importing torch.</summary>
        internal const string PythonScript =
            "import importlib.util, os\n" +
            "s = importlib.util.find_spec('torch')\n" +
            "print(os.path.join(os.path.dirname(s.origin), 'lib') if s is not None and s.origin else '')\n";

        public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

        /// <summary>The folders of the library search path, in order; null for <see cref="DefaultSearchFolders"/>.</summary>
        public IReadOnlyList<string>? SearchFolders { get; init; }

        /// <summary>Asks Python for its torch/lib folder; null for <see cref="RunPython"/> with <see cref="PythonTimeout"/>.</summary>
        public Func<PythonProbeResult>? PythonProbe { get; init; }

        /// <summary>How long the Python probe may take.</summary>
        public TimeSpan PythonTimeout { get; init; } = TimeSpan.FromSeconds(10);

        /// <summary>Runs the search.</summary>
        public LibTorchSearch Locate()
        {
            var steps = new List<string>();
            string? configured = GetEnvironmentVariable(FolderVariable);
            if (!string.IsNullOrWhiteSpace(configured))
            {
                string value = configured.Trim();
                if (value.Equals("off", StringComparison.OrdinalIgnoreCase) || value.Equals("none", StringComparison.OrdinalIgnoreCase))
                {
                    steps.Add($"{FolderVariable}={value}: CUDA discovery is turned off");
                    return new LibTorchSearch(null, LibTorchSource.None, steps);
                }
                string folder = Path.GetFullPath(value);
                if (HasCudaLibrary(folder))
                {
                    steps.Add($"{FolderVariable}={folder} holds {CudaLibrary}");
                    return new LibTorchSearch(folder, LibTorchSource.EnvironmentVariable, steps, ReadTorchVersion(folder));
                }
                steps.Add(Directory.Exists(folder)
                    ? $"{FolderVariable}={folder} holds no {CudaLibrary} (set it to a PyTorch install's torch/lib)"
                    : $"{FolderVariable}={folder} does not exist");
                return new LibTorchSearch(null, LibTorchSource.None, steps);
            }
            steps.Add($"{FolderVariable} is not set");

            var folders = (SearchFolders ?? DefaultSearchFolders(GetEnvironmentVariable)).ToList();
            foreach (string folder in folders)
            {
                if (HasCudaLibrary(folder))
                {
                    steps.Add($"{CudaLibrary} found on the library search path in {folder}");
                    return new LibTorchSearch(folder, LibTorchSource.SearchPath, steps, ReadTorchVersion(folder));
                }
            }
            steps.Add(folders.Count == 0
                ? "the library search path is empty"
                : $"no {CudaLibrary} on the library search path ({string.Join(", ", folders)})");

            var python = (PythonProbe ?? (() => RunPython(PythonCommand(GetEnvironmentVariable), PythonTimeout)))();
            if (python.Folder is string torchLib && HasCudaLibrary(torchLib))
            {
                string version = ReadTorchVersion(torchLib) ?? "unknown version";
                steps.Add($"{python.Interpreter}'s PyTorch ({version}) has {CudaLibrary} in {torchLib}");
                return new LibTorchSearch(torchLib, LibTorchSource.Python, steps, ReadTorchVersion(torchLib));
            }
            steps.Add(python.Folder is string cpuOnly
                ? $"{python.Interpreter}'s PyTorch in {cpuOnly} has no {CudaLibrary} (a CPU-only build)"
                : $"{python.Interpreter}: {python.Message}");
            return new LibTorchSearch(null, LibTorchSource.None, steps);
        }

        /// <summary>The application's folder and runtimes/linux-x64/native, the runtime's native search folders,
        /// TorchSharp's folder and LD_LIBRARY_PATH, without duplicates, existing folders only.</summary>
        public static IReadOnlyList<string> DefaultSearchFolders(Func<string, string?> getEnvironmentVariable)
        {
            var candidates = new List<string>();
            string baseDirectory = AppContext.BaseDirectory;
            candidates.Add(baseDirectory);
            candidates.Add(Path.Combine(baseDirectory, "runtimes", "linux-x64", "native"));
            if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string nativeSearch)
                candidates.AddRange(nativeSearch.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
            string torchSharp = typeof(TorchSharp.torch).Assembly.Location;
            if (!string.IsNullOrEmpty(torchSharp))
                candidates.Add(Path.GetDirectoryName(torchSharp)!);
            if (getEnvironmentVariable("LD_LIBRARY_PATH") is string ldPath)
                candidates.AddRange(ldPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));

            var seen = new HashSet<string>(StringComparer.Ordinal);
            var result = new List<string>();
            foreach (string candidate in candidates)
            {
                string full;
                try
                {
                    full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(candidate));
                }
                catch (Exception e) when (e is ArgumentException || e is NotSupportedException || e is PathTooLongException)
                {
                    continue;
                }
                if (Directory.Exists(full) && seen.Add(full))
                    result.Add(full);
            }
            return result;
        }

        /// <summary>The interpreter to ask: HYENA_PYTHON, else python3.</summary>
        public static string PythonCommand(Func<string, string?> getEnvironmentVariable)
            => getEnvironmentVariable(PythonVariable) is { Length: > 0 } configured ? configured : "python3";

        /// <summary>Whether <paramref name="folder"/> holds libtorch_cuda.so.</summary>
        public static bool HasCudaLibrary(string folder)
            => !string.IsNullOrEmpty(folder) && File.Exists(Path.Combine(folder, CudaLibrary));

        /// <summary>The version in torch/version.py next to a torch/lib folder, when there is one.</summary>
        public static string? ReadTorchVersion(string torchLib)
        {
            try
            {
                string file = Path.Combine(torchLib, "..", "version.py");
                if (!File.Exists(file))
                    return null;
                var match = Regex.Match(File.ReadAllText(file), @"^__version__\s*=\s*['""]([^'""]+)['""]", RegexOptions.Multiline);
                return match.Success ? match.Groups[1].Value : null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return null;
            }
        }

        /// <summary>
        /// Runs <paramref name="interpreter"/> with <see cref="PythonScript"/>; kills it after
        /// <paramref name="timeout"/>. Never throws: failures come back as a message.
        /// </summary>
        public static PythonProbeResult RunPython(string interpreter, TimeSpan timeout)
        {
            var start = new ProcessStartInfo(interpreter)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
                CreateNoWindow = true,
            };
            start.ArgumentList.Add("-c");
            start.ArgumentList.Add(PythonScript);
            Process? process;
            try
            {
                process = Process.Start(start);
            }
            catch (Exception e) when (e is Win32Exception || e is InvalidOperationException || e is PlatformNotSupportedException)
            {
                return new PythonProbeResult(interpreter, null, "not found (" + e.Message + ")");
            }
            if (process is null)
                return new PythonProbeResult(interpreter, null, "could not be started");
            using (process)
            {
                process.StandardInput.Close();
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                if (!process.WaitForExit((int)Math.Min(int.MaxValue, Math.Max(1, timeout.TotalMilliseconds))))
                {
                    try
                    {
                        process.Kill(entireProcessTree: true);
                    }
                    catch (Exception e) when (e is InvalidOperationException || e is Win32Exception || e is NotSupportedException)
                    {
                        // it ended meanwhile
                    }
                    return new PythonProbeResult(interpreter, null, $"gave no answer within {timeout.TotalSeconds:0.#} s (killed)");
                }
                process.WaitForExit();
                string output = stdout.GetAwaiter().GetResult().Trim();
                if (process.ExitCode != 0)
                {
                    string error = stderr.GetAwaiter().GetResult().Trim().Split('\n').LastOrDefault() ?? "";
                    return new PythonProbeResult(interpreter, null, $"exited with code {process.ExitCode} {error}".TrimEnd());
                }
                string? line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0);
                return line is null
                    ? new PythonProbeResult(interpreter, null, "has no torch module")
                    : new PythonProbeResult(interpreter, Path.GetFullPath(line), "torch/lib is " + line);
            }
        }
    }

    /// <summary>What asking Python for its PyTorch gave.</summary>
    /// <param name="Interpreter">The interpreter asked.</param>
    /// <param name="Folder">Its torch/lib folder, or null.</param>
    /// <param name="Message">What happened, for the report.</param>
    internal readonly record struct PythonProbeResult(string Interpreter, string? Folder, string Message);
}
