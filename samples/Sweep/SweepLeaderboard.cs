using System;
using System.Collections.Generic;
using System.Linq;
using Hyena.Samples;
using Microsoft.ML.Hyena.AutoML;

/// <summary>Prints the sweep's events and, after each finished trial, the five best trials so far.</summary>
internal sealed class SweepLeaderboard : IProgress<SweepProgress>
{
    private readonly List<TrialResult> _finished = new();
    private readonly object _gate = new();

    public void Report(SweepProgress value)
    {
        lock (_gate)
        {
            switch (value.Kind)
            {
                case SweepProgressKind.TrialStarted:
                    Console.WriteLine($"[{value.Elapsed:mm\\:ss}] trial {value.TrialId} started on {value.Device}: {value.Parameters}");
                    break;
                case SweepProgressKind.TrialEpoch when value.Epoch is not null:
                    Console.WriteLine($"[{value.Elapsed:mm\\:ss}] trial {value.TrialId} epoch {value.Epoch.Epoch}: {FormatMetric(value.Epoch.Metrics)}");
                    break;
                case SweepProgressKind.TrialFinished or SweepProgressKind.TrialRestored when value.Trial is not null:
                    _finished.Add(value.Trial);
                    Console.WriteLine($"[{value.Elapsed:mm\\:ss}] trial {value.TrialId} {value.Trial.Status}: accuracy {value.Trial.Metric:P2} after {value.Trial.Epochs} epoch(s)");
                    Print(_finished, 5);
                    break;
                case SweepProgressKind.NewBestTrial:
                    Console.WriteLine($"[{value.Elapsed:mm\\:ss}] new best: trial {value.TrialId}");
                    break;
            }
        }
    }

    /// <summary>Prints the best <paramref name="count"/> trials as a table.</summary>
    public void Print(IEnumerable<TrialResult> trials, int count = int.MaxValue)
    {
        var table = new ResultsTable("Rank", "Trial", "Accuracy", "Epochs", "Status", "Seconds", "Options")
            .SetFormat("Accuracy", "P2").SetFormat("Seconds", "F0");
        int rank = 0;
        foreach (var t in trials.Where(t => t.Metric is not null).OrderByDescending(t => t.Metric).ThenBy(t => t.Id).Take(count))
            table.AddRow(++rank, t.Id, t.Metric, t.Epochs, t.Status.ToString(), t.Duration.TotalSeconds, t.Parameters.ToString());
        table.Print();
    }

    private static string FormatMetric(IReadOnlyDictionary<string, double> metrics)
        => metrics.TryGetValue(SweepMetric.MicroAccuracy.Name, out double accuracy) ? $"validation accuracy {accuracy:P2}" : "no validation metric";
}
