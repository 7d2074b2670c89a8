using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Hyena;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Hyena.Benchmarks
{
    /// <summary>
    /// <c>host-overhead</c>: what a tiny operator costs when the arithmetic is negligible (width 8, 16 positions by
    /// default), so that the time is the host's: issuing operations, recording them for autograd, the backward
    /// engine, kernel launches. Pieces from one library operation to the whole operator, the implicit filter and the
    /// filter's spectrum, for the reference composition and for the bfloat16 defaults.
    /// </summary>
    internal static class HostOverheadBenchmark
    {
        public static int Run(Options options, torch.Device device)
        {
            int width = options.Int("width", 8);
            long length = options.Int("length", 16);
            int filterOrder = options.Int("filter-order", 8);
            int warmup = options.Int("warmup", 20);
            int reps = options.Int("reps", 200);
            string outDir = options.Get("out", "bench-out");
            options.CheckAllUsed();

            var header = Machine.Header("host-overhead", device, "-")
                .Append($"setup: width {width}, length {length}, filter order {filterOrder}, batch 1; warmup {warmup}, {reps} reps; median")
                .ToList();
            using var report = new Report(Path.Combine(outDir, "host-overhead.csv"), header, "piece", "variant", "status", "median_us", "min_us", "reps");

            manual_seed(0);
            using var op = new HyenaOperator(new HyenaOperatorConfig { ModelDimension = width, MaxLength = (int)length, FilterOrder = filterOrder });
            op.to(device);
            var filter = (HyenaFilter)op.named_modules().First(m => m.module is HyenaFilter).module;
            var x = randn(1, length, width, device: device).requires_grad_(true);
            var dy = randn(1, length, width, device: device);
            var a = randn(64, 64, device: device).requires_grad_(true);

            void Add(string piece, string variant, Action run)
            {
                var m = Timing.Time(() =>
                {
                    using var scope = NewDisposeScope();
                    run();
                }, device, warmup, reps, maxSeconds: 30, minReps: reps);
                report.Add(piece, variant, m.Status, m.MedianMs * 1000, m.MinMs * 1000, m.Reps);
            }

            Add("one elementwise op, no autograd", "-", () => { using (no_grad()) _ = a + a; });
            Add("one elementwise op, recorded", "-", () => _ = a + a);
            Add("one op + sum + backward", "-", () => (a + a).sum().backward());
            Add("ten ops + sum + backward", "-", () =>
            {
                var y = a;
                for (int i = 0; i < 10; i++)
                    y = y + a;
                y.sum().backward();
            });
            Add("implicit filter forward", "-", () => filter.call(length));
            Add("implicit filter forward+backward", "-", () => { op.zero_grad(); filter.call(length).sum().backward(); });
            Add("filter + spectrum forward+backward", "-", () => { op.zero_grad(); op.FilterSpectrum(filter.call(length)[0]).abs().sum().backward(); });

            foreach (var (variant, configure) in new (string, Action)[]
            {
                ("fp32-ref", () => op.UseReferencePath()),
                ("bf16-auto", () => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.Auto; op.LongConvolution = LongConvolutionImplementation.Auto; }),
            })
            {
                configure();
                Add("operator forward, no autograd", variant, () => { using (no_grad()) op.call(x); });
                Add("operator forward, recorded", variant, () => op.call(x));
                Add("operator forward+backward", variant, () => { op.zero_grad(); op.call(x).backward(new[] { dy }); HyenaOperator.ThrowIfBackwardFailed(device); });
            }
            Console.WriteLine();
            Console.WriteLine(report.Table());
            Console.WriteLine($"CSV: {report.Path}");
            return 0;
        }
    }
}
