using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML.Hyena;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Hyena.Benchmarks
{
    /// <summary>
    /// <c>operator</c>: the Hyena operator against a multi-head attention block, forward plus backward
    /// (and forward-only inference for the inference variants), batch 1, one length after another. Each cell's CSV row
    /// also has issue_ms, the median time the host took to issue a repetition (until the call returned, before the device
    /// synchronisation): close to median_ms where the host's issue bounds the cell.
    /// </summary>
    internal static class OperatorBenchmark
    {
        /// <summary>A way of running the Hyena operator.</summary>
        private sealed record Variant(string Name, bool Inference, string Description, Action<HyenaOperator> Configure);

        private static readonly Variant[] AllVariants =
        {
            new("fp32-ref", false, "float32; Conv1d short filter; separate skip-term pass (the composed reference)",
                op => op.UseReferencePath()),
            new("fp32-fold", false, "fp32-ref with the skip term folded into the filter (a)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; }),
            new("fp32-fast", false, "fp32-fold with the short filter as shifted multiply-adds (a+d)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ShortFilterImplementation = ShortFilterImplementation.ShiftedMultiplyAdd; }),
            new("bf16-conv1d", false, "mixed precision: projections + short filter in bfloat16, FFT in float32; Conv1d short filter; folded skip (a+c)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; }),
            new("bf16-fast", false, "bf16-conv1d with the shifted multiply-add short filter (a+c+d)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.ShiftedMultiplyAdd; }),
            new("fp32-kernel", false, "fp32-fold with the short filter as fused NVRTC CUDA kernels (what Auto picks on CUDA when NVRTC is found; not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel; }),
            new("bf16-kernel", false, "bf16-fast with the short filter as fused NVRTC CUDA kernels (what Auto picks on CUDA when NVRTC is found; not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel; }),
            new("fp32-fused", false, "fp32-kernel with the gated long convolution as one node, its gates, padding and casts fused around cuFFT (LongConvolution = CudaKernel; not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel; op.LongConvolution = LongConvolutionImplementation.CudaKernel; }),
            new("bf16-fused", false, "bf16-kernel with the gated long convolution as one node, its gates, padding and casts fused around cuFFT (LongConvolution = CudaKernel; not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel; op.LongConvolution = LongConvolutionImplementation.CudaKernel; }),
            new("bf16-fused-f16fft", false, "bf16-fused with the FFTs in float16 (HalfPrecisionTransforms; 2L a power of two; not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel; op.LongConvolution = LongConvolutionImplementation.CudaKernel; op.HalfPrecisionTransforms = true; }),
            new("fp32-onchip", false, "fp32-fused with the whole convolution of each row in one kernel, its transforms in shared memory (LongConvolution = CudaOnChip: powers of two up to 16k on an H200 in one block, from 32k to 4M in four steps, else as fp32-fused; not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel; op.LongConvolution = LongConvolutionImplementation.CudaOnChip; }),
            new("bf16-onchip", false, "bf16-fused with the whole convolution of each row in one kernel, its transforms in shared memory (LongConvolution = CudaOnChip; not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel; op.LongConvolution = LongConvolutionImplementation.CudaOnChip; }),
            new("bf16-auto", false, "the defaults in bfloat16 (what the trainers run on CUDA): Auto short filter and long convolution, skip term folded (not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.Auto; op.LongConvolution = LongConvolutionImplementation.Auto; }),
            new("infer-fp32", true, "forward only, eval, no_grad: fp32-fast",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ShortFilterImplementation = ShortFilterImplementation.ShiftedMultiplyAdd; }),
            new("infer-bf16", true, "forward only, eval, no_grad: bf16-fast, filter recomputed each call",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.ShiftedMultiplyAdd; }),
            new("infer-bf16-cached", true, "infer-bf16 with the filter spectrum cached per length (b)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.ShiftedMultiplyAdd; op.CacheFilterSpectrum = true; }),
            new("infer-bf16-kernel", true, "infer-bf16-cached with the NVRTC short-filter kernel (what Auto picks on CUDA when NVRTC is found; not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel; op.CacheFilterSpectrum = true; }),
            new("infer-bf16-fused", true, "infer-bf16-kernel with the fused gated long convolution (not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel; op.CacheFilterSpectrum = true; op.LongConvolution = LongConvolutionImplementation.CudaKernel; }),
            new("infer-bf16-fused-f16fft", true, "infer-bf16-fused with the FFTs in float16 (not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel; op.CacheFilterSpectrum = true; op.LongConvolution = LongConvolutionImplementation.CudaKernel; op.HalfPrecisionTransforms = true; }),
            new("infer-bf16-onchip", true, "infer-bf16-fused with the on-chip convolution (not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel; op.CacheFilterSpectrum = true; op.LongConvolution = LongConvolutionImplementation.CudaOnChip; }),
            new("infer-bf16-auto", true, "bf16-auto forward only, eval, no_grad, filter spectrum cached per length (not in the default list)",
                op => { op.UseReferencePath(); op.FoldSkipTerm = true; op.ComputeDtype = ScalarType.BFloat16; op.ShortFilterImplementation = ShortFilterImplementation.Auto; op.LongConvolution = LongConvolutionImplementation.Auto; op.CacheFilterSpectrum = true; }),
        };

        public static int Run(Options options, torch.Device device)
        {
            bool cuda = device.type == DeviceType.CUDA;
            var lengths = options.Lengths("lengths", cuda ? new long[] { 2048, 4096, 8192, 16384, 32768, 65536, 131072 } : new long[] { 256, 512 });
            var hyenaOnly = options.Lengths("hyena-only-lengths", cuda ? new long[] { 262144, 524288, 1048576 } : new long[] { 1024 });
            int width = options.Int("width", cuda ? 768 : 64);
            int heads = options.Int("heads", cuda ? 12 : 4);
            int order = options.Int("order", 2);
            int filterOrder = options.Int("filter-order", 64);
            int batch = options.Int("batch", 1);
            int warmup = options.Int("warmup", cuda ? 2 : 1);
            int reps = options.Int("reps", cuda ? 10 : 3);
            double cellSeconds = options.Double("max-seconds", cuda ? 2.0 : 5);
            double budgetSeconds = options.Double("budget-seconds", 1e9);
            var variantNames = options.List("variants", AllVariants.Where(v => !v.Name.Contains("kernel", StringComparison.Ordinal) && !v.Name.Contains("fused", StringComparison.Ordinal) && !v.Name.Contains("onchip", StringComparison.Ordinal) && !v.Name.Contains("auto", StringComparison.Ordinal)).Select(v => v.Name).ToList());
            var attentionDtype = ParseDtype(options.Get("attention-dtype", cuda ? "bf16" : "fp32"));
            long verifyLength = options.Get("verify-length") is string vl ? Options.ParseLength(vl) : (cuda ? 8192 : 128);
            string outDir = options.Get("out", "bench-out");
            options.CheckAllUsed();

            var variants = variantNames.Distinct().Select(n => AllVariants.FirstOrDefault(v => v.Name == n)
                ?? throw new ArgumentException($"Unknown variant '{n}'; known: {string.Join(", ", AllVariants.Select(v => v.Name))}")).ToList();
            bool anyInference = variants.Any(v => v.Inference);
            long maxLength = lengths.Concat(hyenaOnly).Append(verifyLength).Max();

            Console.WriteLine($"operator benchmark on {device}: width {width}, order {order}, filter order {filterOrder}, batch {batch}, {heads} heads, attention in {attentionDtype}");
            foreach (var v in variants)
                Console.WriteLine($"  {v.Name,-18} {v.Description}");

            manual_seed(0);
            using var op = new HyenaOperator(new HyenaOperatorConfig { ModelDimension = width, MaxLength = (int)maxLength, Order = order, FilterOrder = filterOrder });
            op.to(device);
            using var attention = new AttentionBlock(width, heads, attentionDtype == ScalarType.Float32 ? null : attentionDtype);
            attention.to(device);

            var header = Machine.Header("operator", device, "not measured in this verb (see training)")
                .Append($"setup: width {width}, order {order}, filter order {filterOrder}, batch {batch}, heads {heads}, attention compute {attentionDtype}; warmup {warmup}, up to {reps} reps or {cellSeconds} s per cell; median")
                .Concat(variants.Select(v => $"variant {v.Name}: {v.Description}"))
                .Append($"variant attn: qkv Linear {width}->{3 * width}, causal scaled_dot_product_attention ({heads} heads), out Linear; float32 weights, computed in {attentionDtype}")
                .ToList();

            if (verifyLength > 0)
                Verify(op, variants, device, width, batch, verifyLength, Path.Combine(outDir, "operator-verify.csv"), header);

            using var report = new Report(Path.Combine(outDir, "operator.csv"), header,
                "length", "model", "variant", "mode", "status", "median_ms", "min_ms", "reps", "attn_over_hyena", "issue_ms", "note");
            var budget = Stopwatch.StartNew();
            var summary = new List<(long Length, string Name, Measurement M)>();

            foreach (long length in lengths.Concat(hyenaOnly).Distinct())
            {
                bool withAttention = lengths.Contains(length);
                using var scope = NewDisposeScope();
                manual_seed(length);
                Tensor x, dy;
                try
                {
                    x = randn(batch, length, width, device: device).requires_grad_(true);
                    dy = randn(batch, length, width, device: device);
                }
                catch (Exception e)
                {
                    // Not even the input fits: every cell of this length fails the same way.
                    var failed = Measurement.Failed(Timing.IsOutOfMemory(e) ? "OOM" : "ERR", "input: " + Timing.FirstLine(e.Message));
                    if (withAttention)
                        report.Add(Options.FormatLength(length), "attention", "attn", "fwd+bwd", failed.Status, double.NaN, double.NaN, 0, null, double.NaN, failed.Note);
                    foreach (var variant in variants)
                    {
                        report.Add(Options.FormatLength(length), "hyena", variant.Name, variant.Inference ? "fwd" : "fwd+bwd", failed.Status, double.NaN, double.NaN, 0, double.NaN, double.NaN, failed.Note);
                        summary.Add((length, variant.Name, failed));
                    }
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    continue;
                }
                Measurement? attnTrain = null, attnInfer = null;

                bool OverBudget() => budget.Elapsed.TotalSeconds > budgetSeconds;

                if (withAttention)
                {
                    attnTrain = OverBudget() ? Measurement.Failed("SKIP", "time budget spent") : Timing.Time(() =>
                    {
                        using var s = NewDisposeScope();
                        attention.zero_grad();
                        x.grad = null;
                        attention.call(x).backward(new[] { dy });
                    }, device, warmup, reps, cellSeconds);
                    report.Add(Options.FormatLength(length), "attention", "attn", "fwd+bwd", attnTrain.Status, attnTrain.MedianMs, attnTrain.MinMs, attnTrain.Reps, null, attnTrain.IssueMedianMs, attnTrain.Note);
                    summary.Add((length, "attn", attnTrain));
                    if (anyInference)
                    {
                        attnInfer = OverBudget() ? Measurement.Failed("SKIP", "time budget spent") : Timing.Time(() =>
                        {
                            using var s = NewDisposeScope();
                            using var noGrad = no_grad();
                            attention.call(x).Dispose();
                        }, device, warmup, reps, cellSeconds);
                        report.Add(Options.FormatLength(length), "attention", "attn-infer", "fwd", attnInfer.Status, attnInfer.MedianMs, attnInfer.MinMs, attnInfer.Reps, null, attnInfer.IssueMedianMs, attnInfer.Note);
                        summary.Add((length, "attn-infer", attnInfer));
                    }
                }

                foreach (var variant in variants)
                {
                    variant.Configure(op);
                    Measurement m;
                    if (OverBudget())
                    {
                        m = Measurement.Failed("SKIP", "time budget spent");
                    }
                    else if (variant.Inference)
                    {
                        op.eval();
                        m = Timing.Time(() =>
                        {
                            using var s = NewDisposeScope();
                            using var noGrad = no_grad();
                            op.call(x).Dispose();
                        }, device, warmup, reps, cellSeconds);
                        op.train();
                    }
                    else
                    {
                        op.train();
                        m = Timing.Time(() =>
                        {
                            using var s = NewDisposeScope();
                            op.zero_grad();
                            x.grad = null;
                            op.call(x).backward(new[] { dy });
                            HyenaOperator.ThrowIfBackwardFailed();
                        }, device, warmup, reps, cellSeconds);
                    }
                    op.ClearFilterCache();
                    var reference = variant.Inference ? attnInfer : attnTrain;
                    double ratio = reference is { Ok: true } && m.Ok ? reference.MedianMs / m.MedianMs : double.NaN;
                    report.Add(Options.FormatLength(length), "hyena", variant.Name, variant.Inference ? "fwd" : "fwd+bwd", m.Status, m.MedianMs, m.MinMs, m.Reps, ratio, m.IssueMedianMs, m.Note);
                    summary.Add((length, variant.Name, m));
                }
            }

            Console.WriteLine();
            Console.WriteLine(report.Table());
            Console.WriteLine(Summary(summary, variants));
            Console.WriteLine($"CSV: {report.Path}");
            return 0;
        }

        /// <summary>Median ms by length (rows) and variant (columns), then attention / Hyena for the last training and inference variants.</summary>
        private static string Summary(List<(long Length, string Name, Measurement M)> cells, List<Variant> variants)
        {
            var names = cells.Select(c => c.Name).Distinct().ToList();
            string? bestTrain = variants.LastOrDefault(v => !v.Inference)?.Name;
            string? bestInfer = variants.LastOrDefault(v => v.Inference)?.Name;
            var columns = new List<string> { "length" };
            columns.AddRange(names.Select(n => n + "_ms"));
            if (bestTrain is not null) columns.Add($"attn/{bestTrain}");
            if (bestInfer is not null) columns.Add($"attn-infer/{bestInfer}");
            var rows = new List<string[]>();
            foreach (var group in cells.GroupBy(c => c.Length))
            {
                var byName = group.ToDictionary(c => c.Name, c => c.M);
                string Cell(string n) => byName.TryGetValue(n, out var m) ? (m.Ok ? Report.Format(m.MedianMs) : m.Status) : "";
                string Ratio(string a, string? b) => b is not null && byName.TryGetValue(a, out var ma) && byName.TryGetValue(b, out var mb) && ma.Ok && mb.Ok
                    ? Report.Format(ma.MedianMs / mb.MedianMs) : "";
                var row = new List<string> { Options.FormatLength(group.Key) };
                row.AddRange(names.Select(Cell));
                if (bestTrain is not null) row.Add(Ratio("attn", bestTrain));
                if (bestInfer is not null) row.Add(Ratio("attn-infer", bestInfer));
                rows.Add(row.ToArray());
            }
            return "Median ms per call (forward+backward; *infer*: forward only)\n" + Report.Aligned(columns, rows);
        }

        /// <summary>
        /// Every variant against fp32-ref on the device at one length: relative L2 error of the output
        /// and (training variants) of the input gradient. Written before any timing.
        /// </summary>
        private static void Verify(HyenaOperator op, List<Variant> variants, torch.Device device, int width, int batch, long length, string path, IEnumerable<string> header)
        {
            using var report = new Report(path, header, "length", "variant", "status", "output_rel_err", "grad_input_rel_err", "grad_params_rel_err");
            Console.WriteLine($"verifying every variant against fp32-ref at length {Options.FormatLength(length)}:");
            try
            {
                using var scope = NewDisposeScope();
                manual_seed(1);
                var x = randn(batch, length, width, device: device);
                var dy = randn(batch, length, width, device: device);

                (Tensor Y, Tensor? Gx, Tensor? Gp) Compute(Variant v)
                {
                    v.Configure(op);
                    if (v.Inference)
                    {
                        op.eval();
                        Tensor y;
                        using (no_grad())
                        {
                            op.call(x).Dispose(); // fills the cache when the variant caches
                            y = op.call(x);
                        }
                        op.train();
                        op.ClearFilterCache();
                        return (y, null, null);
                    }
                    op.train();
                    op.zero_grad();
                    var input = x.clone().requires_grad_(true);
                    var output = op.call(input);
                    output.backward(new[] { dy });
                    HyenaOperator.ThrowIfBackwardFailed();
                    var grads = cat(op.parameters().Select(p => p.grad!.flatten()).ToArray());
                    return (output.detach(), input.grad!.detach(), grads);
                }

                var reference = Compute(new Variant("fp32-ref", false, "", o => o.UseReferencePath()));
                foreach (var v in variants)
                {
                    try
                    {
                        using var variantScope = NewDisposeScope();
                        var r = Compute(v);
                        report.Add(Options.FormatLength(length), v.Name, "ok",
                            Sci(Error(r.Y, reference.Y)), r.Gx is null ? "" : Sci(Error(r.Gx, reference.Gx!)), r.Gp is null ? "" : Sci(Error(r.Gp, reference.Gp!)));
                    }
                    catch (Exception e)
                    {
                        // One variant that fails (an operation its device or type lacks) does not stop the others.
                        report.Add(Options.FormatLength(length), v.Name, Timing.IsOutOfMemory(e) ? "OOM" : "ERR", "", "", "");
                        Console.WriteLine($"  {v.Name} failed: " + Timing.FirstLine(e.Message));
                        op.train();
                        op.ClearFilterCache();
                    }
                }
            }
            catch (Exception e)
            {
                report.Add(Options.FormatLength(length), "all", Timing.IsOutOfMemory(e) ? "OOM" : "ERR", "", "", "");
                Console.WriteLine("  verification failed: " + Timing.FirstLine(e.Message));
            }
            finally
            {
                op.UseReferencePath();
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
            Console.WriteLine(report.Table());
        }

        private static string Sci(double value) => value.ToString("0.00E+00", System.Globalization.CultureInfo.InvariantCulture);

        private static double Error(Tensor actual, Tensor expected)
        {
            using var scope = NewDisposeScope();
            var a = actual.to_type(ScalarType.Float64);
            var e = expected.to_type(ScalarType.Float64);
            return ((a - e).norm() / e.norm()).item<double>();
        }

        public static ScalarType ParseDtype(string text) => text.ToLowerInvariant() switch
        {
            "bf16" or "bfloat16" => ScalarType.BFloat16,
            "fp16" or "float16" or "half" => ScalarType.Float16,
            "fp32" or "float32" or "float" => ScalarType.Float32,
            _ => throw new ArgumentException($"Unknown dtype '{text}': use bf16, fp16 or fp32."),
        };
    }
}
