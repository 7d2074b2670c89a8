using System;
using System.IO;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Locations the tests read from.</summary>
    internal static class TestPaths
    {
        /// <summary>The folder holding Hyena.MLNet.sln.</summary>
        public static string RepoRoot { get; } = FindRepoRoot();

        /// <summary>HYENA_PARITY_DIR, or ../shared/parity next to the repository.</summary>
        public static string ParityDirectory
        {
            get
            {
                string? configured = Environment.GetEnvironmentVariable("HYENA_PARITY_DIR");
                string path = string.IsNullOrWhiteSpace(configured)
                    ? Path.Combine(RepoRoot, "..", "shared", "parity")
                    : Path.IsPathRooted(configured) ? configured : Path.Combine(Environment.CurrentDirectory, configured);
                return Path.GetFullPath(path);
            }
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
