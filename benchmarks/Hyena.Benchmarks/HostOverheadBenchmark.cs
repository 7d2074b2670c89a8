using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.Hyena;
using Microsoft.ML.Hyena.Kernels;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Hyena.Benchmarks
{
    /// <summary>
    /// <c>host-overhead</c>: what a tiny operator costs when the arithmetic is negligible (width 8, 16 positions by
    /// default), so that the time is the host's: issuing operations, recording them for autograd, the backward
    /// engine, kernel launches. Pieces from one library operation to the whole operator, the implicit filter and the
    /// filter's spectrum, the bfloat16 operator's projections, short filter and long convolution node, for the
    /// reference composition and for the bfloat16 defaults. At a real size (--width 768 --length 65536) the same
    /// pieces say where a long operator's time goes.
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
            bool pieces = options.Bool("pieces", true);          // false: the whole operator only (long lengths)
            bool reference = options.Bool("reference", true);    // false: without fp32-ref
            int traceReps = options.Int("trace-reps", 0);          // > 0: the bf16-auto pass's host time traced (TraceBackward)
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

            if (pieces)
                AddHostPieces(Add, op, filter, a, width, length, device);
            foreach (var (variant, configure) in new (string, Action)[]
            {
                ("fp32-ref", () => op.UseReferencePath()),
                ("bf16-auto", () => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.Auto; op.LongConvolution = LongConvolutionImplementation.Auto; }),
            })
            {
                if (!reference && variant == "fp32-ref")
                    continue;
                configure();
                Add("operator forward, no autograd", variant, () => { using (no_grad()) op.call(x); });
                Add("operator forward, recorded", variant, () => op.call(x));
                Add("operator forward+backward", variant, () => { op.zero_grad(); op.call(x).backward(new[] { dy }); HyenaOperator.ThrowIfBackwardFailed(device); });
            }
            if (traceReps > 0)
                TraceBackward(op, x, dy, device, warmup, traceReps, outDir);
            Console.WriteLine();
            Console.WriteLine(report.Table());
            Console.WriteLine($"CSV: {report.Path}");
            return 0;
        }

        /// <summary>
        /// Where the host's time in one forward+backward pass of the operator (as configured last: bf16-auto) goes, traced over
        /// <paramref name="reps"/> passes after <paramref name="warmup"/>, each started with the device idle: the time to
        /// issue the forward pass, the time backward() takes to return (the autograd engine's device thread issuing the
        /// backward pass), and within it each hand-written backward node's own time and the gap before it (libtorch's nodes
        /// between, such as views and the parameters' gradient accumulation, and the engine's hand-over). Medians, printed
        /// and written to host-trace.csv.
        /// </summary>
        private static void TraceBackward(HyenaOperator op, Tensor x, Tensor dy, torch.Device device, int warmup, int reps, string outDir)
        {
            static double Us(long ticks) => ticks * 1e6 / System.Diagnostics.Stopwatch.Frequency;
            static double Median(List<double> values) { values.Sort(); return values[values.Count / 2]; }
            var forward = new List<double>();
            var backward = new List<double>();
            var nodes = new List<double>();
            var last = new List<double>();
            var perNode = new Dictionary<string, (List<double> Own, List<double> Gap)>();
            var order = new List<string>();
            for (int r = 0; r < warmup + reps; r++)
            {
                using var scope = NewDisposeScope();
                op.zero_grad();
                Timing.Synchronize(device);
                lock (GradientHandOff.TracedBackwards)
                    GradientHandOff.TracedBackwards.Clear();
                GradientHandOff.TraceBackwards = true;
                long t0 = System.Diagnostics.Stopwatch.GetTimestamp();
                var y = op.call(x);
                long t1 = System.Diagnostics.Stopwatch.GetTimestamp();
                y.backward(new[] { dy });
                long t2 = System.Diagnostics.Stopwatch.GetTimestamp();
                GradientHandOff.TraceBackwards = false;
                HyenaOperator.ThrowIfBackwardFailed(device);
                Timing.Synchronize(device);
                if (r < warmup)
                    continue;
                forward.Add(Us(t1 - t0));
                backward.Add(Us(t2 - t1));
                long previous = t1;
                double own = 0;
                var seen = new Dictionary<string, int>();
                List<(string Name, long Start, long End)> traced;
                lock (GradientHandOff.TracedBackwards)
                    traced = GradientHandOff.TracedBackwards.ToList();
                foreach (var (name, start, end) in traced)
                {
                    int n = seen[name] = seen.GetValueOrDefault(name) + 1;
                    string key = n == 1 ? name : $"{name} ({n})";
                    if (!perNode.TryGetValue(key, out var times))
                    {
                        perNode[key] = times = (new List<double>(), new List<double>());
                        order.Add(key);
                    }
                    times.Own.Add(Us(end - start));
                    times.Gap.Add(Us(start - previous));
                    own += Us(end - start);
                    previous = end;
                }
                nodes.Add(own);
                last.Add(Us(t2 - previous));
            }
            var header = Machine.Header("host-overhead --trace-reps", device, "-")
                .Append($"setup: the operator's bf16-auto pass traced, {reps} passes after {warmup}; medians in microseconds").ToList();
            using var report = new Report(Path.Combine(outDir, "host-trace.csv"), header, "part", "median_us", "gap_before_us");
            report.Add("forward, issued", Median(forward), "");
            report.Add("backward(), until it returns", Median(backward), "");
            report.Add("hand-written backward nodes, together", Median(nodes), "");
            foreach (var key in order)
                report.Add($"node: {key}", Median(perNode[key].Own), Median(perNode[key].Gap));
            report.Add("after the last node until backward() returns", Median(last), "");
            Console.WriteLine();
            Console.WriteLine(report.Table());
        }

        /// <summary>The host's cost of small operations, the implicit filter, and the operator's pieces (<see cref="AddPieces"/>).</summary>
        private static void AddHostPieces(Action<string, string, Action> add, HyenaOperator op, HyenaFilter filter, Tensor a, int width, long length, torch.Device device)
        {
            add("one elementwise op, no autograd", "-", () => { using (no_grad()) _ = a + a; });
            add("one elementwise op, recorded", "-", () => _ = a + a);
            add("one op + sum + backward", "-", () => (a + a).sum().backward());
            add("ten ops + sum + backward", "-", () =>
            {
                var y = a;
                for (int i = 0; i < 10; i++)
                    y = y + a;
                y.sum().backward();
            });
            add("implicit filter forward", "-", () => filter.call(length));
            add("implicit filter forward+backward", "-", () => { op.zero_grad(); filter.call(length).sum().backward(); });
            add("filter + spectrum forward+backward", "-", () => { op.zero_grad(); op.FilterSpectrum(filter.call(length)[0]).abs().sum().backward(); });
            AddPieces(add, op, filter, width, length, device);
        }

        /// <summary>
        /// The bfloat16 operator's other pieces, each forward+backward on its own (order 2): the input projection with the
        /// short filter, the gated long convolution node (cuFFT node and on-chip/four-step kernels, given the filter's
        /// spectrum), the output projection. Projection weights are random of the operator's shapes.
        /// </summary>
        private static void AddPieces(Action<string, string, Action> add, HyenaOperator op, HyenaFilter filter, int width, long length, torch.Device device)
        {
            var bf16 = ScalarType.BFloat16;
            long channels = 3L * width;
            var x = randn(1, length, width, device: device).to_type(bf16).requires_grad_(true);
            var inWeight = (randn(channels, width, device: device) / Math.Sqrt(width)).to_type(bf16).requires_grad_(true);
            var outWeight = (randn(width, width, device: device) / Math.Sqrt(width)).to_type(bf16).requires_grad_(true);
            var streams = randn(1, channels, length, device: device).to_type(bf16).requires_grad_(true);
            var y = randn(1, width, length, device: device).to_type(bf16).requires_grad_(true);
            var probeStreams = randn(1, channels, length, device: device).to_type(bf16);
            var probeY = randn(1, width, length, device: device).to_type(bf16);
            var probeOut = randn(1, length, width, device: device).to_type(bf16);
            Tensor spectrum;
            using (no_grad())
                spectrum = op.FilterSpectrum(filter.call(length).squeeze(0))[0].detach();
            spectrum.requires_grad_(true);
            // The filter's spectrum alone, its gradient given: the autograd node (FilterSpectrumFunction) against libtorch's
            // backward pass of the same library calls.
            var taps = filter.call(length).squeeze(0).detach().requires_grad_(true);              // (L, D)
            var skip = randn(1, width, device: device).requires_grad_(true);
            var probeSpectrum = randn(1, width, length + 1, dtype: ScalarType.ComplexFloat32, device: device);
            add("filter spectrum, gradient given, forward+backward", "autograd node", () =>
                FftConvolution.FilterSpectrum(taps.view(length, 1, width).permute(1, 2, 0), skip).backward(new[] { probeSpectrum }));
            add("filter spectrum, gradient given, forward+backward", "library calls", () =>
                FilterSpectrumFunction.Compose(taps.view(length, 1, width).permute(1, 2, 0), skip).backward(new[] { probeSpectrum }));
            add("in projection + short filter, bf16, forward+backward", "linear + transpose", () =>
                op.ShortFilter.Apply(nn.functional.linear(x, inWeight).transpose(1, 2), bf16).backward(new[] { probeStreams }));
            using var inProjection = nn.Linear(width, channels, hasBias: true, device: device);
            add("in projection + short filter, bf16, forward+backward", "channels first", () =>
                op.ShortFilter.Apply(HyenaOperator.ProjectChannelsFirst(inProjection, x, bf16), bf16).backward(new[] { probeStreams }));
            add("in projection + short filter, bf16, forward+backward", "bias in the short filter", () =>
                op.ShortFilter.Apply(HyenaOperator.ProjectChannelsFirst(inProjection, x, bf16, addBias: false), bf16, inProjection.bias).backward(new[] { probeStreams }));
            foreach (var (variant, onChip) in new[] { ("cuFFT node", false), ("on-chip", true) })
            {
                add("long convolution node, bf16, forward+backward", variant, () =>
                {
                    var parts = streams.split(width, dim: 1);
                    LongConvolutionFunction.Apply(parts[2], parts[1], parts[0], spectrum, false, onChip).backward(new[] { probeY });
                    HyenaOperator.ThrowIfBackwardFailed(device);
                });
                add("long convolution node, bf16, forward, no autograd", variant, () =>
                {
                    using (no_grad())
                    {
                        var parts = streams.split(width, dim: 1);
                        LongConvolutionFunction.Apply(parts[2], parts[1], parts[0], spectrum, false, onChip);
                    }
                });
            }
            if (OnChipFftConvolution.Applies(streams, length))
            {
                // The on-chip (or four-step) kernels alone, as the node's forward and backward passes call them in training.
                var parts = streams.detach().split(width, dim: 1);
                // k: the filter's spectrum as the kernels read it (the four-step kernels' order), made once here; its
                // reordering is timed on its own row and is part of the node's rows above.
                var (_, c, u, k) = OnChipFftConvolution.Forward(parts[2], parts[1], parts[0], spectrum.detach(), keepConvolution: true, keepSpectrum: true);
                add("on-chip kernels alone, forward (keeping c and U)", "on-chip", () => OnChipFftConvolution.Forward(parts[2], parts[1], parts[0], k, true, true, inKernelOrder: true));
                if (length > OnChipFftConvolution.MaxLength(CudaKernels.DeviceIndex(streams)))
                {
                    var binOrder = spectrum.detach();
                    add("four-step filter spectrum to the kernels' order", "on-chip", () => OnChipFftConvolution.KernelSpectrum(binOrder, parts[2]));
                    foreach (var (step, bit) in new[] { ("columns forward", 1), ("rows", 2), ("columns inverse", 4) })
                        add($"four-step kernel alone, forward: {step}", "on-chip", () => OnChipFftConvolution.Forward(parts[2], parts[1], parts[0], k, true, true, bit, inKernelOrder: true));
                    // Shorter rows: less shared memory per row block, more column work (FourStepFftConvolution.MaxRowLog2).
                    foreach (int rowLog2 in new[] { 11, 10 })
                    {
                        string split = $"rows of {1 << rowLog2}";
                        void WithRows(Action run)
                        {
                            FourStepFftConvolution.MaxRowLog2 = rowLog2;
                            try { run(); } finally { FourStepFftConvolution.MaxRowLog2 = 12; }
                        }
                        Tensor splitOrder = null!;   // the kernels' order depends on the split
                        WithRows(() => splitOrder = OnChipFftConvolution.KernelSpectrum(binOrder, parts[2]));
                        foreach (var (step, bit) in new[] { ("columns forward", 1), ("rows", 2), ("columns inverse", 4) })
                            add($"four-step kernel alone, forward: {step}", split, () => WithRows(() => OnChipFftConvolution.Forward(parts[2], parts[1], parts[0], splitOrder, true, true, bit, inKernelOrder: true)));
                        add("long convolution node, bf16, forward+backward", split, () => WithRows(() =>
                        {
                            var p = streams.split(width, dim: 1);
                            LongConvolutionFunction.Apply(p[2], p[1], p[0], spectrum, false, true).backward(new[] { probeY });
                            HyenaOperator.ThrowIfBackwardFailed(device);
                        }));
                    }
                }
                add("on-chip kernels alone, backward (with the filter gradient's terms)", "on-chip", () => OnChipFftConvolution.Backward(probeY, parts[2], parts[1], parts[0], c!, k, u));
            }
            add("out projection, bf16, forward+backward", "-", () => nn.functional.linear(y.transpose(1, 2), outWeight).backward(new[] { probeOut }));
        }
    }
}
