using System;
using System.IO;

namespace Hyena.Samples.Tests
{
    /// <summary>A fresh folder under the system's temporary folder, deleted on dispose.</summary>
    internal sealed class TemporaryFolder : IDisposable
    {
        public TemporaryFolder()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "hyena-samples-tests-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        /// <summary>The folder's full path.</summary>
        public string Path { get; }

        /// <summary>Combines the folder with relative parts.</summary>
        public string Combine(params string[] parts) => System.IO.Path.Combine(Path, System.IO.Path.Combine(parts));

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a leftover temporary folder is harmless.
            }
        }
    }
}
