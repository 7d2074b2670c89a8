using System;
using System.Linq;
using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// <see cref="ChannelSplitFunction"/>: the operator's streams as views, with a backward pass that hands on gradients lying
    /// side by side in one buffer (as the on-chip backward pass writes them) and concatenates any others.
    /// </summary>
    public class ChannelSplitTests
    {
        [Fact]
        public void ItSplitsAsLibtorchDoesAndConcatenatesSeparateGradients()
        {
            manual_seed(11);
            using var scope = NewDisposeScope();
            var x = randn(2, 12, 5).requires_grad_(true);
            var parts = ChannelSplitFunction.Apply(x, 4, 3);
            Assert.Equal(3, parts.Length);
            for (int i = 0; i < 3; i++)
                Assert.True(parts[i].eq(x.detach().narrow(1, 4 * i, 4)).all().item<bool>());
            var probes = Enumerable.Range(0, 3).Select(_ => randn(2, 4, 5)).ToArray();
            parts.Zip(probes, (p, g) => (p * g).sum()).Aggregate((a, b) => a + b).backward();
            Assert.True(x.grad!.eq(cat(probes, 1)).all().item<bool>());
        }

        [Fact]
        public void GradientsSideBySideInOneBufferArePassedOnAsTheyAre()
        {
            manual_seed(12);
            using var scope = NewDisposeScope();
            var joint = randn(1, 12, 5);
            var views = joint.split(4, 1);
            var adjacent = ChannelSplitFunction.Adjacent(views, new long[] { 1, 12, 5 }, 4);
            Assert.NotNull(adjacent);
            Assert.Equal(CudaKernels.DataPointer(joint), CudaKernels.DataPointer(adjacent!));
            Assert.True(adjacent!.eq(joint).all().item<bool>());

            // Through autograd: the gradients given to the three outputs are those views.
            var x = randn(1, 12, 5).requires_grad_(true);
            var parts = ChannelSplitFunction.Apply(x, 4, 3);
            autograd.backward(parts, views);
            Assert.True(x.grad!.eq(joint).all().item<bool>());
        }

        [Fact]
        public void OnlyViewsOfOneBufferInOrderCount()
        {
            using var scope = NewDisposeScope();
            var shape = new long[] { 1, 12, 5 };
            var separate = Enumerable.Range(0, 3).Select(_ => zeros(1, 4, 5)).ToArray();
            Assert.Null(ChannelSplitFunction.Adjacent(separate, shape, 4));
            var joint = zeros(1, 12, 5).split(4, 1);
            Assert.Null(ChannelSplitFunction.Adjacent(new[] { joint[1], joint[0], joint[2] }, shape, 4));   // out of order
            var buffer = randn(2, 12, 5);
            var batched = ChannelSplitFunction.Adjacent(buffer.split(4, 1), new long[] { 2, 12, 5 }, 4);     // batch 2: strided views
            Assert.NotNull(batched);
            Assert.Equal(CudaKernels.DataPointer(buffer), CudaKernels.DataPointer(batched!));
            Assert.True(batched!.eq(buffer).all().item<bool>());
            var separateBatched = Enumerable.Range(0, 3).Select(_ => zeros(2, 4, 5)).ToArray();
            Assert.Null(ChannelSplitFunction.Adjacent(separateBatched, new long[] { 2, 12, 5 }, 4));
            var ex = Assert.Throws<ArgumentException>(() => ChannelSplitFunction.Apply(zeros(1, 10, 5), 4, 3));
            Assert.Equal("x", ex.ParamName);
        }
    }
}
