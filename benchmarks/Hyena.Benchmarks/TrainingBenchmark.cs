using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Threading;
using Microsoft.ML.Hyena;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Hyena.Benchmarks
{
    /// <summary>
    /// <c>training</c>: tokens per second and peak device memory of a Hyena classifier against a
    /// Transformer classifier of the same width, depth and MLP, with AdamW, at several lengths (batch
    /// size per length, the same for both). On CUDA each (model, length) runs in a process of its own
    /// (the hidden verb <c>training-one</c>), so that its peak memory is its own and an out-of-memory
    /// or a crash costs one cell only.
    /// </summary>
    internal static class TrainingBenchmark
    {
        // NaN (a cell that did not run) must survive the trip from the child process.
        private static readonly JsonSerializerOptions Json = new() { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

        private static readonly string[] KnownModels = { "hyena-fp32-ref", "hyena-fp32", "hyena-bf16", "hyena-bf16-composed", "hyena-bf16-f16fft", "hyena-bf16-onchip", "hyena-bf16-cufft", "transformer-fp32", "transformer-bf16" };

        private sealed record Setup(int Width, int Depth, int MlpRatio, int Heads, int Order, int FilterOrder, int Vocabulary, int Classes,
            int WarmupSteps, int Steps, double MaxSeconds, string Optimizer, bool RecomputeBlocks);

        private sealed record CellResult(string Status, int Batch, int Steps, double Seconds, double TokensPerSecond, double StepMs,
            double PeakMemMiB, string MemoryMethod, double Loss, string Note);

        public static int Run(Options options, torch.Device device, string deviceText)
        {
            bool cuda = device.type == DeviceType.CUDA;
            var lengths = options.Lengths("lengths", cuda ? new long[] { 1024, 4096, 16384, 65536 } : new long[] { 128, 256 });
            var models = options.List("models", new[] { "transformer-bf16", "hyena-bf16", "hyena-fp32-ref" });
            long tokensPerBatch = options.Get("tokens-per-batch") is string t ? Options.ParseLength(t) : (cuda ? 65536 : 512);
            var batches = options.Get("batches") is string bs
                ? bs.Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToList()
                : lengths.Select(l => (int)Math.Max(1, tokensPerBatch / l)).ToList();
            if (batches.Count != lengths.Count)
                throw new ArgumentException("--batches needs one batch size per length");
            var setup = ReadSetup(options, cuda);
            bool isolate = options.Bool("isolate", cuda);
            double childTimeout = options.Double("child-timeout", 150);
            double budgetSeconds = options.Double("budget-seconds", 1e9);
            string outDir = options.Get("out", "bench-out");
            options.CheckAllUsed();
            foreach (var model in models)
                if (!KnownModels.Contains(model))
                    throw new ArgumentException($"Unknown model '{model}'; known: {string.Join(", ", KnownModels)}");

            string memoryMethod = cuda
                ? (Nvml.Available
                    ? "peak device memory = NVML used-memory high-water mark (sampled every 10 ms) minus the value after CUDA initialisation, in a process per cell: CUDA context excluded, caching-allocator reserve included (TorchSharp 0.107 has no torch.cuda memory statistics)"
                    : "NVML (libnvidia-ml.so.1) not available: device memory not measured")
                : "peak resident set size of the process (VmHWM)" + (isolate ? ", one process per cell" : ", whole process (not per cell)");
            var header = Machine.Header("training", device, memoryMethod)
                .Append($"setup: width {setup.Width}, depth {setup.Depth}, MLP ratio {setup.MlpRatio}, heads {setup.Heads}, Hyena order {setup.Order}, filter order {setup.FilterOrder}, vocabulary {setup.Vocabulary}, {setup.Classes} classes; {(setup.Optimizer == "fused" ? "FusedAdamW (one kernel a parameter on CUDA)" : "TorchSharp's AdamW")} lr 1e-4 wd 0.01 for both models; {(setup.RecomputeBlocks ? "every block recomputed in the backward pass (activation checkpointing), both models; " : "")}{setup.WarmupSteps} warm-up steps then up to {setup.Steps} timed steps or {setup.MaxSeconds} s")
                .Append("models: hyena-fp32-ref = Hyena blocks on the reference composition in float32; hyena-fp32 = default fast path in float32; hyena-bf16 = default fast path (Auto) with bfloat16 mixed precision (projections, short filter, MLP; FFT in float32); hyena-bf16-composed = hyena-bf16 with the long convolution composed of library calls; hyena-bf16-f16fft = hyena-bf16 with float16 FFTs; hyena-bf16-onchip = hyena-bf16 with the on-chip long convolution at every length it takes (CudaOnChip); hyena-bf16-cufft = hyena-bf16 with the cuFFT node at every length (CudaKernel); transformer-* = pre-norm causal SDPA blocks, MLP in the same precision")
                .Append($"batches: {string.Join(", ", lengths.Zip(batches, (l, b) => $"{Options.FormatLength(l)}x{b}"))}")
                .ToList();

            Console.WriteLine($"training benchmark on {device}: {string.Join(", ", models)}; {(isolate ? "one process per cell" : "in process")}");
            using var report = new Report(Path.Combine(outDir, "training.csv"), header,
                "length", "batch", "model", "status", "tokens_per_s", "step_ms", "peak_mem_mib", "steps", "loss", "hyena_over_transformer", "vs", "note");
            var budget = Stopwatch.StartNew();
            var throughput = new Dictionary<(long, string), double>();
            for (int i = 0; i < lengths.Count; i++)
            {
                long length = lengths[i];
                int batch = batches[i];
                foreach (var model in models)
                {
                    CellResult result;
                    if (budget.Elapsed.TotalSeconds > budgetSeconds)
                        result = new CellResult("SKIP", batch, 0, 0, double.NaN, double.NaN, double.NaN, "", double.NaN, "time budget spent");
                    else if (isolate)
                        result = RunChild(model, length, batch, setup, deviceText, childTimeout);
                    else
                        result = RunCell(model, length, batch, setup, device);
                    if (result.Status == "ok")
                        throughput[(length, model)] = result.TokensPerSecond;
                    double ratio = double.NaN;
                    string partner = "";
                    if (model.StartsWith("hyena", StringComparison.Ordinal) && result.Status == "ok")
                    {
                        partner = model.EndsWith("bf16", StringComparison.Ordinal) ? "transformer-bf16" : "transformer-fp32";
                        if (!throughput.ContainsKey((length, partner)))
                            partner = models.FirstOrDefault(m => m.StartsWith("transformer", StringComparison.Ordinal) && throughput.ContainsKey((length, m))) ?? "";
                        if (throughput.TryGetValue((length, partner), out double other))
                            ratio = result.TokensPerSecond / other;
                        else
                            partner = "";
                    }
                    report.Add(Options.FormatLength(length), batch, model, result.Status, result.TokensPerSecond, result.StepMs, result.PeakMemMiB, result.Steps, result.Loss, ratio, partner, result.Note);
                }
            }
            Console.WriteLine();
            Console.WriteLine(report.Table());
            Console.WriteLine("hyena_over_transformer: Hyena tokens/s divided by those of the Transformer named in 'vs' (same precision when measured), at the same length and batch; Transformers are measured first by default.");
            Console.WriteLine($"CSV: {report.Path}");
            return 0;
        }

        private static Setup ReadSetup(Options options, bool cuda) => new(
            Width: options.Int("width", cuda ? 768 : 32),
            Depth: options.Int("depth", cuda ? 4 : 2),
            MlpRatio: options.Int("mlp-ratio", 4),
            Heads: options.Int("heads", cuda ? 12 : 4),
            Order: options.Int("order", 2),
            FilterOrder: options.Int("filter-order", 64),
            Vocabulary: options.Int("vocab", 256),
            Classes: options.Int("classes", 2),
            WarmupSteps: options.Int("warmup-steps", 2),
            Steps: options.Int("steps", cuda ? 8 : 3),
            MaxSeconds: options.Double("max-seconds", cuda ? 4 : 10),
            Optimizer: ReadOptimizer(options),
            RecomputeBlocks: options.Bool("recompute-blocks", false));

        // "fused" (FusedAdamW, what the trainers use: one kernel a parameter on CUDA) or "adamw" (TorchSharp's AdamW).
        private static string ReadOptimizer(Options options)
        {
            string optimizer = options.Get("optimizer") ?? "fused";
            if (optimizer != "fused" && optimizer != "adamw")
                throw new ArgumentException($"--optimizer must be fused or adamw; got '{optimizer}'.");
            return optimizer;
        }

        /// <summary>The hidden verb run in a child process: one cell, printed as one JSON line.</summary>
        public static int RunOne(Options options, torch.Device device)
        {
            bool cuda = device.type == DeviceType.CUDA;
            string model = options.Get("model") ?? throw new ArgumentException("--model is required");
            long length = Options.ParseLength(options.Get("length") ?? throw new ArgumentException("--length is required"));
            int batch = options.Int("batch", 1);
            var setup = ReadSetup(options, cuda);
            options.CheckAllUsed();
            var result = RunCell(model, length, batch, setup, device);
            Console.WriteLine("RESULT " + JsonSerializer.Serialize(result, Json));
            return 0;
        }

        private static CellResult RunChild(string model, long length, int batch, Setup setup, string deviceText, double timeoutSeconds)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
                start.ArgumentList.Add(Assembly.GetEntryAssembly()!.Location);
            foreach (var arg in new[]
            {
                "training-one", "--device", deviceText, "--model", model, "--length", length.ToString(CultureInfo.InvariantCulture),
                "--batch", batch.ToString(CultureInfo.InvariantCulture),
                "--width", setup.Width.ToString(CultureInfo.InvariantCulture), "--depth", setup.Depth.ToString(CultureInfo.InvariantCulture),
                "--mlp-ratio", setup.MlpRatio.ToString(CultureInfo.InvariantCulture), "--heads", setup.Heads.ToString(CultureInfo.InvariantCulture),
                "--order", setup.Order.ToString(CultureInfo.InvariantCulture), "--filter-order", setup.FilterOrder.ToString(CultureInfo.InvariantCulture),
                "--vocab", setup.Vocabulary.ToString(CultureInfo.InvariantCulture), "--classes", setup.Classes.ToString(CultureInfo.InvariantCulture),
                "--warmup-steps", setup.WarmupSteps.ToString(CultureInfo.InvariantCulture), "--steps", setup.Steps.ToString(CultureInfo.InvariantCulture),
                "--max-seconds", setup.MaxSeconds.ToString(CultureInfo.InvariantCulture), "--optimizer", setup.Optimizer,
                "--recompute-blocks", setup.RecomputeBlocks ? "true" : "false",
                "--tf32", Machine.Tf32 ? "true" : "false",
            })
                start.ArgumentList.Add(arg);

            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(timeoutSeconds)))
            {
                try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                process.WaitForExit();
                return new CellResult("TIMEOUT", batch, 0, 0, double.NaN, double.NaN, double.NaN, "", double.NaN, $"killed after {timeoutSeconds} s");
            }
            process.WaitForExit();
            string output = stdout.Result;
            var line = output.Split('\n').LastOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
            if (line is not null)
                return JsonSerializer.Deserialize<CellResult>(line.Substring("RESULT ".Length), Json)!;
            string error = (stderr.Result + "\n" + output).Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.Length > 0) ?? "";
            string status = error.Contains("out of memory", StringComparison.OrdinalIgnoreCase) ? "OOM" : "ERR";
            return new CellResult(status, batch, 0, 0, double.NaN, double.NaN, double.NaN, "", double.NaN, $"exit code {process.ExitCode}: {Timing.FirstLine(error)}");
        }

        private static CellResult RunCell(string model, long length, int batch, Setup setup, torch.Device device)
        {
            bool cuda = device.type == DeviceType.CUDA;
            int index = device.index < 0 ? 0 : device.index;
            using var sampler = cuda ? new MemorySampler(index) : null;
            string method = cuda ? (sampler!.Works ? "nvml" : "none") : "rss";
            try
            {
                using var scope = NewDisposeScope();
                manual_seed(1);
                using var net = Build(model, setup, (int)length);
                net.RecomputeBlocks = setup.RecomputeBlocks;
                net.to(device);
                net.train();
                using var optimizer = setup.Optimizer == "fused"
                    ? new FusedAdamW(net.parameters(), 1e-4, weightDecay: 0.01)
                    : optim.AdamW(net.parameters(), lr: 1e-4, weight_decay: 0.01);
                var tokens = randint(0, setup.Vocabulary, new long[] { batch, length }, dtype: ScalarType.Int64, device: device);
                var labels = randint(0, setup.Classes, new long[] { batch }, dtype: ScalarType.Int64, device: device);
                Tensor? lastLoss = null;

                void Step()
                {
                    using var s = NewDisposeScope();
                    optimizer.zero_grad();
                    var loss = nn.functional.cross_entropy(net.call(tokens), labels);
                    loss.backward();
                    HyenaOperator.ThrowIfBackwardFailed();
                    optimizer.step();
                    lastLoss?.Dispose();
                    lastLoss = loss.detach().MoveToOuterDisposeScope();
                }

                for (int i = 0; i < setup.WarmupSteps; i++)
                    Step();
                Timing.Synchronize(device);
                var watch = Stopwatch.StartNew();
                int steps = 0;
                while (steps < setup.Steps && (steps < 2 || watch.Elapsed.TotalSeconds < setup.MaxSeconds))
                {
                    Step();
                    steps++;
                }
                Timing.Synchronize(device);
                double seconds = watch.Elapsed.TotalSeconds;
                double loss = lastLoss!.item<float>();
                double memory = cuda ? sampler!.PeakMiB : Machine.PeakRssMiB();
                return new CellResult("ok", batch, steps, seconds, steps * batch * length / seconds, 1000 * seconds / steps, memory, method, loss, "");
            }
            catch (Exception e)
            {
                bool oom = Timing.IsOutOfMemory(e);
                double memory = cuda ? sampler!.PeakMiB : Machine.PeakRssMiB();
                return new CellResult(oom ? "OOM" : "ERR", batch, 0, 0, double.NaN, double.NaN, memory, method, double.NaN,
                    (oom ? "" : e.GetType().Name + ": ") + Timing.FirstLine(e.Message));
            }
            finally
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }

        private static Classifier Build(string model, Setup s, int length) => model switch
        {
            "hyena-fp32-ref" => Classifier.Hyena(s.Vocabulary, s.Width, s.Depth, s.MlpRatio, s.Classes, length, s.Order, s.FilterOrder, b => b.Mixer.UseReferencePath()),
            "hyena-fp32" => Classifier.Hyena(s.Vocabulary, s.Width, s.Depth, s.MlpRatio, s.Classes, length, s.Order, s.FilterOrder, b => { }),
            "hyena-bf16" => Classifier.Hyena(s.Vocabulary, s.Width, s.Depth, s.MlpRatio, s.Classes, length, s.Order, s.FilterOrder, b => b.ComputeDtype = ScalarType.BFloat16),
            "hyena-bf16-composed" => Classifier.Hyena(s.Vocabulary, s.Width, s.Depth, s.MlpRatio, s.Classes, length, s.Order, s.FilterOrder, b => { b.ComputeDtype = ScalarType.BFloat16; b.Mixer.LongConvolution = LongConvolutionImplementation.Composed; }),
            "hyena-bf16-cufft" => Classifier.Hyena(s.Vocabulary, s.Width, s.Depth, s.MlpRatio, s.Classes, length, s.Order, s.FilterOrder, b => { b.ComputeDtype = ScalarType.BFloat16; b.Mixer.LongConvolution = LongConvolutionImplementation.CudaKernel; }),
            "hyena-bf16-onchip" => Classifier.Hyena(s.Vocabulary, s.Width, s.Depth, s.MlpRatio, s.Classes, length, s.Order, s.FilterOrder, b => { b.ComputeDtype = ScalarType.BFloat16; b.Mixer.LongConvolution = LongConvolutionImplementation.CudaOnChip; }),
            "hyena-bf16-f16fft" => Classifier.Hyena(s.Vocabulary, s.Width, s.Depth, s.MlpRatio, s.Classes, length, s.Order, s.FilterOrder, b => { b.ComputeDtype = ScalarType.BFloat16; b.Mixer.HalfPrecisionTransforms = true; }),
            "transformer-fp32" => Classifier.Transformer(s.Vocabulary, s.Width, s.Depth, s.MlpRatio, s.Classes, s.Heads, null),
            "transformer-bf16" => Classifier.Transformer(s.Vocabulary, s.Width, s.Depth, s.MlpRatio, s.Classes, s.Heads, ScalarType.BFloat16),
            _ => throw new ArgumentException("unknown model " + model),
        };

        /// <summary>Samples NVML's used device memory every 10 ms; <see cref="PeakMiB"/> is the high-water mark above the value at creation.</summary>
        private sealed class MemorySampler : IDisposable
        {
            private readonly int _index;
            private readonly double _baseline;
            private readonly Thread? _thread;
            private volatile bool _stop;
            private double _peak;

            public MemorySampler(int index)
            {
                _index = index;
                // The CUDA context exists once the device has run something: make it exist before the baseline.
                using (var warm = zeros(1, device: new Device(DeviceType.CUDA, index)))
                    Timing.Synchronize(new Device(DeviceType.CUDA, index));
                var first = Nvml.MemoryInfo(index);
                Works = first is not null;
                if (!Works)
                    return;
                _baseline = first!.Value.Used / (1024.0 * 1024.0);
                _peak = _baseline;
                _thread = new Thread(Sample) { IsBackground = true, Name = "nvml-sampler" };
                _thread.Start();
            }

            public bool Works { get; }

            public double PeakMiB
            {
                get
                {
                    if (!Works)
                        return double.NaN;
                    Read();
                    return Math.Max(0, _peak - _baseline);
                }
            }

            private void Read()
            {
                if (Nvml.MemoryInfo(_index) is { } m)
                {
                    double used = m.Used / (1024.0 * 1024.0);
                    if (used > _peak)
                        _peak = used;
                }
            }

            private void Sample()
            {
                while (!_stop)
                {
                    Read();
                    Thread.Sleep(10);
                }
            }

            public void Dispose()
            {
                _stop = true;
                _thread?.Join();
            }
        }
    }
}
