using System;
using System.Linq;
using Microsoft.ML.Hyena;
using TorchSharp;

namespace Hyena.Benchmarks
{
    internal static class Program
    {
        private const string Usage = @"Hyena.Benchmarks <verb> [--option value ...]

Verbs (each prints an aligned table and writes CSV files under --out):
  operator   Hyena operator vs a multi-head attention block, forward+backward (and forward-only
             inference variants), batch 1, by sequence length.
             --lengths 2k,4k,...,128k        lengths for both (default on CUDA: 2k..128k; CPU: 256,512)
             --hyena-only-lengths 256k,512k,1M   (CPU: 1k)
             --variants fp32-ref,fp32-fold,fp32-fast,bf16-conv1d,bf16-fast,infer-fp32,infer-bf16,infer-bf16-cached
                        (the NVRTC short-filter kernels that Auto picks on CUDA, only when listed: fp32-kernel,bf16-kernel,infer-bf16-kernel;
                         with the fused gated long convolution too: fp32-fused,bf16-fused,bf16-fused-f16fft,infer-bf16-fused,infer-bf16-fused-f16fft;
                         with the on-chip long convolution: fp32-onchip,bf16-onchip,infer-bf16-onchip;
                         the defaults in bfloat16, as the trainers run: bf16-auto,infer-bf16-auto)
             --width 768 --order 2 --filter-order 64 --heads 12 --batch 1 --attention-dtype bf16
             --warmup 2 --reps 10 --max-seconds 2 (per cell) --budget-seconds S (then SKIP)
             --verify-length 8k (every variant vs fp32-ref on the device first; 0: off)
  training   Tokens/s and peak device memory: Hyena classifier vs Transformer classifier (same width,
             depth, MLP), AdamW (fused), by length; one process per cell on CUDA.
             --lengths 1k,4k,16k,64k  --tokens-per-batch 64k (batch = tokens / length) or --batches 64,16,4,1
             --models transformer-bf16,hyena-bf16,hyena-fp32-ref (also hyena-fp32, hyena-bf16-composed, hyena-bf16-f16fft, hyena-bf16-onchip, hyena-bf16-cufft, transformer-fp32)
             --width 768 --depth 4 --mlp-ratio 4 --heads 12 --order 2 --filter-order 64
             --warmup-steps 2 --steps 8 --max-seconds 4 --isolate true --child-timeout 150 --budget-seconds S
             --optimizer fused (FusedAdamW, as the trainers) or adamw (TorchSharp's AdamW), for every model
             --recompute-blocks false (true: activation checkpointing, every block of both models recomputed in
             the backward pass, as the trainers' RecomputeBlocks)

  trainer    The ML.NET text trainer end to end (run it with --device cpu for the CPU figures):
             training tokens/s, single-row PredictionEngine latency, batched Transform rows/s, by length.
             --lengths 256,1024,4096 --rows 512 --width 64 --depth 2 --batch 16 --scoring-batch 64 --predictions 50

  host-overhead   What a tiny operator costs when the arithmetic is negligible: one library operation with and
             without autograd, the implicit filter, the filter's spectrum, the bfloat16 projections, short filter
             and long convolution node (cuFFT, on-chip), the whole operator (fp32-ref, bf16-auto). With
             --width 768 --length 65536 --filter-order 64, where a long operator's time goes. --pieces false:
             the whole operator only; --reference false: without fp32-ref (for lengths like 1M).
             --trace-reps N: then N passes of bf16-auto traced on the host (host-trace.csv): the forward's issue
             time, backward()'s, and each hand-written backward node's own time and the gap before it (medians).
             --width 8 --length 16 --filter-order 8 --warmup 20 --reps 200 --pieces true --reference true --trace-reps 0

  check-libtorch   Lists the symbols libLibTorchSharp.so needs that the loaded libtorch lacks, then
             runs each operation the benchmarks use once on tiny tensors (a crash names its operation).

Common options:
  --device auto|cpu|cuda|cuda:N   (default auto: CUDA when a CUDA libtorch and a device are found)
  --out DIR                      (default bench-out)
  --tf32 false|true              float32 matrix products in TF32 on CUDA (default false, as in PyTorch)
";

        public static int Main(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                Console.WriteLine(Usage);
                return args.Length == 0 ? 2 : 0;
            }
            string verb = args[0];
            try
            {
                var options = new Options(args.Skip(1));
                string deviceText = options.Get("device", "auto");
                // Before any tensor: CUDA discovery loads the libtorch it finds (see TorchBackend).
                var device = HyenaDevice.Parse(deviceText).Resolve();
                Console.WriteLine($"device: {device}; {TorchBackend.CudaReport}");
                if (device.type == DeviceType.CUDA)
                    Console.WriteLine($"GPU: {Machine.GpuName(device.index < 0 ? 0 : device.index) ?? "unknown"}");
                Console.WriteLine($"CPU: {Machine.CpuModel()} x {Environment.ProcessorCount}; native fix: {Microsoft.ML.Hyena.Native.TorchSharpNativeLoader.Report}");
                string resolved = device.type == DeviceType.CUDA ? $"cuda:{(device.index < 0 ? 0 : device.index)}" : "cpu";
                // PyTorch's default: float32 matrix products in full float32 (no TF32).
                bool tf32 = options.Bool("tf32", false);
                if (device.type == DeviceType.CUDA)
                    torch.backends.cuda.matmul.allow_tf32 = tf32;
                Machine.Tf32 = tf32;
                return verb switch
                {
                    "operator" => OperatorBenchmark.Run(options, device),
                    "training" => TrainingBenchmark.Run(options, device, resolved),
                    "training-one" => TrainingBenchmark.RunOne(options, device),
                    "check-libtorch" => LibTorchCheck.Run(options, device),
                    "trainer" => TrainerBenchmark.Run(options, device, resolved),
                    "host-overhead" => HostOverheadBenchmark.Run(options, device),
                    _ => Fail($"Unknown verb '{verb}'.\n\n{Usage}"),
                };
            }
            catch (Exception e) when (e is ArgumentException || e is FormatException || e is InvalidOperationException)
            {
                return Fail(e.Message);
            }
        }

        private static int Fail(string message)
        {
            Console.Error.WriteLine(message);
            return 2;
        }
    }
}
