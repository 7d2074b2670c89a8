using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Microsoft.ML.Hyena.Native
{
    /// <summary>
    /// Makes TorchSharp's native library loadable on hosts whose libstdc++ is older than the one it
    /// was built against (Debian 12, Ubuntu 22.04), before TorchSharp first loads it. Runs by itself
    /// when this assembly is first used; on other hosts it does nothing.
    /// </summary>
    /// <remarks>
    /// Each copy of libLibTorchSharp.so the process can load (next to the application, under its
    /// runtimes/linux-x64/native folder, or in a folder of the deps.json native search path) is
    /// patched in place (never a file in the global NuGet folder). Where that folder cannot be written, a patched copy is made under the user's
    /// cache folder and loaded ahead of TorchSharp, which then finds it by its soname.
    /// The environment variable <c>HYENA_LIBSTDCXX_FIX</c> chooses: <c>auto</c> (the default),
    /// <c>cache</c> (never write next to the application) or <c>off</c>.
    /// Build outputs of projects that import build/Hyena.NativeFix.targets are patched at build time
    /// already, so that code which calls TorchSharp before any Hyena type also works.
    /// </remarks>
    public static class TorchSharpNativeLoader
    {
        /// <summary>Name of the environment variable that selects the mode (auto, cache, off).</summary>
        public const string ModeVariable = "HYENA_LIBSTDCXX_FIX";

        private static readonly object _gate = new object();
        private static bool _done;

        /// <summary>What the last call of <see cref="EnsureLoadable"/> did, for diagnostics.</summary>
        public static string Report { get; private set; } = "not run";

#pragma warning disable CA2255 // the fix must run before TorchSharp loads its native library, whoever calls first
        [ModuleInitializer]
        internal static void OnModuleLoad() => EnsureLoadable();
#pragma warning restore CA2255

        /// <summary>
        /// Applies the fix once per process. Safe to call many times and from several threads.
        /// Call it first only when your code calls TorchSharp before any Hyena type.
        /// </summary>
        public static void EnsureLoadable()
        {
            lock (_gate)
            {
                if (_done)
                    return;
                _done = true;
                try
                {
                    Report = Apply();
                }
                catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is InvalidDataException)
                {
                    // TorchSharp's own error follows at its first call; this says why the fix did not help.
                    Report = "failed: " + e.Message;
                }
                Trace.WriteLine("Hyena native fix: " + Report);
            }
        }

        private static string Apply()
        {
            string mode = (Environment.GetEnvironmentVariable(ModeVariable) ?? "auto").Trim().ToLowerInvariant();
            if (mode == "off")
                return "off (" + ModeVariable + "=off)";
            if (mode != "auto" && mode != "cache")
                throw new InvalidDataException($"{ModeVariable} must be 'auto', 'cache' or 'off', not '{mode}'.");
            if (!LibStdCxxCompatibility.HostNeedsPatch())
                return "not needed: the host's libstdc++ provides " + LibStdCxxCompatibility.RequiredVersion;

            var actions = new List<string>();
            foreach (string candidate in Candidates())
            {
                if (!LibStdCxxCompatibility.HasStrongRequirement(candidate))
                    continue;
                if (mode == "auto" && !IsInNuGetCache(candidate) && TryPatchInPlace(candidate))
                {
                    actions.Add("patched " + candidate);
                    continue;
                }
                string copy = PatchedCopyInCache(candidate);
                Preload(candidate, copy);
                actions.Add($"loaded patched copy {copy} of {candidate}");
                break; // once one copy is loaded, the loader resolves the soname to it
            }
            return actions.Count == 0 ? "nothing to do" : string.Join("; ", actions);
        }

        // The global NuGet folder is shared by every project of the machine: never write into it.
        private static bool IsInNuGetCache(string path)
        {
            string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
                ? custom
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            return path.StartsWith(Path.GetFullPath(cache) + Path.DirectorySeparatorChar, StringComparison.Ordinal);
        }

        private static bool TryPatchInPlace(string path)
        {
            try
            {
                LibStdCxxCompatibility.MakeRequirementWeak(path, path);
                return true;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                return false;
            }
        }

        private static string PatchedCopyInCache(string original)
        {
            string root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
            string hash;
            using (var stream = File.OpenRead(original))
                hash = Convert.ToHexString(SHA256.HashData(stream)).Substring(0, 16).ToLowerInvariant();
            string folder = Path.Combine(root, "hyena-mlnet", "native", hash);
            Directory.CreateDirectory(folder);
            string copy = Path.Combine(folder, LibStdCxxCompatibility.LibTorchSharpFileName);
            if (!File.Exists(copy))
                LibStdCxxCompatibility.MakeRequirementWeak(original, copy);
            return copy;
        }

        // The copy's RUNPATH ($ORIGIN) no longer finds libtorch, so its dependencies are loaded first
        // from the original folder; the dynamic loader then matches them by soname.
        private static void Preload(string original, string copy)
        {
            string folder = Path.GetDirectoryName(original)!;
            foreach (string needed in LibStdCxxCompatibility.NeededLibraries(original))
            {
                string beside = Path.Combine(folder, needed);
                if (File.Exists(beside))
                    NativeLibrary.Load(beside);
            }
            NativeLibrary.Load(copy);
        }

        private static IEnumerable<string> Candidates()
        {
            var folders = new List<string> { AppContext.BaseDirectory };
            if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string searchPath)
                folders.AddRange(searchPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
            string? torchSharpFolder = Path.GetDirectoryName(typeof(TorchSharp.torch).Assembly.Location);
            if (!string.IsNullOrEmpty(torchSharpFolder))
                folders.Add(torchSharpFolder);

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string folder in folders)
            {
                foreach (string path in new[]
                {
                    Path.Combine(folder, LibStdCxxCompatibility.LibTorchSharpFileName),
                    Path.Combine(folder, "runtimes", "linux-x64", "native", LibStdCxxCompatibility.LibTorchSharpFileName),
                })
                {
                    string full = Path.GetFullPath(path);
                    if (File.Exists(full) && seen.Add(full))
                        yield return full;
                }
            }
        }
    }
}
