using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// Every faster path of the operator against the reference composition of library calls
    /// (<see cref="HyenaOperator.UseReferencePath"/>): values and gradients.
    /// </summary>
    public class ExecutionPathTests
    {
        private static HyenaOperatorConfig Small(int order = 2, int width = 6, int maxLength = 40) => new()
        {
            ModelDimension = width,
            MaxLength = maxLength,
            Order = order,
            FilterOrder = 8,
        };

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        [InlineData(4)]
        public void ShiftedMultiplyAddEqualsConv1d(int kernel)
        {
            manual_seed(10 + kernel);
            using var scope = NewDisposeScope();
            var filter = new ShortFilter("short_filter", 5, kernel);
            filter.to(ScalarType.Float64);
            var x = randn(2, 5, 13, dtype: ScalarType.Float64);
            var probe = randn(2, 5, 13, dtype: ScalarType.Float64);

            (Tensor y, Tensor gx, Tensor gw, Tensor gb) Grads(ShortFilterImplementation implementation)
            {
                filter.zero_grad();
                filter.Implementation = implementation;
                var input = x.clone().requires_grad_(true);
                var y = filter.call(input);
                (y * probe).sum().backward();
                return (y.detach(), input.grad!.clone(), filter.Weight.grad!.clone(), filter.BiasParameter.grad!.clone());
            }

            var reference = Grads(ShortFilterImplementation.Conv1d);
            var shifted = Grads(ShortFilterImplementation.ShiftedMultiplyAdd);
            TensorAssert.Close(shifted.y, reference.y, 1e-12, "output");
            TensorAssert.Close(shifted.gx, reference.gx, 1e-12, "grad input");
            TensorAssert.Close(shifted.gw, reference.gw, 1e-12, "grad weight");
            TensorAssert.Close(shifted.gb, reference.gb, 1e-12, "grad bias");
        }

        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        [InlineData(4)]
        public void KernelSwitchEqualsConv1dOnCpu(int kernel)
        {
            // On the CPU the CudaKernel switch runs the custom autograd node with the composed formulas of
            // its backward pass: what the CUDA kernels compute, checked here against Conv1d.
            manual_seed(60 + kernel);
            using var scope = NewDisposeScope();
            var filter = new ShortFilter("short_filter", 5, kernel);
            filter.to(ScalarType.Float64);
            var x = randn(3, 5, 11, dtype: ScalarType.Float64);
            var probe = randn(3, 5, 11, dtype: ScalarType.Float64);

            (Tensor y, Tensor gx, Tensor gw, Tensor gb) Grads(ShortFilterImplementation implementation)
            {
                filter.zero_grad();
                filter.Implementation = implementation;
                var input = x.clone().requires_grad_(true);
                var y = filter.call(input);
                (y * probe).sum().backward();
                return (y.detach(), input.grad!.clone(), filter.Weight.grad!.clone(), filter.BiasParameter.grad!.clone());
            }

            var reference = Grads(ShortFilterImplementation.Conv1d);
            for (int round = 0; round < 3; round++)   // repeated: the node's handed-out gradients are released on the next call
            {
                var kernelPath = Grads(ShortFilterImplementation.CudaKernel);
                TensorAssert.Close(kernelPath.y, reference.y, 1e-12, "output");
                TensorAssert.Close(kernelPath.gx, reference.gx, 1e-12, "grad input");
                TensorAssert.Close(kernelPath.gw, reference.gw, 1e-12, "grad weight");
                TensorAssert.Close(kernelPath.gb, reference.gb, 1e-12, "grad bias");
            }
            using (no_grad())
                TensorAssert.Close(filter.call(x), reference.y, 1e-12, "output without autograd");
        }

        [Theory]
        [InlineData(ShortFilterImplementation.Conv1d, 3)]
        [InlineData(ShortFilterImplementation.ShiftedMultiplyAdd, 3)]
        [InlineData(ShortFilterImplementation.CudaKernel, 1)]
        [InlineData(ShortFilterImplementation.CudaKernel, 3)]
        [InlineData(ShortFilterImplementation.CudaKernel, 8)]
        public void InputBiasIsAddedBeforeTheConvolution(ShortFilterImplementation implementation, int kernel)
        {
            // conv(x + inputBias) with the input bias's gradient (on the CPU the CudaKernel switch runs the node's composed
            // formulas, which is what the CUDA kernels compute): against Conv1d on x + inputBias computed by autograd.
            manual_seed(70 + kernel);
            using var scope = NewDisposeScope();
            var filter = new ShortFilter("short_filter", 5, kernel);
            filter.to(ScalarType.Float64);
            var x = randn(2, 5, 12, dtype: ScalarType.Float64);
            var inputBias = randn(5, dtype: ScalarType.Float64);
            var probe = randn(2, 5, 12, dtype: ScalarType.Float64);

            (Tensor y, Tensor gx, Tensor gw, Tensor gb, Tensor gpb) Grads(bool folded)
            {
                filter.zero_grad();
                filter.Implementation = folded ? implementation : ShortFilterImplementation.Conv1d;
                var input = x.clone().requires_grad_(true);
                var pb = inputBias.clone().requires_grad_(true);
                var y = folded ? filter.Apply(input, null, pb) : filter.call(input + pb.view(5, 1));
                (y * probe).sum().backward();
                return (y.detach(), input.grad!.clone(), filter.Weight.grad!.clone(), filter.BiasParameter.grad!.clone(), pb.grad!.clone());
            }

            var reference = Grads(folded: false);
            var got = Grads(folded: true);
            TensorAssert.Close(got.y, reference.y, 1e-12, "output");
            TensorAssert.Close(got.gx, reference.gx, 1e-12, "grad input");
            TensorAssert.Close(got.gw, reference.gw, 1e-12, "grad weight");
            TensorAssert.Close(got.gb, reference.gb, 1e-12, "grad bias");
            TensorAssert.Close(got.gpb, reference.gpb, 1e-12, "grad input bias");
            Assert.True(got.gpb.abs().max().item<double>() > 0.1, "the input bias's gradient is not trivially zero");
            var error = Assert.Throws<ArgumentException>(() => filter.Apply(x, null, randn(4, dtype: ScalarType.Float64)));
            Assert.Equal("inputBias", error.ParamName);
        }

        [Fact]
        public void KernelSwitchInTheOperatorEqualsTheReferencePath()
        {
            manual_seed(61);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small(3));
            op.to(ScalarType.Float64);
            var x = randn(2, 21, 6, dtype: ScalarType.Float64);
            var probe = randn(2, 21, 6, dtype: ScalarType.Float64);
            op.UseReferencePath();
            var reference = OperatorGradients.Run(op, x, probe);
            op.FoldSkipTerm = true;
            op.ShortFilterImplementation = ShortFilterImplementation.CudaKernel;
            OperatorGradients.AssertSame(OperatorGradients.Run(op, x, probe), reference, 1e-10, "kernel switch (composed on CPU)");
        }

        [Fact]
        public void ShortFilterIsCausalAndKeepsConv1dNames()
        {
            using var scope = NewDisposeScope();
            var filter = new ShortFilter("short_filter", 3, 3);
            Assert.Equal(new[] { "bias", "weight" }, filter.named_parameters().Select(p => p.name).OrderBy(n => n));
            Assert.Equal(new long[] { 3, 1, 3 }, filter.Weight.shape);
            foreach (var implementation in new[] { ShortFilterImplementation.Conv1d, ShortFilterImplementation.ShiftedMultiplyAdd })
            {
                filter.Implementation = implementation;
                var x = zeros(1, 3, 8);
                x[0, .., 4] = ones(3);
                var y = filter.call(x) - filter.BiasParameter.detach().view(1, 3, 1);
                Assert.True(y[.., .., ..4].abs().max().item<float>() == 0, $"{implementation}: output before the impulse");
                // The impulse at t = 4 meets weight[c, 0, K-1] at t = 4, weight[c, 0, K-2] at t = 5, ...
                TensorAssert.Close(y[0, .., 4], filter.Weight.detach()[.., 0, 2], 1e-6, $"{implementation}: tap 0");
                TensorAssert.Close(y[0, .., 6], filter.Weight.detach()[.., 0, 0], 1e-6, $"{implementation}: tap 2");
            }
        }

        [Fact]
        public void AutoPicksTheCudaKernelsOnlyOnCudaWhenTheyAreReady()
        {
            var small = new long[] { 1, 2304, 65536 };
            var huge = new long[] { 1, 2304, 1 << 20 };
            Assert.Equal(ShortFilterImplementation.Conv1d, ShortFilter.Resolve(ShortFilterImplementation.Auto, DeviceType.CPU, small, 2, 3));
            Assert.Equal(ShortFilterImplementation.Conv1d, ShortFilter.Resolve(ShortFilterImplementation.Auto, DeviceType.CUDA, small, 2, 3));
            Assert.Equal(ShortFilterImplementation.Conv1d, ShortFilter.Resolve(ShortFilterImplementation.Auto, DeviceType.CUDA, huge, 4, 3));
            Assert.Equal(ShortFilterImplementation.ShiftedMultiplyAdd, ShortFilter.Resolve(ShortFilterImplementation.ShiftedMultiplyAdd, DeviceType.CUDA, huge, 4, 3));
            Assert.Equal(ShortFilterImplementation.Conv1d, ShortFilter.Resolve(ShortFilterImplementation.Conv1d, DeviceType.CUDA, small, 2, 3));
            // With the kernels ready: CUDA takes them (K up to 8), the CPU never does, and an explicit choice stands.
            Assert.Equal(ShortFilterImplementation.CudaKernel, ShortFilter.Resolve(ShortFilterImplementation.Auto, DeviceType.CUDA, small, 2, 3, cudaKernelsReady: true));
            Assert.Equal(ShortFilterImplementation.Conv1d, ShortFilter.Resolve(ShortFilterImplementation.Auto, DeviceType.CUDA, small, 2, 9, cudaKernelsReady: true));
            Assert.Equal(ShortFilterImplementation.Conv1d, ShortFilter.Resolve(ShortFilterImplementation.Auto, DeviceType.CPU, small, 2, 3, cudaKernelsReady: true));
            Assert.Equal(ShortFilterImplementation.Conv1d, ShortFilter.Resolve(ShortFilterImplementation.Conv1d, DeviceType.CUDA, small, 2, 3, cudaKernelsReady: true));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(9)]
        [InlineData(64)]
        public void FoldedSkipTermEqualsSeparateSkipTerm(int length)
        {
            manual_seed(20 + length);
            using var scope = NewDisposeScope();
            var u = randn(2, 3, length, dtype: ScalarType.Float64).requires_grad_(true);
            var k = randn(3, length, dtype: ScalarType.Float64).requires_grad_(true);
            var bias = randn(3, dtype: ScalarType.Float64).requires_grad_(true);
            var probe = randn(2, 3, length, dtype: ScalarType.Float64);

            (Tensor y, Tensor gu, Tensor gk, Tensor gb) Grads(Func<Tensor, Tensor, Tensor, Tensor> conv)
            {
                u.grad = null; k.grad = null; bias.grad = null;
                var y = conv(u, k, bias);
                (y * probe).sum().backward();
                return (y.detach(), u.grad!.clone(), k.grad!.clone(), bias.grad!.clone());
            }

            var direct = Grads(FftConvolution.CausalDirect);
            var separate = Grads(FftConvolution.Causal);
            var folded = Grads(FftConvolution.CausalFolded);
            foreach (var (name, a, b) in new[] { ("output", folded.y, direct.y), ("grad u", folded.gu, direct.gu), ("grad k", folded.gk, direct.gk), ("grad bias", folded.gb, direct.gb) })
                TensorAssert.Close(a, b, 1e-10, "folded vs direct: " + name);
            TensorAssert.Close(folded.y, separate.y, 1e-10, "folded vs separate");

            // float32 input with a float32 filter: the transform's precision.
            var y32 = FftConvolution.CausalFolded(u.detach().to_type(ScalarType.Float32), k.detach().to_type(ScalarType.Float32), bias.detach().to_type(ScalarType.Float32));
            Assert.Equal(ScalarType.Float32, y32.dtype);
            TensorAssert.Close(y32, direct.y, 1e-5, "float32");
        }

        [Theory]
        [InlineData(2)]
        [InlineData(3)]
        public void DefaultPathEqualsReferencePathInFloat64(int order)
        {
            manual_seed(30 + order);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small(order));
            op.to(ScalarType.Float64);
            var x = randn(2, 33, 6, dtype: ScalarType.Float64);
            var probe = randn(2, 33, 6, dtype: ScalarType.Float64);

            op.UseReferencePath();
            var reference = OperatorGradients.Run(op, x, probe);
            op.FoldSkipTerm = true;
            OperatorGradients.AssertSame(OperatorGradients.Run(op, x, probe), reference, 1e-10, "folded skip term");
            op.ShortFilterImplementation = ShortFilterImplementation.ShiftedMultiplyAdd;
            OperatorGradients.AssertSame(OperatorGradients.Run(op, x, probe), reference, 1e-10, "folded + shifted short filter");
            op.FoldSkipTerm = false;
            OperatorGradients.AssertSame(OperatorGradients.Run(op, x, probe), reference, 1e-10, "shifted short filter");
        }

        [Fact]
        public void DefaultPathEqualsReferencePathInFloat32()
        {
            manual_seed(33);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small());
            var x = randn(2, 40, 6);
            var probe = randn(2, 40, 6);
            op.UseReferencePath();
            var reference = OperatorGradients.Run(op, x, probe);
            op.FoldSkipTerm = true;
            op.ShortFilterImplementation = ShortFilterImplementation.ShiftedMultiplyAdd;
            OperatorGradients.AssertSame(OperatorGradients.Run(op, x, probe), reference, 1e-5, "float32 fast path");
        }

        [Fact]
        public void MixedPrecisionIsCloseToFloat32AndKeepsFloat32MasterWeights()
        {
            manual_seed(40);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small(width: 16));
            var x = randn(2, 40, 16);
            var probe = randn(2, 40, 16);
            op.UseReferencePath();
            var reference = OperatorGradients.Run(op, x, probe);

            foreach (var shortFilter in new[] { ShortFilterImplementation.Conv1d, ShortFilterImplementation.ShiftedMultiplyAdd })
            {
                op.ComputeDtype = ScalarType.BFloat16;
                op.FoldSkipTerm = true;
                op.ShortFilterImplementation = shortFilter;
                var mixed = OperatorGradients.Run(op, x, probe);
                Assert.Equal(ScalarType.Float32, mixed.Output.dtype);
                Assert.All(op.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
                Assert.All(mixed.Grads.Values, g => Assert.Equal(ScalarType.Float32, g.dtype));
                // bfloat16 keeps 8 bits of mantissa: errors of a few 1e-3 relative.
                OperatorGradients.AssertSame(mixed, reference, 3e-2, $"bfloat16 ({shortFilter})");
                Assert.True(TensorAssert.RelativeError(mixed.Output, reference.Output) > 1e-6, "the bfloat16 path did not run in bfloat16");
            }
        }

        [Fact]
        public void MixedPrecisionRunsTheFiltersLastProductInTheComputeTypeOnly()
        {
            manual_seed(42);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small(width: 16));
            var filter = op.FilterFunction;
            var last = (Linear)filter.ImplicitFilter.children().Last();
            var h32 = filter.call(40);
            h32.square().sum().backward();
            var grad32 = last.weight!.grad!.clone();
            last.weight.grad!.zero_();

            op.ComputeDtype = ScalarType.BFloat16;
            Assert.Equal(ScalarType.BFloat16, filter.MatrixProductType);
            var h16 = filter.call(40);
            Assert.Equal(ScalarType.Float32, h16.dtype);
            // One product in bfloat16 (8 bits of mantissa): about 1e-3 relative, and not exact.
            TensorAssert.Close(h16, h32, 1e-2, "filter with its last product in bfloat16");
            Assert.True(TensorAssert.RelativeError(h16, h32) > 1e-6, "the last product did not run in bfloat16");
            h16.square().sum().backward();
            Assert.Equal(ScalarType.Float32, last.weight.grad!.dtype);
            TensorAssert.Close(last.weight.grad!, grad32, 2e-2, "the last Linear's weight gradient");

            // Left in the product's type for the spectrum's kernels, which widen it as they read: the same values.
            var (h, _) = filter.Unwindowed(40, inProductType: true);
            Assert.Equal(ScalarType.BFloat16, h.dtype);
            var (wide, _) = filter.Unwindowed(40);
            Assert.Equal(ScalarType.Float32, wide.dtype);
            Assert.True(h.to_type(ScalarType.Float32).eq(wide).all().item<bool>(), "the product left in bfloat16 is not the one cast back");

            op.ComputeDtype = null;
            Assert.Null(filter.MatrixProductType);
            TensorAssert.Close(filter.call(40), h32, 1e-6, "filter back in float32");
        }

        [Theory]
        [InlineData(false, false)]
        [InlineData(true, false)]
        [InlineData(true, true)]
        public void TheFiltersLastProductWrittenChannelsFirstIsTheSameFilter(bool bfloat16, bool inProductType)
        {
            // The spectrum's CUDA kernels read the filter channels first: the MLP's last product written W x^T, h that
            // product itself. Transposed, the same values and the same parameter gradients as the product written x W^T.
            manual_seed(44);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small(width: 16));
            op.ComputeDtype = bfloat16 ? ScalarType.BFloat16 : null;
            var filter = op.FilterFunction;
            var probe = randn(1, 40, filter.Bias.size(0));
            Dictionary<string, Tensor> Gradients(Tensor h)
            {
                (h.to_type(ScalarType.Float32) * probe).sum().backward();
                var grads = filter.named_parameters().Where(p => p.parameter.grad is not null)
                    .ToDictionary(p => p.name, p => p.parameter.grad!.clone());
                filter.zero_grad();
                return grads;
            }
            var (positionsFirst, _) = filter.Unwindowed(40, inProductType);
            var expected = Gradients(positionsFirst);
            var (product, _) = filter.Unwindowed(40, inProductType, channelsFirst: true);   // (1, C, 40) itself
            Assert.Equal(new long[] { 1, filter.Bias.size(0), 40 }, product.shape);
            Assert.True(product.is_contiguous(), "the product is not laid out channels first");
            var channelsFirst = product.transpose(1, 2);
            Assert.Equal(positionsFirst.shape, channelsFirst.shape);
            Assert.Equal(positionsFirst.dtype, channelsFirst.dtype);
            TensorAssert.Close(channelsFirst, positionsFirst, bfloat16 ? 1e-2 : 1e-6, "the filter written channels first");
            var actual = Gradients(channelsFirst);
            Assert.Equal(expected.Keys.OrderBy(k => k), actual.Keys.OrderBy(k => k));
            Assert.NotEmpty(expected);
            foreach (var (name, grad) in expected)
                TensorAssert.Close(actual[name], grad, bfloat16 ? 2e-2 : 1e-5, name);
        }

        [Fact]
        public void ChangingTheComputeTypeDropsTheCachedSpectrumOnlyWhenTheFiltersProductChanges()
        {
            manual_seed(43);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small(width: 16));
            op.eval();
            op.CacheFilterSpectrum = true;
            op.ComputeDtype = ScalarType.BFloat16;
            using (no_grad())
                op.call(randn(1, 24, 16));
            Assert.Equal(1, op.CachedSpectrumCount);
            op.ComputeDtype = ScalarType.BFloat16;                 // the same: kept
            Assert.Equal(1, op.CachedSpectrumCount);
            op.ComputeDtype = null;                                 // the filter's last product back in float32: dropped
            Assert.Equal(0, op.CachedSpectrumCount);
        }

        [Fact]
        public void MixedPrecisionBlockIsCloseToFloat32()
        {
            manual_seed(41);
            using var scope = NewDisposeScope();
            var block = new HyenaBlock(Small(width: 16));
            var x = randn(2, 24, 16).requires_grad_(true);
            var y32 = block.call(x);
            block.ComputeDtype = ScalarType.BFloat16;
            Assert.Equal(ScalarType.BFloat16, block.Mixer.ComputeDtype);
            var y16 = block.call(x);
            Assert.Equal(ScalarType.Float32, y16.dtype);
            TensorAssert.Close(y16, y32, 2e-2, "block output");
            y16.sum().backward();
            Assert.All(block.parameters(), p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));
        }

        [Fact]
        public void ACachedSpectrumDroppedWhileAPassHoldsItStaysValidUntilReleased()
        {
            // A pass on another thread may evict or clear the entry another pass is reading: its spectrum lives until released.
            manual_seed(51);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small(width: 16));
            op.eval();
            op.CacheFilterSpectrum = true;
            op.FilterCacheCapacity = 1;
            var held = op.CachedSpectrum(24, CPU);
            var spectrum = held.Get(kernelOrder: false);
            using (no_grad())
                op.call(randn(1, 20, 16));                          // another length: the held entry is evicted
            Assert.Equal(1, op.CachedSpectrumCount);
            Assert.True(float.IsFinite(spectrum.abs().sum().item<float>()), "the held spectrum was freed while held");
            op.ClearFilterCache();                                  // dropped twice over: still held
            Assert.True(float.IsFinite(spectrum.abs().sum().item<float>()), "the held spectrum was freed by a clear");
            held.Release();
            Assert.Throws<InvalidOperationException>(() => held.Get(kernelOrder: false));   // released: not readable
            Assert.ThrowsAny<Exception>(() => spectrum.abs().sum().item<float>());           // and freed
        }

        [Fact]
        public void CachedSpectrumEqualsUncachedAndIsDroppedWhenParametersMayChange()
        {
            manual_seed(50);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small());
            var x = randn(2, 40, 6);
            op.eval();
            Tensor Infer(Tensor input)
            {
                using var noGrad = no_grad();
                return op.call(input);
            }

            var uncached = Infer(x);
            op.CacheFilterSpectrum = true;
            Assert.Equal(0, op.CachedSpectrumCount);
            var first = Infer(x);
            Assert.Equal(1, op.CachedSpectrumCount);
            var second = Infer(x);
            Assert.Equal(1, op.CachedSpectrumCount);
            TensorAssert.Close(first, uncached, 1e-6, "cached (first)");
            TensorAssert.Close(second, uncached, 1e-6, "cached (second)");
            Infer(x[.., ..17, ..]);
            Assert.Equal(2, op.CachedSpectrumCount);
            TensorAssert.Close(Infer(x[.., ..17, ..]), uncached[.., ..17, ..], 1e-5, "cached prefix");

            // A forward pass with gradients on (training may follow) drops the cache.
            op.call(x).Dispose();
            Assert.Equal(0, op.CachedSpectrumCount);

            // train()/eval() drop it.
            Infer(x);
            op.train();
            Assert.Equal(0, op.CachedSpectrumCount);
            op.eval();

            // Loading other weights drops it, and the result follows the new weights.
            Infer(x);
            manual_seed(51);
            var other = new HyenaOperator(Small());
            other.eval();
            StateDict.Load(op, StateDict.Export(other));
            Assert.Equal(0, op.CachedSpectrumCount);
            Tensor expected;
            using (no_grad())
                expected = other.call(x);
            TensorAssert.Close(Infer(x), expected, 1e-6, "after StateDict.Load");

            // to() drops it.
            Assert.Equal(1, op.CachedSpectrumCount);
            op.to(ScalarType.Float64);
            Assert.Equal(0, op.CachedSpectrumCount);
            TensorAssert.Close(Infer(x.to_type(ScalarType.Float64)), expected, 1e-5, "after to(float64)");

            // The capacity bounds it; turning the option off empties it.
            op.FilterCacheCapacity = 2;
            foreach (int length in new[] { 5, 6, 7 })
                Infer(x[.., ..length, ..].to_type(ScalarType.Float64));
            Assert.Equal(2, op.CachedSpectrumCount);
            op.CacheFilterSpectrum = false;
            Assert.Equal(0, op.CachedSpectrumCount);
        }

        [Fact]
        public void CacheIsNotUsedInTrainingOrWithGradients()
        {
            manual_seed(52);
            using var scope = NewDisposeScope();
            var op = new HyenaOperator(Small());
            op.CacheFilterSpectrum = true;
            var x = randn(1, 12, 6);
            op.train();
            using (no_grad())
                op.call(x).Dispose();
            Assert.Equal(0, op.CachedSpectrumCount);
            op.eval();
            var y = op.call(x);
            Assert.True(y.requires_grad);
            Assert.Equal(0, op.CachedSpectrumCount);
        }

        [Fact]
        public void ComputeDtypeRefusesIntegerTypes()
        {
            using var op = new HyenaOperator(Small());
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => op.ComputeDtype = ScalarType.Int32);
            Assert.Contains("ComputeDtype", error.Message);
        }
    }
}
