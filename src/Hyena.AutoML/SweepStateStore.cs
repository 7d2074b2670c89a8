using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// The state folder of a sweep: state.json (<see cref="SweepState"/>), trials.csv, and the best trial's
    /// saved model (model-trial-NNNN.zip). Every file is replaced atomically (<see cref="AtomicFile"/>).
    /// </summary>
    internal sealed class SweepStateStore
    {
        public const string StateFileName = "state.json";
        public const string CsvFileName = "trials.csv";
        private const string ModelFilePrefix = "model-trial-";
        private const string ModelFileSuffix = ".zip";

        public SweepStateStore(string folder)
        {
            if (string.IsNullOrWhiteSpace(folder))
                throw new ArgumentException("The state folder needs a path.", nameof(folder));
            Folder = Path.GetFullPath(folder);
        }

        public string Folder { get; }

        public string StatePath => Path.Combine(Folder, StateFileName);

        public string CsvPath => Path.Combine(Folder, CsvFileName);

        /// <summary>The file name of a trial's saved model.</summary>
        public static string ModelFileName(int trialId) => ModelFilePrefix + trialId.ToString("D4", CultureInfo.InvariantCulture) + ModelFileSuffix;

        /// <summary>The full path of a file in the folder.</summary>
        public string PathOf(string fileName) => Path.Combine(Folder, fileName);

        /// <summary>The state, or null when the folder has none (a new sweep).</summary>
        public SweepState? Load()
        {
            if (!File.Exists(StatePath))
                return null;
            SweepState? state;
            try
            {
                state = JsonSerializer.Deserialize<SweepState>(File.ReadAllBytes(StatePath), ValueConversion.Json);
            }
            catch (JsonException ex)
            {
                throw new InvalidDataException($"The sweep state {StatePath} cannot be read: {ex.Message}", ex);
            }
            if (state is null || state.Format != SweepState.FormatName)
                throw new InvalidDataException($"{StatePath} is not a sweep state (format '{state?.Format}', expected '{SweepState.FormatName}').");
            if (state.Version < 1 || state.Version > SweepState.CurrentVersion)
                throw new InvalidDataException($"The sweep state {StatePath} has format version {state.Version}; this library reads versions 1 to {SweepState.CurrentVersion}.");
            return state;
        }

        /// <summary>Writes the state atomically.</summary>
        public void Save(SweepState state)
        {
            Directory.CreateDirectory(Folder);
            AtomicFile.Write(StatePath, stream => JsonSerializer.Serialize(stream, state, ValueConversion.Json));
        }

        /// <summary>Writes trials.csv atomically.</summary>
        public void SaveCsv(SweepSearchSpace space, SweepMetric metric, IEnumerable<TrialResult> trials)
        {
            Directory.CreateDirectory(Folder);
            AtomicFile.Write(CsvPath, stream =>
            {
                using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 4096, leaveOpen: true);
                TrialCsv.Write(writer, space, metric, trials);
            });
        }

        /// <summary>Deletes temporary files and saved models other than <paramref name="keepModelFile"/> (left by a crash).</summary>
        public void DeleteLeftovers(string? keepModelFile)
        {
            if (!Directory.Exists(Folder))
                return;
            foreach (string path in Directory.EnumerateFiles(Folder))
            {
                string name = Path.GetFileName(path);
                bool temporary = name.EndsWith(AtomicFile.TemporarySuffix, StringComparison.Ordinal);
                bool staleModel = name.StartsWith(ModelFilePrefix, StringComparison.Ordinal)
                                  && name.EndsWith(ModelFileSuffix, StringComparison.Ordinal)
                                  && name != keepModelFile;
                if (temporary || staleModel)
                    File.Delete(path);
            }
        }

        /// <summary>Deletes one file of the folder if it exists.</summary>
        public void Delete(string fileName)
        {
            string path = PathOf(fileName);
            if (File.Exists(path))
                File.Delete(path);
        }

        /// <summary>Whether a file of the folder exists.</summary>
        public bool Exists(string fileName) => File.Exists(PathOf(fileName));

        /// <summary>The names in the folder (for tests and diagnostics).</summary>
        public IReadOnlyList<string> ListFiles()
            => Directory.Exists(Folder) ? Directory.EnumerateFiles(Folder).Select(Path.GetFileName).OfType<string>().OrderBy(n => n, StringComparer.Ordinal).ToArray() : Array.Empty<string>();
    }
}
