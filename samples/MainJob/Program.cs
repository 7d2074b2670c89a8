using System;
using System.Linq;
using System.Diagnostics;
using Microsoft.ML.Hyena;
using TorchSharp;
using static TorchSharp.torch;

// Builds a Hyena operator, runs it on the CPU and prints its output shape and timing.
const int width = 64, length = 4096, batch = 2;
manual_seed(0);
using var op = new HyenaOperator(new HyenaOperatorConfig { ModelDimension = width, MaxLength = length, Order = 2, FilterOrder = 64 });
op.eval();
using var input = randn(batch, length, width);

Console.WriteLine($"Hyena operator: width {width}, order {op.Config.Order}, max length {length}, {op.parameters().Sum(p => p.numel())} parameters");
using (no_grad())
{
    using var warm = op.call(input);
    var watch = Stopwatch.StartNew();
    const int runs = 5;
    Tensor? output = null;
    for (int i = 0; i < runs; i++)
    {
        output?.Dispose();
        output = op.call(input);
    }
    watch.Stop();
    Console.WriteLine($"input  [{string.Join(", ", input.shape)}]");
    Console.WriteLine($"output [{string.Join(", ", output!.shape)}]");
    Console.WriteLine($"forward: {watch.Elapsed.TotalMilliseconds / runs:F1} ms per call on {Environment.ProcessorCount} CPU threads ({batch * length * runs / watch.Elapsed.TotalSeconds:F0} tokens/s)");
    output.Dispose();
}
