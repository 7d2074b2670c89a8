using System;
using System.Globalization;
using System.IO;

namespace Hyena.Samples
{
    /// <summary>Where a sample writes its outputs: model.zip, the training curve, the results files.</summary>
    public static class RunFolder
    {
        /// <summary>
        /// <paramref name="requested"/> when given, else runs/<paramref name="sample"/>/yyyyMMdd-HHmmss
        /// under the current folder; created if missing.
        /// </summary>
        public static string Create(string sample, string? requested)
        {
            string path = string.IsNullOrWhiteSpace(requested)
                ? Path.Combine("runs", sample, DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture))
                : requested;
            Directory.CreateDirectory(path);
            return Path.GetFullPath(path);
        }
    }
}
