using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    /// <summary>Spaces, experiments and comparisons shared by the tests.</summary>
    internal static class TestSweeps
    {
        public static SweepSearchSpace Space() => new SweepSearchSpace()
            .Range("X", 0.0, 1.0)
            .Range("LearningRate", 1e-4, 1e-1, logBase: true)
            .Range("Depth", 1, 4)
            .Choice("C", "a", "b", "c");

        public static SweepExperiment<FakeModel> Experiment(FakeTrialRunner runner, SweepSearchSpace? space = null) =>
            new SweepExperiment<FakeModel>()
                .SetSearchSpace(space ?? Space())
                .SetMetric(SweepMetric.MicroAccuracy)
                .SetMaxEpochsPerTrial(9)
                .SetSeed(42)
                .SetCpuParallelism(1)
                .SetTrialRunner(runner);

        /// <summary>What must match between two runs of the same sweep: everything but devices and timing.</summary>
        public static IReadOnlyList<string> Fingerprint(IEnumerable<TrialResult> trials) => trials
            .OrderBy(t => t.Id)
            .Select(t => $"{t.Id}|{t.Seed}|{t.Parameters}|{t.Status}|{t.Metric:R}|{t.Epochs}|{string.Join(",", t.Curve.Select(e => e.Metric))}")
            .ToArray();
    }

    /// <summary>Temporary folders of one test, deleted when the test class instance is disposed.</summary>
    internal sealed class TempFolders : IDisposable
    {
        private readonly List<string> _folders = new();

        public string New()
        {
            string folder = Path.Combine(Path.GetTempPath(), "hyena-automl-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(folder);
            _folders.Add(folder);
            return folder;
        }

        public void Dispose()
        {
            foreach (string folder in _folders)
            {
                try
                {
                    Directory.Delete(folder, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>An IProgress that runs synchronously on the reporting thread (Progress&lt;T&gt; would post to the pool).</summary>
    internal sealed class SyncProgress<T> : IProgress<T>
    {
        private readonly Action<T> _report;

        public SyncProgress(Action<T> report) => _report = report;

        public void Report(T value) => _report(value);
    }
}
