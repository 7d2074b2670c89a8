using System;
using System.IO;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// Replaces a file all at once: the content goes to "name.tmp", is flushed to disk, and the temporary
    /// file is renamed over the target (atomic on one file system), so a crash leaves the old file or the
    /// new one, never half of one.
    /// </summary>
    internal static class AtomicFile
    {
        /// <summary>The temporary file's suffix (leftovers are deleted when a sweep resumes).</summary>
        public const string TemporarySuffix = ".tmp";

        /// <summary>Writes <paramref name="path"/> through a stream.</summary>
        public static void Write(string path, Action<Stream> write)
        {
            string temporary = path + TemporarySuffix;
            try
            {
                using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
                {
                    write(stream);
                    stream.Flush(flushToDisk: true);
                }
                File.Move(temporary, path, overwrite: true);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }
        }

        /// <summary>Lets <paramref name="writeFile"/> write a temporary file by path, then renames it to <paramref name="path"/>.</summary>
        public static void WriteByPath(string path, Action<string> writeFile)
        {
            string temporary = path + TemporarySuffix;
            try
            {
                TryDelete(temporary);
                writeFile(temporary);
                using (var stream = new FileStream(temporary, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                    stream.Flush(flushToDisk: true);
                File.Move(temporary, path, overwrite: true);
            }
            catch
            {
                TryDelete(temporary);
                throw;
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }
}
