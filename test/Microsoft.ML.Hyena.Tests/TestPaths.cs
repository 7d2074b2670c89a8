using System;
using System.IO;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Locations the tests read from.</summary>
    internal static class TestPaths
    {
        /// <summary>The folder holding Hyena.MLNet.sln.</summary>
        public static string RepoRoot { get; } = FindRepoRoot();

        /// <summary>
        /// HYENA_PARITY_DIR, or ../shared/parity next to the repository. A local clone made elsewhere
        /// (git clone /work/main /tmp/fresh) has no such folder beside it; it reads the one beside the
        /// repository it was cloned from. When neither exists the path returned is the first, and the
        /// parity tests fail naming it.
        /// </summary>
        public static string ParityDirectory
        {
            get
            {
                string? configured = Environment.GetEnvironmentVariable("HYENA_PARITY_DIR");
                if (!string.IsNullOrWhiteSpace(configured))
                    return Path.GetFullPath(Path.IsPathRooted(configured) ? configured : Path.Combine(Environment.CurrentDirectory, configured));
                string beside = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "parity"));
                if (Directory.Exists(beside))
                    return beside;
                string? origin = LocalOrigin();
                string besideOrigin = origin is null ? beside : Path.GetFullPath(Path.Combine(origin, "..", "shared", "parity"));
                return Directory.Exists(besideOrigin) ? besideOrigin : beside;
            }
        }

        // The folder this clone was cloned from, when its origin is a local path (from .git/config).
        private static string? LocalOrigin()
        {
            string config = Path.Combine(RepoRoot, ".git", "config");
            if (!File.Exists(config))
                return null;
            bool inOrigin = false;
            foreach (string raw in File.ReadLines(config))
            {
                string line = raw.Trim();
                if (line.StartsWith('['))
                    inOrigin = line == "[remote \"origin\"]";
                else if (inOrigin && line.StartsWith("url", StringComparison.Ordinal) && line.Contains('='))
                {
                    string url = line[(line.IndexOf('=') + 1)..].Trim();
                    if (url.StartsWith("file://", StringComparison.Ordinal))
                        url = url["file://".Length..];
                    return Path.IsPathRooted(url) && Directory.Exists(url) ? url : null;
                }
            }
            return null;
        }

        private static string FindRepoRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Hyena.MLNet.sln")))
                    return dir.FullName;
            }
            throw new DirectoryNotFoundException("Hyena.MLNet.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
