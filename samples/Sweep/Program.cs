using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Hyena.Samples;
using Microsoft.ML;
using Microsoft.ML.Hyena;
using Microsoft.ML.Hyena.AutoML;

// A sweep over a Hyena trainer, shaped like ML.NET's AutoMLExperiment: a search space over the
// trainer's options, successive halving (or random / grid search), a time and trial budget, one
// trial per GPU (or --parallel CPU trials), a live leaderboard, trials.csv, a plot of the metric per
// trial, the best model as model.zip, and the default options trained on the same data for
// comparison. The sweep resumes from its --state folder after a crash or Ctrl+C.
// Tasks: image (the Fashion-MNIST subset, read row by row) and text (SpamAssassin messages as bytes).
var options = new SampleArguments("sweep", args);
string taskName = options.String("task", "image", "image (Fashion-MNIST subset) or text (SpamAssassin, needs the corpus: see its sample)");
string data = options.String("data", "", "data folder (default: the committed Fashion-MNIST subset, or samples/data/spam-assassin)");
int trials = options.Int("trials", 9, "most trials");
int maxEpochs = options.Int("max-epochs", 4, "epochs of a trial that is not stopped early (and of the default options)");
double minutes = options.Double("minutes", 6, "time budget of the sweep in minutes");
string tuner = options.String("tuner", "asha", "asha (successive halving), random or grid");
int parallel = options.Int("parallel", 1, "CPU trials at once when there is no GPU");
int gpus = options.Int("gpus", 0, "use at most this many GPUs, one trial on each (0: all)");
string state = options.String("state", "", "state folder: the sweep resumes from it (default runs/sweep/<task>)");
int seed = options.Int("seed", 1, "sweep seed");
string output = options.String("out", "", "output folder (default runs/sweep/<time>)");
if (!options.Validate())
    return 0;

var run = new ExperimentRun("sweep", $"Sweep of the Hyena {taskName} trainer", args, "auto", output, seed);
var ml = run.MLContext;
var task = taskName switch
{
    "image" => SweepTasks.Image(ml, data),
    "text" => SweepTasks.Text(ml, data),
    _ => throw new ArgumentException($"sweep: --task must be image or text; got '{taskName}'."),
};
Console.WriteLine(task.Description);

var detected = HyenaSweepDevices.Detect(cpuTrials: parallel);
var devices = gpus > 0 && detected.Any(d => d.Kind == SweepDeviceKind.Cuda) ? detected.Take(gpus).ToList() : detected;
string stateFolder = state.Length > 0 ? state : Path.Combine("runs", "sweep", taskName + "-state");
var leaderboard = new SweepLeaderboard();
var experiment = new SweepExperiment<ITransformer>()
    .SetSearchSpace(task.Space)
    .SetDataset(task.Train, task.Validation)
    .SetMetric(SweepMetric.MicroAccuracy)
    .SetMaxTrials(trials)
    .SetMaxEpochsPerTrial(maxEpochs)
    .SetTrainingTime(TimeSpan.FromMinutes(minutes))
    .SetSeed(seed)
    .SetDevices(devices)
    .SetTrialRunner(task.Runner)
    .SetStateFolder(stateFolder)
    .SetProgress(leaderboard);
experiment = tuner switch
{
    "asha" => experiment.SetSuccessiveHalvingTuner(minEpochs: 1, reductionFactor: 3, seed),
    "random" => experiment.SetRandomSearchTuner(seed),
    "grid" => experiment.SetGridSearchTuner(3),
    _ => throw new ArgumentException($"sweep: --tuner must be asha, random or grid; got '{tuner}'."),
};
Console.WriteLine($"devices: {string.Join(", ", devices)}; state: {Path.GetFullPath(stateFolder)} (run again to resume)");

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); Console.WriteLine("cancelling: the sweep saves its state; run again to resume"); };
var result = await experiment.RunAsync(cancel.Token);
try
{
    Console.WriteLine($"\nsweep stopped ({result.StopReason}) after {result.Elapsed.TotalMinutes:F1} minutes, {result.Trials.Count} trials");
    leaderboard.Print(result.Trials);
    string csv = Path.Combine(run.OutputFolder, "trials.csv");
    result.WriteCsv(csv);
    var plot = new LinePlot("Validation accuracy per trial", "trial", "validation accuracy");
    var done = result.Trials.Where(t => t.Metric is not null).OrderBy(t => t.Id).ToList();
    plot.AddSeries("trial", done.Select(t => (double)t.Id).ToArray(), done.Select(t => t.Metric!.Value).ToArray());
    var best = new List<double>();
    foreach (var t in done)
        best.Add(Math.Max(best.Count == 0 ? double.MinValue : best[^1], t.Metric!.Value));
    plot.AddSeries("best so far", done.Select(t => (double)t.Id).ToArray(), best.ToArray());
    plot.SavePng(Path.Combine(run.OutputFolder, "metric-per-trial.png"));
    if (result.BestModel is null || result.BestTrial is null)
    {
        Console.WriteLine("no trial finished: nothing to save");
        return 1;
    }
    string modelPath = Path.Combine(run.OutputFolder, "model.zip");
    ml.Model.Save(result.BestModel, task.Train.Schema, modelPath);

    // The default options, same data and epochs: what the sweep has to beat.
    Console.WriteLine($"\ntraining the default options for {maxEpochs} epochs on the same data");
    double defaults = task.EvaluateDefaults(maxEpochs, seed);
    var table = new ResultsTable("Options", "ValidationAccuracy").SetFormat("ValidationAccuracy", "P2");
    table.AddRow("default options", defaults);
    table.AddRow($"best trial {result.BestTrial.Id} ({result.BestTrial.Parameters})", result.BestTrial.Metric);
    table.Print();
    ResultsFile.Write(Path.Combine(run.OutputFolder, "results"), table, RunInfo.Capture(args), new Dictionary<string, object?>
    {
        ["task"] = task.Description, ["tuner"] = tuner, ["trials"] = result.Trials.Count, ["maxEpochs"] = maxEpochs,
        ["minutes"] = minutes, ["devices"] = string.Join(" ", devices), ["stopReason"] = result.StopReason.ToString(),
    });
    Console.WriteLine($"best model: {modelPath}\ntrials: {csv}\nplot: {Path.Combine(run.OutputFolder, "metric-per-trial.png")}");
    Console.WriteLine(result.BestTrial.Metric > defaults
        ? $"the best trial beats the default options by {(result.BestTrial.Metric - defaults) * 100:F2} points"
        : "the best trial does not beat the default options");
    run.PrintTotalTime();
}
finally
{
    (result.BestModel as IDisposable)?.Dispose();
}
return 0;
