using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML.Hyena;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace Hyena.Benchmarks
{
    /// <summary>
    /// <c>check-libtorch</c>: whether TorchSharp's native library fits the libtorch loaded (TorchSharp
    /// 0.107 is built for libtorch 2.10; a PyTorch install may be newer). Lists the symbols that
    /// libLibTorchSharp.so needs and the loaded libtorch does not export (calling a TorchSharp function
    /// that uses one ends the process with "symbol lookup error"), then runs every operation the
    /// benchmarks use once on tiny tensors, printing each name first, so a crash names its operation.
    /// </summary>
    internal static class LibTorchCheck
    {
        // The kernel checks' failures (a value outside its bound, a kernel not used, an unexpected exception), each named
        // by its check, and the check that runs (Attempt sets it): the exit code is 1 when any failed.
        private static readonly List<string> _failures = new();
        private static string _current = "";

        /// <summary>Bound of a float32 kernel's relative L2 error against its reference (the checks have measured at most 1e-6).</summary>
        private const double Float32Bound = 1e-5;

        public static int Run(Options options, torch.Device device)
        {
            string outDir = options.Get("out", "bench-out");
            bool checkKernels = options.Bool("kernels", true);
            options.CheckAllUsed();
            Directory.CreateDirectory(outDir);
            var log = new StringBuilder();
            void Say(string line)
            {
                Console.WriteLine(line);
                Console.Out.Flush();
                log.AppendLine(line);
                File.WriteAllText(Path.Combine(outDir, "check-libtorch.txt"), log.ToString());
            }

            foreach (var line in Machine.Header("check-libtorch", device, "-"))
                Say(line);
            if (TorchBackend.CudaSearch is { } search)
                Say("search: " + search.Describe());

            using (var probe = zeros(1, device: device)) { } // loads the native backend
            string? library = LoadedPath("libLibTorchSharp.so");
            Say($"libLibTorchSharp.so: {library ?? "not found in /proc/self/maps"}; libtorch_cpu.so: {LoadedPath("libtorch_cpu.so") ?? "?"}; libtorch_cuda.so: {LoadedPath("libtorch_cuda.so") ?? "not loaded"}");
            if (library is not null)
            {
                var undefined = UndefinedSymbols(library);
                var handle = NativeLibrary.Load(library);
                // std::ios_base_library_init() is GCC 13's never-called marker (see docs: the GLIBCXX_3.4.32 fix).
                var missing = undefined.Where(s => s != "_ZSt21ios_base_library_initv" && !NativeLibrary.TryGetExport(handle, s, out _)).ToList();
                Say($"symbols: libLibTorchSharp.so needs {undefined.Count} (non-weak), {missing.Count} not exported by the libraries loaded");
                foreach (string name in missing.Take(300))
                    Say("  missing: " + name);
            }

            var x = randn(2, 6, 8, device: device);
            Check(Say, "linear bf16", () => nn.functional.linear(x.to_type(ScalarType.BFloat16), randn(8, 8, device: device).to_type(ScalarType.BFloat16)));
            Check(Say, "conv1d depthwise", () => nn.functional.conv1d(x, randn(6, 1, 3, device: device), randn(6, device: device), padding: 2, groups: 6));
            Check(Say, "conv1d depthwise bf16", () => nn.functional.conv1d(x.to_type(ScalarType.BFloat16), randn(6, 1, 3, device: device).to_type(ScalarType.BFloat16), null, padding: 2, groups: 6));
            Check(Say, "pad/unfold/sum", () => (nn.functional.pad(x, new long[] { 2, 0 }).unfold(-1, 3, 1) * randn(6, 1, 3, device: device)).sum(-1));
            Check(Say, "rfft/irfft", () => fft.irfft(fft.rfft(x, 16) * fft.rfft(x, 16, norm: FFTNormType.Forward), 16, norm: FFTNormType.Forward));
            Check(Say, "index_add_", () => zeros(2, 6, device: device).index_add_(-1, zeros(1, ScalarType.Int64, device), ones(2, 1, device: device), 1));
            Check(Say, "sdpa causal bf16", () =>
            {
                var q = randn(1, 2, 16, 64, device: device).to_type(ScalarType.BFloat16);
                return nn.functional.scaled_dot_product_attention(q, q, q, is_casual: true);
            });
            Check(Say, "operator fwd+bwd (fast, bf16)", () =>
            {
                using var op = new HyenaOperator(new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 16, FilterOrder = 8 });
                op.to(device);
                op.ComputeDtype = ScalarType.BFloat16;
                op.ShortFilterImplementation = ShortFilterImplementation.ShiftedMultiplyAdd;
                var input = randn(2, 16, 8, device: device).requires_grad_(true);
                op.call(input).sum().backward();
                return input.grad!;
            });
            Check(Say, "operator fwd+bwd (reference)", () =>
            {
                using var op = new HyenaOperator(new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 16, FilterOrder = 8 });
                op.to(device);
                op.UseReferencePath();
                var input = randn(2, 16, 8, device: device).requires_grad_(true);
                op.call(input).sum().backward();
                return input.grad!;
            });
            Check(Say, "classifiers + AdamW", () =>
            {
                using var hyena = Classifier.Hyena(256, 16, 1, 2, 2, 32, 2, 8, b => b.ComputeDtype = ScalarType.BFloat16);
                using var transformer = Classifier.Transformer(256, 16, 1, 2, 2, 2, ScalarType.BFloat16);
                Tensor last = zeros(1);
                foreach (nn.Module<Tensor, Tensor> net in new nn.Module<Tensor, Tensor>[] { hyena, transformer })
                {
                    net.to(device);
                    using var optimizer = optim.AdamW(net.parameters(), lr: 1e-4, weight_decay: 0.01);
                    var tokens = randint(0, 256, new long[] { 2, 32 }, dtype: ScalarType.Int64, device: device);
                    var loss = nn.functional.cross_entropy(net.call(tokens), randint(0, 2, new long[] { 2 }, dtype: ScalarType.Int64, device: device));
                    loss.backward();
                    optimizer.step();
                    last = loss;
                }
                return last;
            });
            bool optionsPass = true;
            if (device.type == DeviceType.CUDA && checkKernels)
            {
                CheckKernels(Say, device);
                CheckWidenedBiasAdd(Say, device);
                CheckWideningProduct(Say, device);
                CheckFusedAdamW(Say, device);
                CheckLayerNorm(Say, device);
                CheckLinearGelu(Say, device);
                CheckBlockRecompute(Say, device);
                CheckSinActivation(Say, device);
                CheckFilterMlp(Say, device);
                CheckBFloat16FilterSpectrum(Say, device);
                CheckOnChipConvolution(Say, device);
                CheckFourStepFilterSpectrum(Say, device);
                CheckCachedInference(Say, device);
                CheckUnmodulatedFilter(Say, device);
                optionsPass = CheckOptionMatrix(Say, device);
            }
            if (_failures.Count == 0)
                Say(device.type == DeviceType.CUDA && checkKernels ? "kernel checks: PASS, every value within its bound" : "kernel checks: not run (CUDA only)");
            else
            {
                Say($"kernel checks: FAIL, {_failures.Count} outside their bounds or failed:");
                foreach (string failure in _failures)
                    Say("  " + failure);
            }
            bool pass = optionsPass && _failures.Count == 0;
            Say(pass ? "check-libtorch done" : $"check-libtorch done: {(optionsPass ? "" : "the option matrix FAILED; ")}{(_failures.Count == 0 ? "" : "kernel checks FAILED; ")}exit code 1");
            return pass ? 0 : 1;
        }

        /// <summary>
        /// The NVRTC short-filter kernels (what Auto picks on CUDA) against Conv1d on the device (float32 and bfloat16), with
        /// the input projection's bias folded in (conv(x + b)) as the operator runs them, at a length of whole 16-byte
        /// vectors and one of not, at the operator's kernel size 3 and at 7 (the backward kernel for more than 4 taps, which
        /// the operator does not run): relative L2 errors of the output and of the four gradients. Then the filter spectrum's
        /// kernels against its library calls and libtorch's gradients. Last, because a faulty kernel can leave the CUDA
        /// context unusable.
        /// </summary>
        private static void CheckKernels(Action<string> say, torch.Device device)
        {
            foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
            {
                foreach (var (length, kernelSize) in new (long, int)[] { (1003, 3), (4096, 3), (1003, 7), (4096, 7) })
                {
                    Attempt(say, $"NVRTC short-filter kernel {dtype}{(kernelSize == 3 ? "" : $" K={kernelSize}")} L={length}", () =>
                    {
                        manual_seed(3);
                        using var filter = new ShortFilter("short_filter", 24, kernelSize);
                        filter.to(device);
                        var x = randn(2, 24, length, device: device).to_type(dtype);
                        var inputBias = randn(24, device: device);
                        var probe = randn(2, 24, length, device: device).to_type(dtype);
                        (Tensor y, Tensor gx, Tensor gw, Tensor gb, Tensor gpb) Run(ShortFilterImplementation implementation)
                        {
                            filter.zero_grad();
                            filter.Implementation = implementation;
                            var input = x.clone().requires_grad_(true);
                            var pb = inputBias.clone().requires_grad_(true);
                            var y = filter.Apply(input, dtype, pb);
                            (y.to_type(ScalarType.Float32) * probe.to_type(ScalarType.Float32)).sum().backward();
                            return (y.detach(), input.grad!.clone(), filter.Weight.grad!.clone(), filter.BiasParameter.grad!.clone(), pb.grad!.clone());
                        }
                        var reference = Run(ShortFilterImplementation.Conv1d);
                        var kernel = Run(ShortFilterImplementation.CudaKernel);
                        Timing.Synchronize(device);
                        double bound = dtype == ScalarType.Float32 ? Float32Bound : 2e-2;   // bfloat16: its rounding, about 3e-3 measured
                        return $"relative error vs Conv1d: output {Err(kernel.y, reference.y, bound)}, grad input {Err(kernel.gx, reference.gx, bound)}, grad weight {Err(kernel.gw, reference.gw, bound)}, grad bias {Err(kernel.gb, reference.gb, bound)}, grad input bias {Err(kernel.gpb, reference.gpb, bound)}; {ShortFilter.CudaKernelReport}";
                    });
                }
            }
            foreach (long length in new long[] { 1, 33, 1000, 65536 })
            {
                Attempt(say, $"filter spectrum kernels L={length}", () =>
                {
                    manual_seed(4);
                    var filter = randn(length, 2, 24, device: device);       // positions first, as the operator's filter
                    var bias = randn(2, 24, device: device);
                    var probe = randn(2, 24, length + 1, dtype: ScalarType.ComplexFloat32, device: device);
                    (Tensor s, Tensor gk, Tensor gb) Run(bool kernels)
                    {
                        var k = filter.clone().requires_grad_(true);
                        var b = bias.clone().requires_grad_(true);
                        var view = k.permute(1, 2, 0);                               // (2, 24, L)
                        var s = kernels ? FftConvolution.FilterSpectrum(view, b) : FilterSpectrumFunction.Compose(view, b);
                        (s * probe).real.sum().backward();
                        return (s.detach(), k.grad!.clone(), b.grad!.clone());
                    }
                    if (!FilterSpectrumFunction.KernelsApply(filter.permute(1, 2, 0), bias))
                        throw new InvalidOperationException("the filter spectrum kernels do not apply to the operator's layout");
                    var reference = Run(kernels: false);
                    var kernel = Run(kernels: true);
                    Timing.Synchronize(device);
                    return $"relative error vs library calls and libtorch's gradients: spectrum {Err(view_as_real(kernel.s), view_as_real(reference.s), Float32Bound)}, grad filter {Err(kernel.gk, reference.gk, Float32Bound)}, grad skip {Err(kernel.gb, reference.gb, Float32Bound)}";
                });
                Attempt(say, $"filter spectrum kernels with the window L={length}", () =>
                {
                    manual_seed(6);
                    var hidden = randn(length, 2, 24, device: device);        // the MLP's output, positions first
                    var bias = randn(2, 24, device: device);
                    var times = linspace(0, 1, length, device: device);
                    var deltas = -linspace(0.3, 4.6, 48, device: device).view(2, 24);
                    var probe = randn(2, 24, length + 1, dtype: ScalarType.ComplexFloat32, device: device);
                    (Tensor s, Tensor gh, Tensor gb) Run(bool kernels)
                    {
                        var h = hidden.clone().requires_grad_(true);
                        var b = bias.clone().requires_grad_(true);
                        var view = h.permute(1, 2, 0);                               // (2, 24, L)
                        var s = kernels
                            ? FilterSpectrumFunction.ApplyWindowed(view, b, new FilterSpectrumFunction.Window(times, deltas, 0.05f))
                            : FilterSpectrumFunction.Compose(view * (exp(-times * deltas.abs().unsqueeze(-1)) + 0.05), b);
                        (s * probe).real.sum().backward();
                        return (s.detach(), h.grad!.clone(), b.grad!.clone());
                    }
                    var reference = Run(kernels: false);
                    var kernel = Run(kernels: true);
                    Timing.Synchronize(device);
                    return $"relative error vs the window and the library calls, libtorch's gradients: spectrum {Err(view_as_real(kernel.s), view_as_real(reference.s), Float32Bound)}, grad filter {Err(kernel.gh, reference.gh, Float32Bound)}, grad skip {Err(kernel.gb, reference.gb, Float32Bound)}";
                });
            }
        }

        /// <summary>
        /// The filter spectrum's kernels reading a bfloat16 filter (the MLP's last product in bfloat16) against the float32
        /// kernels reading the same values widened, with each transform (cuFFT at 8k, the four-step kernels at 64k): the
        /// spectrum and the skip term's gradient must be identical, the filter's gradient the float32 one rounded to
        /// bfloat16 (the kernel rounds as it writes, as a cast does). Then the same bfloat16 filter laid out channels first
        /// (the channels-first kernels, as the operator runs them) against it laid out positions first: all identical with
        /// cuFFT; with the four-step kernels, whose channels-first steps keep their buffer in bfloat16 for a bfloat16 filter
        /// (FourStepFftConvolution.Buffer) where the positions-first path transforms a float32 padded copy, relative errors
        /// within 5e-3 (one more rounding to bfloat16: about 1.6e-3). Prints the largest differences (relative errors).
        /// </summary>
        private static void CheckBFloat16FilterSpectrum(Action<string> say, torch.Device device)
        {
            foreach (var (length, kernelOrder) in new[] { (8192L, false), (65536L, true) })
            {
                Attempt(say, $"filter spectrum kernels, bfloat16 filter, L={length}", () =>
                {
                    manual_seed(8);
                    var hidden = randn(length, 2, 24, device: device).to_type(ScalarType.BFloat16);
                    var bias = randn(2, 24, device: device);
                    var times = linspace(0, 1, length, device: device);
                    var deltas = -linspace(0.3, 4.6, 48, device: device).view(2, 24);
                    var probe = randn(2, 24, length + 1, dtype: ScalarType.ComplexFloat32, device: device);
                    // channelsFirst: the same filter laid out (2, 24, L) contiguous, as the operator's MLP writes it now.
                    (Tensor s, Tensor gh, Tensor gb) Run(ScalarType type, bool channelsFirst = false)
                    {
                        var h = (channelsFirst ? hidden.permute(1, 2, 0).contiguous() : hidden).to_type(type).detach().clone().requires_grad_(true);
                        var b = bias.clone().requires_grad_(true);
                        var s = FilterSpectrumFunction.ApplyWindowed(channelsFirst ? h : h.permute(1, 2, 0), b, new FilterSpectrumFunction.Window(times, deltas, 0.05f), kernelOrder);
                        (s * probe).real.sum().backward();
                        return (s.detach(), channelsFirst ? h.grad!.permute(2, 0, 1).contiguous() : h.grad!.clone(), b.grad!.clone());
                    }
                    var wide = Run(ScalarType.Float32);
                    var narrow = Run(ScalarType.BFloat16);
                    var first = Run(ScalarType.BFloat16, channelsFirst: true);
                    var rounded = wide.gh.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32);
                    string layouts = kernelOrder
                        ? $"channels first (bfloat16 buffer) against positions first: relative error of the spectrum {Err(view_as_real(first.s), view_as_real(narrow.s), 5e-3)}, " +
                          $"grad filter {Err(first.gh.to_type(ScalarType.Float32), narrow.gh.to_type(ScalarType.Float32), 5e-3)}, grad skip {Err(first.gb, narrow.gb, 5e-3)}"
                        : $"channels first from positions first: spectrum {Same(view_as_real(first.s), view_as_real(narrow.s)):E2}, grad filter {Same(first.gh.to_type(ScalarType.Float32), narrow.gh.to_type(ScalarType.Float32)):E2}, grad skip {Same(first.gb, narrow.gb):E2}";
                    return $"{(kernelOrder ? "four-step kernels" : "cuFFT")}: largest difference from the float32 kernels: spectrum {Same(view_as_real(narrow.s), view_as_real(wide.s)):E2}, " +
                        $"grad filter ({narrow.gh.dtype}) from float32's rounded {Same(narrow.gh.to_type(ScalarType.Float32), rounded):E2}, grad skip {Same(narrow.gb, wide.gb):E2}; " + layouts;
                });
            }
        }

        /// <summary>
        /// The sine activation's kernels (the filter MLP's sin(freq x), and sin(freq (x + bias)) with the Linear layer's
        /// bias) against the library calls and autograd's gradients: whether the kernels took the call, and the relative L2
        /// errors of the output and of x's, the frequency's and the bias's gradients, for the operator's shape at 64k
        /// (filter order 64) and one whose features do not fill a tile. The output is the same float32 operations as the
        /// library calls', so its error is expected to be 0.
        /// </summary>
        private static void CheckSinActivation(Action<string> say, torch.Device device)
        {
            foreach (var shape in new[] { new long[] { 1, 65536, 64 }, new long[] { 3, 1001, 70 } })
            foreach (bool withBias in new[] { false, true })
            {
                Attempt(say, $"sin activation kernels ({string.Join(" x ", shape)}{(withBias ? ", with bias" : "")})", () =>
                {
                    manual_seed(9);
                    var input = randn(shape, device: device);
                    var frequency = (rand(1, shape[^1], device: device) * 14 + 1);
                    var inputBias = randn(shape[^1], device: device);
                    var probe = randn(shape, device: device);
                    (Tensor y, Tensor gx, Tensor gf, Tensor? gb) Run(bool kernels)
                    {
                        var x = input.clone().requires_grad_(true);
                        var f = frequency.clone().requires_grad_(true);
                        var b = withBias ? inputBias.clone().requires_grad_(true) : null;
                        var y = kernels ? Microsoft.ML.Hyena.Kernels.SinActivationFunction.Apply(x, f, b) : sin(f * (b is null ? x : x + b));
                        (y * probe).sum().backward();
                        return (y.detach(), x.grad!.clone(), f.grad!.clone(), b?.grad!.clone());
                    }
                    bool used = Microsoft.ML.Hyena.Kernels.SinActivationFunction.KernelApplies(input, frequency, withBias ? inputBias : null);
                    var reference = Run(kernels: false);
                    var kernel = Run(kernels: true);
                    Timing.Synchronize(device);
                    string bias = withBias ? $", grad bias {Err(kernel.gb!, reference.gb!, Float32Bound)}" : "";
                    return $"kernels {Used(used)}; relative error vs the library calls: output {Err(kernel.y, reference.y, 0)}, grad x {Err(kernel.gx, reference.gx, 0)}, grad frequency {Err(kernel.gf, reference.gf, Float32Bound)}{bias}";
                });
            }
        }

        /// <summary>
        /// The filter MLP's kernels (its hidden layers, Linear and Sin, as one node) against the library calls and autograd's
        /// gradients: whether the kernels took the call, and the relative L2 errors of the output and of the gradients of z,
        /// the frequency, every weight and every bias, for the operator's MLP at 64k (width 64, embedding 3, three layers),
        /// a single layer of width 16 and a wider embedding, and four layers of width 32; and the operator's MLP with its
        /// weights frozen (no gradient asked for them: none given, the others as before). The sums run in another order
        /// than cuBLAS's, so the errors are expected near float32's rounding, not 0.
        /// </summary>
        private static void CheckFilterMlp(Action<string> say, torch.Device device)
        {
            foreach (var (length, width, embedding, layers, frozen) in new[] { (65536L, 64, 3, 3, false), (1001L, 16, 5, 1, false), (4097L, 32, 31, 4, false), (65536L, 64, 3, 3, true) })
            {
                Attempt(say, $"filter MLP kernels (L {length}, width {width}, embedding {embedding}, {layers} layers{(frozen ? ", weights frozen" : "")})", () =>
                {
                    manual_seed(13);
                    var z = randn(new long[] { 1, length, embedding }, device: device);
                    var frequency = rand(1, width, device: device) + 0.5f;
                    var weights = Enumerable.Range(0, layers).Select(l => randn(width, l == 0 ? embedding : width, device: device) / Math.Sqrt(l == 0 ? embedding : width)).ToList();
                    var biases = Enumerable.Range(0, layers).Select(_ => randn(width, device: device) * 0.3).ToList();
                    var probe = randn(new long[] { 1, length, width }, device: device);
                    List<Tensor> Run(bool kernels)
                    {
                        var inputs = new List<Tensor> { z, frequency }.Concat(weights).Concat(biases)
                            .Select((t, i) => t.clone().requires_grad_(!(frozen && i >= 2 && i < 2 + layers))).ToList();
                        var (w, b) = (inputs.GetRange(2, layers), inputs.GetRange(2 + layers, layers));
                        Tensor y;
                        if (kernels)
                            y = Microsoft.ML.Hyena.Kernels.FilterMlpFunction.Apply(inputs[0], inputs[1], w, b);
                        else
                        {
                            y = inputs[0];
                            for (int l = 0; l < layers; l++)
                                y = sin(inputs[1] * nn.functional.linear(y, w[l], b[l]));
                        }
                        (y * probe).sum().backward();
                        return new List<Tensor> { y.detach() }.Concat(inputs.Select(t => t.grad?.clone()!)).ToList();
                    }
                    bool used = Microsoft.ML.Hyena.Kernels.FilterMlpFunction.KernelApplies(z, frequency, weights, biases);
                    var reference = Run(kernels: false);
                    var kernel = Run(kernels: true);
                    Timing.Synchronize(device);
                    string Pair(int i) => kernel[i] is null && reference[i] is null ? "none (frozen)"
                        : kernel[i] is null || reference[i] is null ? OneSided() : Err(kernel[i], reference[i], Float32Bound);
                    string OneSided()
                    {
                        _failures.Add($"{_current}: a gradient given by one side only");
                        return "GIVEN BY ONE SIDE ONLY";
                    }
                    var weightErrors = string.Join(" ", Enumerable.Range(0, layers).Select(l => Pair(3 + l)));
                    var biasErrors = string.Join(" ", Enumerable.Range(0, layers).Select(l => Pair(3 + layers + l)));
                    return $"kernels {Used(used)}; relative error vs the library calls: output {Pair(0)}, grad z {Pair(1)}, grad frequency {Pair(2)}, grad weights {weightErrors}, grad biases {biasErrors}";
                });
            }
        }

        /// <summary>
        /// The widened bias add's kernel (the output projection's bias in mixed precision) against libtorch's add of the
        /// two types, which gives the same float32 values: whether the kernel took the call, and the largest difference,
        /// for a width that takes its vector path (768) and one that does not (12).
        /// </summary>
        private static void CheckWidenedBiasAdd(Action<string> say, torch.Device device)
        {
            foreach (long width in new long[] { 768, 12 })
            {
                Attempt(say, $"widened bias add kernel, width {width}", () =>
                {
                    manual_seed(7);
                    var x = randn(new long[] { 3, 1001, width }, device: device).to_type(ScalarType.BFloat16);
                    var bias = randn(width, device: device);
                    bool used = Microsoft.ML.Hyena.Kernels.WidenedBiasAddFunction.KernelApplies(x, bias);
                    var difference = (Microsoft.ML.Hyena.Kernels.WidenedBiasAddFunction.Apply(x, bias) - (x + bias)).abs().max().item<float>();
                    // The backward kernel: x's gradient against the cast of the gradient (identical), the bias's against the sum.
                    var probe = randn(new long[] { 3, 1001, width }, device: device);
                    var xg = x.clone().requires_grad_(true);
                    var bg = bias.clone().requires_grad_(true);
                    (Microsoft.ML.Hyena.Kernels.WidenedBiasAddFunction.Apply(xg, bg) * probe).sum().backward();
                    var gx = (xg.grad!.to_type(ScalarType.Float32) - probe.to_type(ScalarType.BFloat16).to_type(ScalarType.Float32)).abs().max().item<float>();
                    return $"kernel {Used(used)}, largest difference from libtorch's add {Same(difference):E2}; backward: x's gradient " +
                        $"from the cast {Same(gx):E2}, the bias's relative error against the sum {Err(bg.grad!, probe.sum(new long[] { 0, 1 }), Float32Bound)}";
                });
            }
        }

        /// <summary>
        /// The cuBLASLt products written in float32 (WideningProduct) against double-precision products of the same
        /// bfloat16 operands, in the operator's layouts (the output projection reading channels-first input transposed in
        /// place with its bias; the input projection's gradient over a batch of two; plain row-major operands), and the
        /// output projection's node (WideningLinearFunction) against the library calls it replaces (a bfloat16 linear and
        /// the widened bias add): its output, and its gradients for x, the weight and the bias.
        /// </summary>
        /// <remarks>
        /// Where cuBLASLt is not bound (HYENA_CUBLASLT=0, or a libtorch without it) the products cannot run, so their
        /// cases say so and pass, and the node's cases check its fallback instead: the same library calls, so the same
        /// output and gradients to the bit.
        /// </remarks>
        private static void CheckWideningProduct(Action<string> say, torch.Device device)
        {
            bool bound = Microsoft.ML.Hyena.Native.CublasLt.TryLoad();
            say("cuBLASLt: " + TorchBackend.CublasLtReport);
            Tensor Bf16(params long[] shape) => randn(shape, device: device).to_type(ScalarType.BFloat16);
            var cases = new (string Name, Func<(Tensor A, Tensor B, Tensor? Bias)> Make)[]
            {
                ("output projection, (1, 768, 4096) read as (1, 4096, 768), bias", () => (Bf16(1, 768, 4096).transpose(1, 2), Bf16(768, 768).t(), randn(768, device: device))),
                ("input projection's gradient, (2, 2304, 1000) read as (2, 1000, 2304)", () => (Bf16(2, 2304, 1000).transpose(1, 2), Bf16(2304, 768), null)),
                ("row-major (3, 77, 40) by (40, 24), bias", () => (Bf16(3, 77, 40), Bf16(40, 24), randn(24, device: device))),
            };
            foreach (var (name, make) in cases)
            {
                Attempt(say, $"widening product, {name}", () =>
                {
                    manual_seed(11);
                    var (a, b, bias) = make();
                    var product = Microsoft.ML.Hyena.Kernels.WideningProduct.TryProduct(a, b, bias);
                    if (product is null)
                        return bound ? $"product {Used(false)}" : "not run: cuBLASLt is not bound (above)";
                    var exact = matmul(a.to_type(ScalarType.Float64), b.to_type(ScalarType.Float64));
                    if (bias is not null)
                        exact = exact + bias.to_type(ScalarType.Float64);
                    var rounded = matmul(a, b).to_type(ScalarType.Float32) + (bias ?? zeros(1, device: device));
                    return $"product {Used(true)}, {string.Join("x", product.shape)} {product.dtype}; relative error against double precision " +
                        $"{Err(product, exact, Float32Bound)} (the bfloat16 product widened: {RelativeError(rounded, exact):0.00E+00})";
                });
            }
            foreach (var (batch, channelsFirst) in new[] { (2L, false), (1L, false), (4L, true), (1L, true) })
            {
                // Channels first, as the operator calls it: x given as (b, k, rows); over several matrices the weight's
                // gradient is their products summed (SummedProducts), over one the product of the one matrix.
                string layout = channelsFirst ? ", x given channels first" : "";
                Attempt(say, $"widening linear node (output projection), batch {batch}{layout}, float32 weight, against a bfloat16 linear and the widened bias add", () =>
                {
                    manual_seed(12);
                    var source = Bf16(batch, 768, 1000);
                    var x = source.transpose(1, 2);
                    var weight = randn(768, 768, device: device) / 28;
                    var bias = randn(768, device: device);
                    var probe = randn(batch, 1000, 768, device: device);
                    (Tensor y, Tensor gx, Tensor gw, Tensor gb) Run(bool node)
                    {
                        var leaf = (channelsFirst ? source : x).detach().requires_grad_(true);
                        var xl = channelsFirst ? leaf.transpose(1, 2) : leaf;
                        var wl = weight.clone().requires_grad_(true);
                        var bl = bias.clone().requires_grad_(true);
                        var y = node
                            ? Microsoft.ML.Hyena.Kernels.WideningLinearFunction.Apply(channelsFirst ? leaf : xl, wl, bl, channelsFirst)   // the node casts the weight itself
                            : Microsoft.ML.Hyena.Kernels.WidenedBiasAddFunction.Apply(nn.functional.linear(xl, wl.to_type(ScalarType.BFloat16)), bl);
                        (y * probe).sum().backward();
                        return (y.detach(), leaf.grad!, wl.grad!, bl.grad!);
                    }
                    bool applies = Microsoft.ML.Hyena.Kernels.WideningLinearFunction.Applies(channelsFirst ? source : x, weight, bias, channelsFirst);
                    var n = Run(true);
                    var r = Run(false);
                    if (!bound)
                    {
                        // The fallback path: the library calls themselves.
                        if (applies)
                            _failures.Add($"{_current}: the node says it applies without cuBLASLt");
                        return $"cuBLASLt not bound, the node's fallback against the library calls: output {Same(n.y, r.y):E2}, " +
                            $"grad x {Same(n.gx.to_type(ScalarType.Float32), r.gx.to_type(ScalarType.Float32)):E2}, grad weight {Same(n.gw, r.gw):E2}, grad bias {Same(n.gb, r.gb):E2}";
                    }
                    var exact = matmul(x.to_type(ScalarType.Float64), weight.to_type(ScalarType.BFloat16).to_type(ScalarType.Float64).t()) + bias.to_type(ScalarType.Float64);
                    // The weight's gradient from the gradient as the node narrows it (bfloat16) and x, in double precision. The
                    // node's cuBLASLt products (one matrix, or channels first) accumulate and write it in float32; the library
                    // calls round it to bfloat16.
                    var exactWeightGrad = probe.to_type(ScalarType.BFloat16).to_type(ScalarType.Float64).reshape(-1, 768).t()
                        .mm(x.to_type(ScalarType.Float64).reshape(-1, 768));
                    bool inFloat32 = channelsFirst || batch == 1;
                    string weightGradError = inFloat32 ? Err(n.gw, exactWeightGrad, Float32Bound) : $"{RelativeError(n.gw, exactWeightGrad):0.00E+00}";
                    return $"node {Used(applies)}; output against double precision {Err(n.y, exact, Float32Bound)} (library calls: {RelativeError(r.y, exact):0.00E+00}); " +
                        $"grad weight against double precision {weightGradError} (library calls: {RelativeError(r.gw, exactWeightGrad):0.00E+00}); " +
                        $"against the library calls: grad x {Err(n.gx, r.gx, 1e-2)}, grad weight {Err(n.gw, r.gw, 1e-2)}, grad bias {Err(n.gb, r.gb, Float32Bound)}";
                });
            }
        }

        /// <summary>
        /// The layer norm's node (LayerNormFunction: its kernels, or libtorch's forward pass where the rows take two passes)
        /// against libtorch's layer_norm module: the output within float32 rounding of double precision where the node's
        /// forward kernel runs (and libtorch's error beside it), the same output to the bit where it does not; the
        /// input's, the weight's and the bias's gradients within float32 rounding of libtorch's, for the classifier's shape (4 x 1000 rows of 768), rows of 1,024 and of 64 (the one-pass
        /// kernel's widest and narrowest builds), rows of 33 (two passes: not a multiple of 4), and rows of 768 whose input
        /// starts 4 bytes past an aligned address (two passes: not 16-byte aligned).
        /// </summary>
        private static void CheckLayerNorm(Action<string> say, torch.Device device)
        {
            foreach (var (shape, offset) in new[] { (new long[] { 4, 1000, 768 }, 0L), (new long[] { 2, 300, 1024 }, 0L), (new long[] { 7, 64 }, 0L), (new long[] { 3, 37, 33 }, 0L), (new long[] { 2, 50, 768 }, 1L) })
            {
                Attempt(say, $"layer norm node, ({string.Join(", ", shape)}){(offset > 0 ? $" at an offset of {offset} element" : "")}, against libtorch's layer_norm", () =>
                {
                    RandomSeed.Set(14, device);
                    using var norm = nn.LayerNorm(shape[^1]).to(device);
                    using (no_grad())
                    {
                        norm.weight!.normal_(1, 0.3);
                        norm.bias!.normal_(0, 0.3);
                    }
                    long count = shape.Aggregate(1L, (a, b) => a * b);
                    var source = randn(shape, device: device) * 2 + 0.5;
                    var probe = randn(shape, device: device);
                    bool applies = Microsoft.ML.Hyena.Kernels.LayerNormFunction.KernelsApply(source, norm.weight!, norm.bias!);
                    (Tensor y, Tensor gx, Tensor gw, Tensor gb) Run(bool node)
                    {
                        norm.zero_grad();
                        // At an offset: a leaf in a buffer one element longer, its view from element `offset` (contiguous, misaligned).
                        var buffer = zeros(count + offset, device: device);
                        using (no_grad())
                            buffer.narrow(0, offset, count).copy_(source.reshape(-1));
                        var leaf = buffer.requires_grad_(true);
                        var x = leaf.narrow(0, offset, count).view(shape);
                        var y = node ? Microsoft.ML.Hyena.Kernels.LayerNormFunction.Normalize(norm, x) : norm.call(x);
                        (y * probe).sum().backward();
                        return (y.detach(), leaf.grad!.narrow(0, offset, count).view(shape), norm.weight!.grad!.clone(), norm.bias!.grad!.clone());
                    }
                    var n = Run(true);
                    var r = Run(false);
                    bool onePass = Microsoft.ML.Hyena.Kernels.LayerNormFunction.RowVectors((int)shape[^1]) is int && offset == 0;
                    string passes = onePass ? $"one pass, {Microsoft.ML.Hyena.Kernels.LayerNormFunction.RowVectors((int)shape[^1])} vectors a lane" : "two passes";
                    var exact = nn.functional.layer_norm(source.to_type(ScalarType.Float64), new[] { shape[^1] }, norm.weight!.detach().to_type(ScalarType.Float64),
                        norm.bias!.detach().to_type(ScalarType.Float64), norm.eps);
                    string output = onePass && applies
                        ? $"output against double precision {Err(n.y, exact, Float32Bound)} (libtorch's {RelativeError(r.y, exact):0.00E+00})"
                        : $"output {Same(n.y, r.y):E2} (must be 0)";
                    return $"kernels {Used(applies)} ({passes}); {output}; against libtorch's backward pass: grad x {Err(n.gx, r.gx, Float32Bound)}, " +
                        $"grad weight {Err(n.gw, r.gw, Float32Bound)}, grad bias {Err(n.gb, r.gb, Float32Bound)}";
                });
            }
        }

        /// <summary>
        /// The MLP's first layer and GELU as one node (LinearGeluFunction: the product, then its GELU kernel; backward, the
        /// GELU's gradient and the bias's sums in one kernel and the products written in float32) against the library calls
        /// it replaces (a bfloat16 linear and libtorch's gelu, through autograd): the output (libtorch's formula, rounded
        /// once: a bfloat16 step apart at most where the compilers order its float32 operations differently), and the
        /// gradients against double precision from the same product and the same bfloat16 output gradient (the library
        /// calls' errors beside them), for the classifier's MLP (4,000 rows of 768 to 3,072) in float32 and bfloat16 and
        /// for a hidden width that is not a multiple of 8 (the kernels' element path).
        /// </summary>
        private static void CheckLinearGelu(Action<string> say, torch.Device device)
        {
            foreach (var (rows, width, hidden, type) in new[] { (4000L, 768L, 3072L, ScalarType.Float32), (300L, 768L, 3072L, ScalarType.BFloat16), (257L, 40L, 1001L, ScalarType.Float32) })
            {
                Attempt(say, $"linear GELU node, ({rows}, {width}) {type} to {hidden}, against a bfloat16 linear and libtorch's gelu", () =>
                {
                    RandomSeed.Set(15, device);
                    var source = (randn(rows, width, device: device) * 2).to_type(type);
                    var weight = randn(hidden, width, device: device) / (float)Math.Sqrt(width);
                    var bias = randn(hidden, device: device) * 0.5;
                    var probe = randn(rows, hidden, device: device).to_type(ScalarType.BFloat16);
                    bool applies = Microsoft.ML.Hyena.Kernels.LinearGeluFunction.Applies(source, bias);
                    (Tensor y, Tensor gx, Tensor gw, Tensor gb) Run(bool node)
                    {
                        var x = source.detach().clone().requires_grad_(true);
                        var w = weight.clone().requires_grad_(true);
                        var b = bias.clone().requires_grad_(true);
                        var y = node
                            ? Microsoft.ML.Hyena.Kernels.LinearGeluFunction.Apply(x, w, b)
                            : nn.functional.gelu(nn.functional.linear(x.to_type(ScalarType.BFloat16), w.to_type(ScalarType.BFloat16), b.to_type(ScalarType.BFloat16)));
                        (y.to_type(ScalarType.Float32) * probe.to_type(ScalarType.Float32)).sum().backward();
                        return (y.detach(), x.grad!, w.grad!, b.grad!);
                    }
                    var n = Run(true);
                    var r = Run(false);
                    // Double precision from the same bfloat16 product (the library's) and the same output gradient.
                    var xb = source.to_type(ScalarType.BFloat16);
                    var pre = nn.functional.linear(xb, weight.to_type(ScalarType.BFloat16), bias.to_type(ScalarType.BFloat16)).to_type(ScalarType.Float64);
                    var cdf = (pre / Math.Sqrt(2)).erf().add(1).mul(0.5);
                    var exactY = pre * cdf;
                    var exactDpre = probe.to_type(ScalarType.Float64) * (cdf + pre * (pre * pre).mul(-0.5).exp() / Math.Sqrt(2 * Math.PI));
                    var exactGw = exactDpre.t().mm(xb.to_type(ScalarType.Float64));
                    var exactGx = exactDpre.mm(weight.to_type(ScalarType.BFloat16).to_type(ScalarType.Float64));
                    var exactGb = exactDpre.sum(0L);
                    long differing = n.y.ne(r.y).sum().item<long>();
                    return $"node {Used(applies)}; output against libtorch's gelu {Err(n.y, r.y, 1e-3)} ({differing} of {n.y.numel()} elements differ), " +
                        $"against double precision {Err(n.y, exactY, 4e-3)} (libtorch's {RelativeError(r.y, exactY):0.00E+00}); " +
                        $"gradients against double precision: x {Err(n.gx, exactGx, 1e-2)} ({RelativeError(r.gx, exactGx):0.00E+00}), " +
                        $"weight {Err(n.gw, exactGw, 1e-2)} ({RelativeError(r.gw, exactGw):0.00E+00}), bias {Err(n.gb, exactGb, 1e-2)} ({RelativeError(r.gb, exactGb):0.00E+00}); " +
                        $"types x {n.gx.dtype}, weight {n.gw.dtype}, bias {n.gb.dtype}";
                });
            }
        }

        /// <summary>
        /// Activation checkpointing on the device (<see cref="HyenaSequenceClassifier.RecomputeBlocks"/>): a classifier of
        /// two blocks in bfloat16 mixed precision, 4 rows of 16k and 1k tokens (the on-chip convolution and cuFFT's node),
        /// its logits and every parameter's gradient with the blocks recomputed in the backward pass against the plain
        /// pass; relative L2 errors (the forward pass without gradients may take libtorch's own calls where the training
        /// pass takes the library's nodes, which round a little differently). With dropout, the plain pass draws its masks
        /// as the recomputing pass records them (<see cref="DropoutReplay"/>), from the same generator state.
        /// </summary>
        private static void CheckBlockRecompute(Action<string> say, torch.Device device)
        {
            foreach (var (length, dropout) in new[] { (16384, 0.0), (1024, 0.0), (1024, 0.1) })
            {
                Attempt(say, $"block recompute, a classifier of 2 blocks in bfloat16, 4 rows of {length}, dropout {dropout}, against the plain pass" +
                    (dropout > 0 ? " with the same masks" : ""), () =>
                {
                    RandomSeed.Set(17, device);
                    using var model = new HyenaSequenceClassifier(new HyenaClassifierConfig
                    {
                        VocabularySize = 64, ClassCount = 3, Depth = 2, Pooling = HyenaPooling.Mean, Dropout = dropout,
                        Operator = new HyenaOperatorConfig { ModelDimension = 128, MaxLength = length, FilterOrder = 32 },
                    });
                    model.to(device);
                    model.ComputeDtype = ScalarType.BFloat16;
                    var tokens = randint(1, 64, new long[] { 4, length }, dtype: ScalarType.Int64, device: device);
                    var lengths = tensor(new long[] { length, length - 5, length / 2, 3 }, device: device);
                    var probe = randn(4, 3, device: device);
                    (Tensor Logits, Tensor[] Gradients) Run(bool recompute)
                    {
                        model.RecomputeBlocks = recompute;
                        model.zero_grad();
                        // The same generator state for both passes: the plain pass draws its masks as the recomputing one
                        // records them (libtorch's CUDA dropout draws other ones).
                        RandomSeed.Set(19, device);
                        var masks = DropoutReplay.Record();
                        var logits = recompute ? model.call(tokens, lengths) : masks.Run(() => model.call(tokens, lengths));
                        (logits * probe).sum().backward();
                        HyenaOperator.ThrowIfBackwardFailed();
                        foreach (var mask in masks.Masks)
                            mask.Dispose();
                        return (logits.detach(), model.parameters().Select(p => p.grad!.detach().clone()).ToArray());
                    }
                    var plain = Run(false);
                    var recomputed = Run(true);
                    model.RecomputeBlocks = false;
                    double worst = plain.Gradients.Zip(recomputed.Gradients, RelativeError).Max();
                    var flat = cat(plain.Gradients.Select(g => g.flatten()).ToArray());
                    var flatRecomputed = cat(recomputed.Gradients.Select(g => g.flatten()).ToArray());
                    return $"logits {Err(recomputed.Logits, plain.Logits, 1e-2)}, every gradient together {Err(flatRecomputed, flat, 1e-2)}, " +
                        $"the worst parameter's {worst:0.00E+00} ({plain.Gradients.Length} parameters)";
                });
            }
        }

        /// <summary>
        /// FusedAdamW's kernel against TorchSharp's AdamW on the device: the same parameters (a 768 x 3072 matrix, an odd
        /// vector, a small 3-d tensor) in two groups (weight decay 0.01 at 1e-3, none at 3e-3) and the same gradients, five
        /// steps (the vector without a gradient in the third); relative L2 errors of the parameters after them.
        /// </summary>
        private static void CheckFusedAdamW(Action<string> say, torch.Device device)
        {
            Attempt(say, "fused AdamW step against TorchSharp's AdamW, 5 steps, two groups", () =>
            {
                TorchSharp.Modules.Parameter[] Make()
                {
                    RandomSeed.Set(13, device);   // the device's generator too: both sets the same
                    return new long[][] { new long[] { 768, 3072 }, new long[] { 1001 }, new long[] { 3, 5, 7 } }
                        .Select(shape => new TorchSharp.Modules.Parameter(randn(shape, device: device))).ToArray();
                }
                TorchSharp.Modules.AdamW.ParamGroup[] Groups(TorchSharp.Modules.Parameter[] p) => new[]
                {
                    new TorchSharp.Modules.AdamW.ParamGroup(new[] { p[0], p[2] }, new TorchSharp.Modules.AdamW.Options { LearningRate = 1e-3, weight_decay = 0.01 }),
                    new TorchSharp.Modules.AdamW.ParamGroup(new[] { p[1] }, new TorchSharp.Modules.AdamW.Options { LearningRate = 3e-3, weight_decay = 0 }),
                };
                var a = Make();
                var b = Make();
                using var reference = new TorchSharp.Modules.AdamW(Groups(a), 1e-3, weight_decay: 0.01);
                using var fused = new FusedAdamW(Groups(b), 1e-3, weightDecay: 0.01);
                for (int step = 0; step < 5; step++)
                {
                    manual_seed(20 + step);
                    for (int i = 0; i < a.Length; i++)
                    {
                        var g = step == 2 && i == 1 ? null : randn(a[i].shape, device: device);
                        a[i].grad = g?.clone();
                        b[i].grad = g?.clone();
                    }
                    reference.step();
                    fused.step();
                }
                Timing.Synchronize(device);
                bool used = Microsoft.ML.Hyena.Kernels.AdamWStepKernel.Applies(b[0], b[0].grad!, b[0], b[0]);   // the last step's gradient
                var errors = string.Join("; ", Enumerable.Range(0, a.Length).Select(i => $"{string.Join("x", a[i].shape)} {Err(b[i], a[i], 1e-6)}"));
                return $"kernel {Used(used)}; relative error of the parameters: {errors}";
            });
        }

        /// <summary>
        /// The windowed filter's spectrum made by the four-step kernels in their order (FilterSpectrumFunction.ApplyWindowed
        /// with kernelOrder) against cuFFT's, put in that order by the reordering kernel: relative L2 errors of the spectrum
        /// and of the filter's and the skip term's gradients for a probe given in both orders.
        /// </summary>
        private static void CheckFourStepFilterSpectrum(Action<string> say, torch.Device device)
        {
            foreach (long length in new long[] { 32768, 65536, 1 << 20 })
            {
                Attempt(say, $"filter spectrum by the four-step kernels L={length}", () =>
                {
                    manual_seed(7);
                    var hidden = randn(length, 2, 24, device: device);
                    var bias = randn(2, 24, device: device);
                    var times = linspace(0, 1, length, device: device);
                    var deltas = -linspace(0.3, 4.6, 48, device: device).view(2, 24);
                    var probeBins = randn(48, length + 1, dtype: ScalarType.ComplexFloat32, device: device);
                    var probeSlots = Microsoft.ML.Hyena.Kernels.FourStepFftConvolution.SpectrumSlots(probeBins).view(2, 24, length + 1);
                    (Tensor s, Tensor gh, Tensor gb) Run(bool kernelOrder)
                    {
                        var h = hidden.clone().requires_grad_(true);
                        var b = bias.clone().requires_grad_(true);
                        var s = FilterSpectrumFunction.ApplyWindowed(h.permute(1, 2, 0), b, new FilterSpectrumFunction.Window(times, deltas, 0.05f), kernelOrder);
                        (s * (kernelOrder ? probeSlots : probeBins.view(2, 24, length + 1))).real.sum().backward();
                        var spectrum = kernelOrder ? s.detach() : Microsoft.ML.Hyena.Kernels.FourStepFftConvolution.SpectrumSlots(s.detach().view(48, length + 1)).view(2, 24, length + 1);
                        return (spectrum, h.grad!.clone(), b.grad!.clone());
                    }
                    var reference = Run(kernelOrder: false);
                    var fourStep = Run(kernelOrder: true);
                    Timing.Synchronize(device);
                    return $"relative error vs cuFFT's, reordered: spectrum {Err(view_as_real(fourStep.s), view_as_real(reference.s), Float32Bound)}, grad filter {Err(fourStep.gh, reference.gh, Float32Bound)}, grad skip {Err(fourStep.gb, reference.gb, Float32Bound)}";
                });
            }
        }

        /// <summary>
        /// The on-chip long convolution (LongConvolution = CudaOnChip) against the cuFFT node (CudaKernel) in a whole
        /// operator, batch 3 (strided streams; batch 1 too at 1k and 64k), float32 and bfloat16: relative L2 errors of the output, the input's
        /// gradient and all parameter gradients together, by length: one block per row up to 16k on an H200, the four-step
        /// kernels from 32k to 4M (2^22). At 8M both kernels asked for explicitly decline with a NotSupportedException (the
        /// node's row kernels take 2L up to 16,776,960 positions; Auto runs the library calls there), which the check expects.
        /// </summary>
        private static void CheckOnChipConvolution(Action<string> say, torch.Device device)
        {
            foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16 })
            {
                // Batch 3 (strided streams) at every length; batch 1 (the streams' gradients side by side in one buffer, handed
                // on by the channel split without a copy) at one length of each kernel.
                var cases = new long[] { 16, 64, 1024, 8192, 16384, 32768, 65536, 262144, 1 << 20, 1 << 22, 1 << 23 }.Select(l => (Length: l, Batch: 3L))
                    .Concat(new long[] { 1024, 65536 }.Select(l => (Length: l, Batch: 1L)));
                foreach (var (length, batch) in cases)
                {
                    bool beyond = 2 * length > 16776960;
                    Attempt(say, $"on-chip long convolution {dtype} L={length}{(batch == 1 ? " batch 1" : "")}", () =>
                    {
                        manual_seed(5);
                        using var op = new HyenaOperator(new HyenaOperatorConfig { ModelDimension = 24, MaxLength = (int)length, FilterOrder = 16 });
                        op.to(device);
                        op.FoldSkipTerm = true;
                        if (dtype != ScalarType.Float32)
                            op.ComputeDtype = dtype;
                        return OnChipAgainstCuFftNode(op, batch, length, 24, device);
                    }, beyond ? e => e is NotSupportedException : null);
                }
            }
        }

        // The operator on chip (CudaOnChip) against the cuFFT node (CudaKernel) for one random input of (batch, length,
        // width) and output probe: relative L2 errors of the output, the input's gradient and all parameter gradients.
        private static string OnChipAgainstCuFftNode(HyenaOperator op, long batch, long length, long width, torch.Device device)
        {
            var x = randn(batch, length, width, device: device);
            var probe = randn(batch, length, width, device: device);
            (Tensor y, Tensor gx, Tensor gp, int withGradient) Run(LongConvolutionImplementation implementation)
            {
                op.LongConvolution = implementation;
                var (y, gx, gp) = TrainingPass(op, x, probe, device);
                var withGrad = gp.Where(g => g is not null).Select(g => g!.flatten()).ToList();
                return (y, gx, cat(withGrad, 0), withGrad.Count);
            }
            var reference = Run(LongConvolutionImplementation.CudaKernel);
            var onChip = Run(LongConvolutionImplementation.CudaOnChip);
            Timing.Synchronize(device);
            if (onChip.withGradient != reference.withGradient)   // a gradient lost on one path (a node without a backward pass)
                throw new InvalidOperationException(
                    $"{onChip.withGradient} parameters got a gradient on chip, {reference.withGradient} through the cuFFT node");
            // Both paths transform in float32; in bfloat16 they differ by where each rounds to bfloat16 (at most 5e-4 measured
            // with one block a row), and the four-step kernels (from 32k on an H200) also round their buffer between the steps
            // to bfloat16 (FourStepFftConvolution.Buffer): 2.3e-3 to 4.0e-3 measured from 32k to 4M (fourteenth session).
            bool fourSteps = length > Microsoft.ML.Hyena.Kernels.OnChipFftConvolution.MaxLength(Microsoft.ML.Hyena.Kernels.CudaKernels.DeviceIndex(x));
            double bound = op.ComputeDtype is null || op.ComputeDtype == ScalarType.Float32 ? Float32Bound : fourSteps ? 8e-3 : 2e-3;
            return $"relative error vs the cuFFT node: output {Err(onChip.y, reference.y, bound)}, grad input {Err(onChip.gx, reference.gx, bound)}, grad parameters {Err(onChip.gp, reference.gp, bound)}";
        }

        // One training pass of op on x, its output's gradient probe: the output, the input's gradient and each parameter's
        // gradient (null where a parameter got none), in the order of op.parameters().
        private static (Tensor Output, Tensor InputGrad, Tensor?[] ParameterGrads) TrainingPass(HyenaOperator op, Tensor x, Tensor probe, torch.Device device)
        {
            op.zero_grad();
            var input = x.clone().requires_grad_(true);
            var y = op.call(input);
            (y * probe).sum().backward();
            HyenaOperator.ThrowIfBackwardFailed(device);
            return (y.detach(), input.grad!.clone(), op.parameters().Select(p => p.grad?.clone()).ToArray());
        }

        /// <summary>
        /// An operator whose filter has no window (Modulate false) at a length the four-step kernels take: its spectrum
        /// comes from the filter in bin order and is put in the kernels' order (the window's kernels, which would make it in
        /// that order, need the window). On chip against the cuFFT node, float32, batch 2 (OnChipAgainstCuFftNode).
        /// </summary>
        private static void CheckUnmodulatedFilter(Action<string> say, torch.Device device)
        {
            Attempt(say, "operator without the filter's window, on-chip, L=65536", () =>
            {
                manual_seed(10);
                using var op = new HyenaOperator(new HyenaOperatorConfig { ModelDimension = 24, MaxLength = 65536, FilterOrder = 16, Modulate = false });
                op.to(device);
                op.FoldSkipTerm = true;
                return OnChipAgainstCuFftNode(op, 2, 65536, 24, device);
            });
        }

        /// <summary>
        /// The operator's options in every combination (order 2 and 3, the filter's window or not, the skip term folded or
        /// not, float32 or bfloat16 compute) at lengths that take each convolution path on CUDA (one block, the cuFFT node
        /// at a length that is not a power of two, the four-step kernels with CudaOnChip at 32k and with Auto at 64k),
        /// batch 2 (and batch 1 for the defaults at 1000 and 64k), against the same operator on its reference path (UseReferencePath: float32, the composed library
        /// calls): the output, the input's gradient and each parameter's gradient (every parameter that gets one there
        /// must get one here), and inference from the filter cache, first and second pass. A line per case with its
        /// largest relative L2 error (and which parameter's gradient was furthest off), then a summary: PASS within 1e-3
        /// (float32), or in bfloat16 within 3e-2 for the output, the input's gradient and cached inference and 1e-1 for the
        /// parameters' gradients, else FAIL. The bfloat16 parameter bound is looser because the smallest gradients (the
        /// positional embedding's, the sine frequencies', the MLP's biases: sums with much cancellation) vary between runs
        /// of the same build on the GPU by more than bfloat16's rounding suggests: one case measured 5.2e-2 in one run and
        /// 9.5e-3 in the next (tenth session, calls 7 and 8). A lost or wrong gradient is off by about 1. Returns whether
        /// every case passed (check-libtorch's exit code is 1 when not).
        /// </summary>
        private static bool CheckOptionMatrix(Action<string> say, torch.Device device)
        {
            int cases = 0, failed = 0;
            var lengths = new (long Length, LongConvolutionImplementation Implementation)[]
            {
                (1000, LongConvolutionImplementation.Auto), (16384, LongConvolutionImplementation.Auto),
                (32768, LongConvolutionImplementation.CudaOnChip), (40000, LongConvolutionImplementation.Auto),
                (65536, LongConvolutionImplementation.Auto),
            };
            var matrix =
                from l in lengths
                from order in new[] { 2, 3 }
                from modulate in new[] { true, false }
                from fold in new[] { true, false }
                from compute in new ScalarType?[] { null, ScalarType.BFloat16 }
                select (l.Length, l.Implementation, order, modulate, fold, compute, Batch: 2L);
            // Batch 1 too for the defaults at one block and at the four-step kernels: the projections' nodes take a batch of one
            // from described operands (cuBLASLt products straight from their memory) where they take library calls otherwise.
            var single =
                from length in new long[] { 1000, 65536 }
                from compute in new ScalarType?[] { null, ScalarType.BFloat16 }
                select (length, LongConvolutionImplementation.Auto, 2, true, true, compute, Batch: 1L);
            foreach (var (length, implementation, order, modulate, fold, compute, batch) in matrix.Concat(single))
            {
                string name = $"option matrix L={length} {implementation} order {order}{(modulate ? "" : " no window")}{(fold ? "" : " skip unfolded")} {(compute?.ToString() ?? "Float32")}{(batch == 1 ? " batch 1" : "")}";
                double tolerance = compute is null ? 1e-3 : 3e-2, parameterTolerance = compute is null ? 1e-3 : 1e-1;
                cases++;
                bool ok = false;
                Attempt(say, name, () =>
                {
                    manual_seed(11);
                    using var op = new HyenaOperator(new HyenaOperatorConfig { ModelDimension = 24, MaxLength = 65536, FilterOrder = 16, Order = order, Modulate = modulate });
                    op.to(device);
                    var x = randn(batch, length, 24, device: device);
                    var probe = randn(batch, length, 24, device: device);
                    (Tensor y, Tensor gx, Tensor?[] gp, Tensor cached1, Tensor cached2) Run(bool reference)
                    {
                        if (reference)
                            op.UseReferencePath();
                        else
                        {
                            op.LongConvolution = implementation;
                            op.FoldSkipTerm = fold;
                            op.ComputeDtype = compute;
                        }
                        op.train();
                        var (y, gx, gp) = TrainingPass(op, x, probe, device);
                        op.eval();
                        op.CacheFilterSpectrum = !reference;
                        using var _ = no_grad();
                        return (y, gx, gp, op.call(x), op.call(x));
                    }
                    var tested = Run(false);
                    var expected = Run(true);
                    Timing.Synchronize(device);
                    int lost = tested.gp.Zip(expected.gp).Count(g => (g.First is null) != (g.Second is null));
                    if (lost > 0)
                        return $"FAIL: {lost} parameters got a gradient on one path only";
                    var names = op.named_parameters().Select(p => p.name).ToArray();
                    var errors = tested.gp.Zip(expected.gp, names).Where(g => g.Second is not null)
                        .Select(g => (Error: RelativeError(g.First!, g.Second!), Name: g.Third)).ToList();
                    var (parameters, worst) = errors.Count == 0 ? (0.0, "-") : errors.MaxBy(e => e.Error);
                    double output = RelativeError(tested.y, expected.y), input = RelativeError(tested.gx, expected.gx);
                    double cached = Math.Max(RelativeError(tested.cached1, expected.cached1), RelativeError(tested.cached2, expected.cached1));
                    ok = new[] { output, input, cached }.All(e => e <= tolerance) && parameters <= parameterTolerance;
                    return FormattableString.Invariant($"{(ok ? "PASS" : "FAIL")}: relative error vs the reference path: output {output:0.00E+00}, grad input {input:0.00E+00}, grad parameters (largest) {parameters:0.00E+00} ({worst}), cached inference {cached:0.00E+00}");
                });
                if (!ok)
                    failed++;
            }
            say(failed == 0 ? $"option matrix: PASS, all {cases} cases within tolerance" : $"option matrix: FAIL, {failed} of {cases} cases outside tolerance or failed");
            return failed == 0;
        }

        /// <summary>
        /// Inference with the filter cache (whose entry keeps the spectrum in the order the convolution reads it: at 64k the
        /// four-step kernels' own, made by them as an uncached pass makes it, so the outputs should be equal) against
        /// inference without it, on-chip, float32: relative L2 error of the outputs of a first and a second cached pass.
        /// </summary>
        private static void CheckCachedInference(Action<string> say, torch.Device device)
        {
            foreach (long length in new long[] { 8192, 65536 })
            {
                Attempt(say, $"cached inference, on-chip, L={length}", () =>
                {
                    manual_seed(6);
                    using var op = new HyenaOperator(new HyenaOperatorConfig { ModelDimension = 24, MaxLength = (int)length, FilterOrder = 16 });
                    op.to(device);
                    op.eval();
                    op.LongConvolution = LongConvolutionImplementation.CudaOnChip;
                    var x = randn(2, length, 24, device: device);
                    using var _ = no_grad();
                    op.CacheFilterSpectrum = false;
                    var reference = op.call(x);
                    op.CacheFilterSpectrum = true;
                    var first = op.call(x);
                    var second = op.call(x);
                    Timing.Synchronize(device);
                    return $"relative error vs uncached: first pass {Err(first, reference, 0)}, second {Err(second, reference, 0)}; {op.CachedSpectrumCount} cached";
                });
            }
        }

        // Relative L2 error of a against b, in float64.
        private static double RelativeError(Tensor a, Tensor b)
            => ((a.to_type(ScalarType.Float64) - b.to_type(ScalarType.Float64)).norm() / b.to_type(ScalarType.Float64).norm()).item<double>();

        // The relative L2 error of a against b, formatted; recorded as a failure of the running check when above bound (or NaN).
        private static string Err(Tensor a, Tensor b, double bound)
        {
            double error = RelativeError(a, b);
            string text = error.ToString("0.00E+00", System.Globalization.CultureInfo.InvariantCulture);
            if (!(error <= bound))
                _failures.Add($"{_current}: relative error {text} above its bound {bound.ToString("0.0E+00", System.Globalization.CultureInfo.InvariantCulture)}");
            return text;
        }

        // The largest difference between a and b, which must be 0 (the same float operations): see Same(float).
        private static float Same(Tensor a, Tensor b) => Same((a - b).abs().max().item<float>());

        // A largest difference that must be 0 (the same float operations), recorded as a failure of the running check when not.
        private static float Same(float difference)
        {
            if (difference != 0f)
                _failures.Add($"{_current}: a difference of {difference:E2} where the values must be identical");
            return difference;
        }

        // "used", or "NOT USED" recorded as a failure of the running check (a CUDA kernel that should have taken the call).
        private static string Used(bool used)
        {
            if (!used)
                _failures.Add($"{_current}: the kernel did not take the call");
            return used ? "used" : "NOT USED";
        }

        private static void Check(Action<string> say, string name, Func<Tensor> op)
            => Attempt(say, name, () =>
            {
                var result = op();
                Timing.Synchronize(result.device);
                if (isfinite(result.to_type(ScalarType.Float32)).all().item<bool>())
                    return "ok";
                _failures.Add($"{name}: a value that is not finite");
                return "NOT FINITE";
            });

        // Runs one check in a dispose scope and says "name: what it returned", or the exception's first line (the
        // name is printed first, so that a crash of the process names the check that caused it). An exception is a
        // failure unless expected says it is the one the check asks for.
        private static void Attempt(Action<string> say, string name, Func<string> check, Func<Exception, bool>? expected = null)
        {
            Console.Write($"  {name} ... ");
            Console.Out.Flush();
            _current = name;
            try
            {
                using var scope = NewDisposeScope();
                say($"{name}: {check()}");
                if (expected is not null)
                    _failures.Add($"{name}: no exception where one was expected");
            }
            catch (Exception e)
            {
                bool asked = expected?.Invoke(e) == true;
                say($"{name}: {(asked ? "as expected, " : "")}{e.GetType().Name}: {Timing.FirstLine(e.Message)}");
                if (!asked)
                    _failures.Add($"{name}: {e.GetType().Name}: {Timing.FirstLine(e.Message)}");
            }
        }

        private static string? LoadedPath(string fileName)
        {
            try
            {
                foreach (string line in File.ReadLines("/proc/self/maps"))
                {
                    int slash = line.IndexOf('/');
                    if (slash >= 0 && Path.GetFileName(line.Substring(slash).Trim()) == fileName)
                        return line.Substring(slash).Trim();
                }
            }
            catch (IOException)
            {
            }
            return null;
        }

        /// <summary>Undefined, non-weak dynamic symbols of a 64-bit little-endian ELF shared library.</summary>
        internal static List<string> UndefinedSymbols(string path)
        {
            byte[] image = File.ReadAllBytes(path);
            ulong shoff = BitConverter.ToUInt64(image, 0x28);
            int shentsize = BitConverter.ToUInt16(image, 0x3A), shnum = BitConverter.ToUInt16(image, 0x3C);
            var result = new List<string>();
            for (int i = 0; i < shnum; i++)
            {
                int h = (int)shoff + i * shentsize;
                if (BitConverter.ToUInt32(image, h + 4) != 11) // SHT_DYNSYM
                    continue;
                int offset = (int)BitConverter.ToUInt64(image, h + 24), size = (int)BitConverter.ToUInt64(image, h + 32);
                int link = (int)BitConverter.ToUInt32(image, h + 40);
                int strtab = (int)BitConverter.ToUInt64(image, (int)shoff + link * shentsize + 24);
                for (int s = 1; s < size / 24; s++)
                {
                    int sym = offset + 24 * s;
                    byte info = image[sym + 4];
                    ushort shndx = BitConverter.ToUInt16(image, sym + 6);
                    int binding = info >> 4;
                    if (shndx != 0 || binding != 1) // defined, or not STB_GLOBAL (weak references may stay unresolved)
                        continue;
                    int nameOffset = strtab + (int)BitConverter.ToUInt32(image, sym);
                    int end = nameOffset;
                    while (image[end] != 0)
                        end++;
                    result.Add(Encoding.ASCII.GetString(image, nameOffset, end - nameOffset));
                }
            }
            return result;
        }
    }
}
