using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using Microsoft.ML;
using Microsoft.ML.Hyena;

namespace Hyena.Samples
{
    /// <summary>
    /// One run of a sample: the output folder, the device, the comparison of Hyena with ML.NET's
    /// trainers on the same split, and the outputs every sample writes (model.zip, training-curve.png,
    /// results.csv/json with the exact command, a printed table).
    /// </summary>
    public sealed class ExperimentRun
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly RunInfo _run;

        /// <summary>Starts a run: resolves the device, makes the output folder and prints both.</summary>
        public ExperimentRun(string sampleName, string title, string[] args, string device, string? outputFolder, int seed)
        {
            Title = title;
            _run = RunInfo.Capture(args);
            DeviceOption = HyenaDevice.Parse(device);
            Device = DeviceOption.Resolve().ToString();
            OutputFolder = RunFolder.Create(sampleName, string.IsNullOrWhiteSpace(outputFolder) ? null : outputFolder);
            MLContext = new MLContext(seed);
            Seed = seed;
            Console.WriteLine(title);
            Console.WriteLine($"device: {Device} ({TorchBackend.CudaReport}); {Environment.ProcessorCount} CPU cores; output: {OutputFolder}");
        }

        /// <summary>The run's title.</summary>
        public string Title { get; }

        /// <summary>The run's MLContext (seeded).</summary>
        public MLContext MLContext { get; }

        /// <summary>The run's seed.</summary>
        public int Seed { get; }

        /// <summary>The device option given to the Hyena trainer.</summary>
        public HyenaDevice DeviceOption { get; }

        /// <summary>The device it resolved to.</summary>
        public string Device { get; }

        /// <summary>Where the outputs go.</summary>
        public string OutputFolder { get; }

        /// <summary>Time since the run started.</summary>
        public TimeSpan Elapsed => _clock.Elapsed;

        /// <summary>Receives the Hyena trainer's progress (pass it as the trainer's Progress option).</summary>
        public ConsoleTrainingReporter Reporter { get; } = new();

        /// <summary>The comparison; call <see cref="StartComparison"/> first.</summary>
        public ClassifierComparison Comparison { get; private set; } = null!;

        /// <summary>Sets the split every contender trains and is tested on.</summary>
        public void StartComparison(IDataView train, IDataView test) => Comparison = new ClassifierComparison(MLContext, train, test);

        /// <summary>Fits and measures a baseline, then disposes it.</summary>
        public void RunBaseline(string name, IEstimator<ITransformer> pipeline) => (Comparison.Run(name, pipeline) as IDisposable)?.Dispose();

        /// <summary>
        /// Saves the Hyena model as model.zip (with <paramref name="schema"/>), the training curve, prints
        /// the table and writes the results files with <paramref name="settings"/>; returns model.zip's path.
        /// </summary>
        public string Finish(ITransformer hyena, DataViewSchema schema, IReadOnlyDictionary<string, object?> settings)
        {
            string modelPath = Path.Combine(OutputFolder, "model.zip");
            MLContext.Model.Save(hyena, schema, modelPath);
            string curve = Path.Combine(OutputFolder, "training-curve.png");
            Reporter.SavePlot(curve, Title);
            Console.WriteLine();
            var table = Comparison.ToTable();
            table.Print();
            var all = new Dictionary<string, object?>(settings)
            {
                ["device"] = Device,
                ["seed"] = Seed,
                ["epochsRun"] = Reporter.Epochs.Count,
                ["totalSeconds"] = Math.Round(Elapsed.TotalSeconds, 1),
            };
            var (csv, json) = ResultsFile.Write(Path.Combine(OutputFolder, "results"), table, _run, all);
            Console.WriteLine($"model: {modelPath}\ncurve: {curve}\nresults: {csv}, {json}");
            return modelPath;
        }

        /// <summary>Prints the total time.</summary>
        public void PrintTotalTime() => Console.WriteLine($"total time {Elapsed.TotalMinutes:F1} minutes");
    }
}
