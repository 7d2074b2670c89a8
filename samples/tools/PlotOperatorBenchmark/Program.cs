using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Hyena.Samples;

// Usage: dotnet run --project samples/tools/PlotOperatorBenchmark -- <operator.csv> <output.png> [variant ...]
// Plots the median time (ms) against the sequence length (log-log) of each variant of the operator
// benchmark (benchmarks/Hyena.Benchmarks, verb "operator"); rows that are not "ok" are left out.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: PlotOperatorBenchmark <operator.csv> <output.png> [variant ...]");
    return 2;
}
string[] variants = args.Length > 2 ? args[2..] : new[] { "attn", "fp32-ref", "bf16-conv1d", "bf16-fast", "infer-bf16-cached", "attn-infer" };
var lines = File.ReadLines(args[0]).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
var header = lines[0].Split(',');
int Column(string name) => Array.IndexOf(header, name) is int i and >= 0 ? i : throw new InvalidDataException($"{args[0]} has no column '{name}'.");
int length = Column("length"), variant = Column("variant"), status = Column("status"), median = Column("median_ms");

static double Tokens(string text)
{
    double factor = text.EndsWith('M') ? 1 << 20 : text.EndsWith('k') ? 1 << 10 : 1;
    return double.Parse(text.TrimEnd('k', 'M'), CultureInfo.InvariantCulture) * factor;
}

var plot = new LinePlot("Hyena operator vs attention block on one H200 (batch 1, width 768)", "sequence length (tokens)", "median ms per call")
{
    LogScaleX = true,
    LogScaleY = true,
};
foreach (string name in variants)
{
    var rows = lines.Skip(1).Select(l => l.Split(',')).Where(c => c[variant] == name && c[status] == "ok").ToList();
    if (rows.Count == 0)
        continue;
    plot.AddSeries(name, rows.Select(c => Tokens(c[length])).ToArray(), rows.Select(c => double.Parse(c[median], CultureInfo.InvariantCulture)).ToArray());
}
plot.SavePng(args[1], 1000, 600);
Console.WriteLine($"wrote {args[1]}");
return 0;
