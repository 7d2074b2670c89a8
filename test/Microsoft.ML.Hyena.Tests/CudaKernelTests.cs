using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>What of the NVRTC kernels can be checked without a GPU: the bindings, the source, the search.</summary>
    public class CudaKernelTests
    {
        [Fact]
        public void TheDataPointerIsTheTensorsFirstElement()
        {
            using var scope = NewDisposeScope();
            var t = zeros(2, 3);
            var view = t[1];                      // storage offset 3
            IntPtr p = CudaKernels.DataPointer(view);
            System.Runtime.InteropServices.Marshal.Copy(new float[] { 7 }, 0, p, 1);
            System.Runtime.InteropServices.Marshal.Copy(new float[] { 9 }, 0, p + 2 * sizeof(float), 1);
            Assert.Equal(7f, t[1, 0].item<float>());
            Assert.Equal(9f, t[1, 2].item<float>());
            Assert.Equal(0f, t[0, 0].item<float>());
        }

        [Fact]
        public void EveryKernelIsDefinedInTheSource()
        {
            // The gate kernels are stamped out by the HYENA_GATES macro for each (io type, transform type) pair.
            var stems = Regex.Matches(CudaKernels.Source, @"void hyena_(\w+?)_##TN##_##FN\(").Select(m => m.Groups[1].Value).ToList();
            var pairs = Regex.Matches(CudaKernels.Source, @"^HYENA_GATES\((\w+), \w+, (\w+), \w+\)", RegexOptions.Multiline)
                .Select(m => (Io: m.Groups[1].Value, Transform: m.Groups[2].Value)).ToList();
            Assert.Equal(4, stems.Count);
            Assert.Equal(4, pairs.Count);
            var stamped = pairs.SelectMany(p => stems.Select(k => $"hyena_{k}_{p.Io}_{p.Transform}")).ToHashSet();
            // The on-chip convolution is stamped by HYENA_ONCHIP for each stream type.
            Assert.Contains("void __launch_bounds__(1024) hyena_onchip_conv_##TN(", CudaKernels.Source);
            stamped.UnionWith(Regex.Matches(CudaKernels.Source, @"^HYENA_ONCHIP\((\w+), \w+\)", RegexOptions.Multiline).Select(m => "hyena_onchip_conv_" + m.Groups[1].Value));
            // Kernels stamped by a macro for each instance (stems of them): each stem (stemPattern's group) joined to each
            // instance's first argument (instancePattern's group).
            string[] Stamped(int stems, string stemPattern, string instancePattern, Func<string, string, string> name)
            {
                var stamps = Regex.Matches(CudaKernels.Source, stemPattern).Select(m => m.Groups[1].Value).ToList();
                Assert.Equal(stems, stamps.Count);
                return (from instance in Regex.Matches(CudaKernels.Source, instancePattern, RegexOptions.Multiline).Select(m => m.Groups[1].Value)
                        from stem in stamps
                        select name(stem, instance)).ToArray();
            }
            // The four-step convolution's column kernels are stamped by HYENA_FOURSTEP for each stream type.
            stamped.UnionWith(Stamped(2, @"void __launch_bounds__\(256\) hyena_(fourstep_\w+?)_##TN\(", @"^HYENA_FOURSTEP\((\w+), \w+\)",
                (stem, type) => $"hyena_{stem}_{type}"));
            // The short filter's backward kernels (up to 4 taps, and up to 8) are stamped by HYENA_SHORT_BWD for each stream type.
            stamped.UnionWith(Stamped(2, @"void __launch_bounds__\(256, BLOCKS[48]\) hyena_(short_bwd\w*?)_##TN\(", @"^HYENA_SHORT_BWD\((\w+), \w+, \w+, \w+\)",
                (stem, type) => $"hyena_{stem}_{type}"));
            // The four-step rows kernels (the convolution's, the filter's spectrum's and its inverse's, each with its _4096
            // build) are stamped by HYENA_FOURSTEP_ROWS for each buffer type (float32 without a suffix, bfloat16 _bf16).
            stamped.UnionWith(Stamped(6, @"void __launch_bounds__\(512, 2\) hyena_(fourstep_rows\w*##S(?:##_4096)?)\(", @"^HYENA_FOURSTEP_ROWS\((\w*), \w+\)",
                (stem, suffix) => "hyena_" + stem.Replace("##S##", suffix).Replace("##S", suffix)));
            // The four-step steps that read the filter and write its gradient are stamped by HYENA_FOURSTEP_FILTER for each
            // filter type (float32 without a suffix).
            stamped.UnionWith(Stamped(2, @"void __launch_bounds__\(256\) hyena_(fourstep_columns_\w+?_filter)##NAME\(", @"^HYENA_FOURSTEP_FILTER\((\w*), \w+\)",
                (stem, suffix) => $"hyena_{stem}{suffix}"));
            // The filter spectrum's four kernels (pad and gradient, positions first and channels first) are stamped by
            // HYENA_FILTER for each filter type (float32 without a suffix).
            stamped.UnionWith(Stamped(4, @"void hyena_(filter_\w+?)##NAME\(", @"^HYENA_FILTER\((\w*), \w+\)",
                (stem, suffix) => $"hyena_{stem}{suffix}"));
            // The filter MLP's forward and backward kernels are stamped by HYENA_FILTER_MLP for each width.
            stamped.UnionWith(Stamped(2, @"void __launch_bounds__\(HYENA_MLP_THREADS\) hyena_(filter_mlp_\w+?)_f##F\(", @"^HYENA_FILTER_MLP\((\d+)\)",
                (stem, width) => $"hyena_{stem}_f{width}"));
            // The layer norm's one-pass backward kernel is stamped by HYENA_LN_GRAD_ROWS for each count of vectors a lane.
            stamped.UnionWith(Stamped(1, @"void __launch_bounds__\(256\) hyena_(layer_norm_grad_rows)_##V\(", @"^HYENA_LN_GRAD_ROWS\((\d+)\)",
                (stem, vectors) => $"hyena_{stem}_{vectors}"));
            // ... and its forward kernel by HYENA_LN_FWD_ROWS.
            stamped.UnionWith(Stamped(1, @"void __launch_bounds__\(256\) hyena_(layer_norm_fwd_rows)_##V\(", @"^HYENA_LN_FWD_ROWS\((\d+)\)",
                (stem, vectors) => $"hyena_{stem}_{vectors}"));
            foreach (string name in CudaKernels.FunctionNames)
                Assert.True(stamped.Contains(name) || Regex.IsMatch(CudaKernels.Source, $@"extern ""C"" __global__ void (__launch_bounds__\(\d+(, \d+)?\) )?{name}\("), name);
            Assert.Equal(stamped.Count + 14, CudaKernels.FunctionNames.Distinct().Count());   // the 2 short-filter forward kernels, the widened bias add and its backward kernel, the sine activation's 2, _spectrum_gradient, _spectrum_slots, the filter path's ungated columns forward and inverse, the AdamW step, the layer norm's 2 two-pass backward kernels, and the MLP's GELU backward kernel
            Assert.DoesNotContain("#include", CudaKernels.Source);   // NVRTC needs no headers
        }

        [Fact]
        public void TheShortFiltersBackwardKernelIsTheOneForItsKernelSize()
        {
            // Kernels of up to 4 taps take the 4-tap build (fewer registers, more blocks an SM), up to 8 the 8-tap one.
            Assert.Equal("hyena_short_bwd_bf16", ShortConvolutionFunction.BackwardKernel(3, ScalarType.BFloat16));
            Assert.Equal("hyena_short_bwd_f32", ShortConvolutionFunction.BackwardKernel(4, ScalarType.Float32));
            Assert.Equal("hyena_short_bwd_k8_bf16", ShortConvolutionFunction.BackwardKernel(5, ScalarType.BFloat16));
            Assert.Equal("hyena_short_bwd_k8_f32", ShortConvolutionFunction.BackwardKernel(CudaKernels.MaxKernelSize, ScalarType.Float32));
            foreach (int k in new[] { 1, 4, 5, CudaKernels.MaxKernelSize })
                Assert.Contains(ShortConvolutionFunction.BackwardKernel(k, ScalarType.BFloat16), CudaKernels.FunctionNames);
            Assert.Matches(@"hyena_short_bwd_##TN\([^)]*\) \{[\s\\]*__shared__ float red\[10 \* 32\];[\s\\]*short_bwd<T, 4>", ShortConvolutionFunction.Source);
            Assert.Matches(@"hyena_short_bwd_k8_##TN\([^)]*\) \{[\s\\]*__shared__ float red\[10 \* 32\];[\s\\]*short_bwd<T, 8>", ShortConvolutionFunction.Source);
        }

        [Fact]
        public void NvrtcIsLookedForNextToThePyTorchInstall()
        {
            string root = Path.Combine(Path.GetTempPath(), "hyena-nvrtc-" + Guid.NewGuid().ToString("N"));
            try
            {
                string torchLib = Path.Combine(root, "site-packages", "torch", "lib");
                string cu13 = Path.Combine(root, "site-packages", "nvidia", "cu13", "lib");
                Directory.CreateDirectory(torchLib);
                Directory.CreateDirectory(cu13);
                File.WriteAllBytes(Path.Combine(cu13, "libnvrtc.so.13"), Array.Empty<byte>());
                File.WriteAllBytes(Path.Combine(cu13, "libnvrtc-builtins.so.13.0"), Array.Empty<byte>());
                var candidates = CudaKernels.Nvrtc.Candidates(name => name == CudaKernels.NvrtcVariable ? "/opt/x/libnvrtc.so" : null, torchLib).ToList();
                Assert.Equal("/opt/x/libnvrtc.so", candidates[0]);
                Assert.Contains(Path.Combine(cu13, "libnvrtc.so.13"), candidates);
                Assert.DoesNotContain(candidates, c => c.Contains("builtins", StringComparison.Ordinal));
                Assert.True(candidates.IndexOf("libnvrtc.so.13") < candidates.IndexOf(Path.Combine(cu13, "libnvrtc.so.13")));
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        }

        [Fact]
        public void WithoutADriverTheKernelsSayWhy()
        {
            if (cuda.is_available())
                return;
            var error = Assert.Throws<InvalidOperationException>(() => CudaKernels.Ensure(0));
            Assert.StartsWith("CUDA kernels unavailable", error.Message);
            Assert.Equal(error.Message, CudaKernels.Report);
        }

        [Fact]
        public void TheOnChipConvolutionTakesOnlyPowersOfTwoOnCuda()
        {
            using var scope = NewDisposeScope();
            Assert.False(OnChipFftConvolution.Applies(zeros(1, 2, 1024), 1024));   // CPU
            Assert.Equal(0, CudaKernels.MaxSharedBytes(99));                        // a device never prepared
            Assert.Equal(0, OnChipFftConvolution.MaxLength(99));
            Assert.Equal(512, OnChipFftConvolution.Threads(1024));
            Assert.Equal(1024, OnChipFftConvolution.Threads(16384));
            Assert.Equal(32, OnChipFftConvolution.Threads(16));
        }

        [Fact]
        public void AutoUsesTheRowKernelsOnlyWhereTheirGridFits()
        {
            long most = 65535L * CudaKernels.Threads;   // 16,776,960 positions
            Assert.True(CudaKernels.RowGridFits(1, most));
            Assert.False(CudaKernels.RowGridFits(1, most + 1));
            Assert.False(CudaKernels.RowGridFits(1, 2L * 8388608));   // the long convolution's padded 8M
            Assert.False(CudaKernels.RowGridFits(0, 16));
            Assert.False(CudaKernels.RowGridFits(int.MaxValue + 1L, 16));
            var error = Assert.Throws<NotSupportedException>(() => CudaKernels.RowGrid(1, most + 1));
            Assert.Contains("16776960 positions", error.Message);
        }

        [Fact]
        public void TheFourStepConvolutionSplitsRowsIntoColumnsAndRowsThatFitABlock()
        {
            Assert.Equal((4, 5, 5), FourStepFftConvolution.Factors(512));
            Assert.Equal((4, 11, 8), FourStepFftConvolution.Factors(32768));
            Assert.Equal((4, 12, 8), FourStepFftConvolution.Factors(65536));
            Assert.Equal((8, 12, 4), FourStepFftConvolution.Factors(1 << 20));
            Assert.Equal((10, 12, 2), FourStepFftConvolution.Factors(1 << 22));
            foreach (long length in new long[] { 256, 1 << 23, 65535, 3 << 14 })
            {
                var error = Assert.Throws<ArgumentOutOfRangeException>(() => FourStepFftConvolution.Factors(length));
                Assert.Equal("length", error.ParamName);
            }
            Assert.False(FourStepFftConvolution.Applies(99, 65536));   // a device never prepared
        }

        [Fact]
        public void TheFourStepKernelsShapedBuildsAreCompiledForTheShapeTheHostLaunches()
        {
            // The _4096 rows kernels are compiled for rows of 2^FixedRowLog2 points by HYENA_ROW_THREADS threads and
            // launched with RowThreads; the column kernels' shaped build runs where blockDim.x is HYENA_COLUMN_THREADS.
            string source = FourStepFftConvolution.Source;
            Assert.Equal(4096, 1 << FourStepFftConvolution.FixedRowLog2);
            Assert.Contains($"#define HYENA_ROW_THREADS {FourStepFftConvolution.RowThreads}\n", source.Replace("\r\n", "\n"));
            Assert.Contains($"#define HYENA_COLUMN_THREADS {FourStepFftConvolution.ColumnThreads}\n", source.Replace("\r\n", "\n"));
            var modes = new[] { ("hyena_fourstep_rows", 0), ("hyena_fourstep_rows_spectrum", 1), ("hyena_fourstep_rows_inverse", 2) };
            foreach (var (stem, mode) in modes)
            {
                Assert.Matches($@"{stem}##S##_4096\([^)]*\) {{[\s\\]*fourstep_rows_of<{mode}, {FourStepFftConvolution.FixedRowLog2}, HYENA_ROW_THREADS>", source);
                foreach (string buffer in new[] { "", "_bf16" })
                    Assert.Contains(stem + buffer + "_4096", FourStepFftConvolution.SharedMemoryFunctionNames);
            }
        }
    }
}
