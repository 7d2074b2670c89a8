using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>A failure inside a hand-written backward pass neither ends the process nor goes unnoticed.</summary>
    [Collection("GradientHandOff")]   // the pending failure is process-wide
    public class GradientHandOffTests
    {
        /// <summary>y = 2x, whose backward pass fails (as running out of device memory would).</summary>
        private sealed class FailingBackward : autograd.SingleTensorFunction<FailingBackward>
        {
            public override string Name => "FailingBackward";

            public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
            {
                GradientHandOff.BeginForward(((Tensor)vars[0]).device);
                return ((Tensor)vars[0]) * 2;
            }

            public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
                => GradientHandOff.Backward("test", 1, grad_output, () => throw new InvalidOperationException("CUDA out of memory (simulated)"));
        }

        /// <summary>y = 2x through <see cref="GradientHandOff.Backward(string, int, Tensor, Func{List{Tensor}}, Func{List{Tensor}})"/>, which notes where the gradient it hands out lives.</summary>
        private sealed class Doubling : autograd.SingleTensorFunction<Doubling>
        {
            [ThreadStatic]
            public static IntPtr LastGradient;

            public override string Name => "Doubling";

            public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
            {
                GradientHandOff.TakeUndefinedGradients(ctx);
                GradientHandOff.BeginForward(((Tensor)vars[0]).device);
                return ((Tensor)vars[0]) * 2;
            }

            public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
                => GradientHandOff.Backward("test", 1, grad_output, () =>
                {
                    var g = grad_output * 2;
                    LastGradient = CudaKernels.DataPointer(g);
                    return new List<Tensor> { g };
                });
        }

        [Fact]
        public void ALeafTakesTheHandedOutGradientWithoutACopyThroughLeafInput()
        {
            using var scope = NewDisposeScope();
            var x = randn(64).requires_grad_(true);
            Doubling.apply(GradientHandOff.LeafInput(x)).sum().backward();
            Assert.Equal(Doubling.LastGradient, CudaKernels.DataPointer(x.grad!));              // the same memory: no copy
            Assert.Equal(Enumerable.Repeat(2f, 64), x.grad!.data<float>().ToArray());

            var direct = randn(64).requires_grad_(true);
            Doubling.apply(direct).sum().backward();
            Assert.NotEqual(Doubling.LastGradient, CudaKernels.DataPointer(direct.grad!));      // fed directly, libtorch copies it (our wrapper still references it)
            Assert.Equal(Enumerable.Repeat(2f, 64), direct.grad!.data<float>().ToArray());

            var inner = randn(64).requires_grad_(true);
            var notLeaf = inner * 1;
            Assert.Same(notLeaf, GradientHandOff.LeafInput(notLeaf));              // not a leaf: taken as it is
            var frozen = randn(64);
            Assert.Same(frozen, GradientHandOff.LeafInput(frozen));                // a leaf without a gradient: as it is
        }

        [Fact]
        public void BackwardPassesAreTracedOnlyWhileTracingIsOn()
        {
            using var scope = NewDisposeScope();
            lock (GradientHandOff.TracedBackwards)
                GradientHandOff.TracedBackwards.Clear();
            Doubling.apply(randn(8).requires_grad_(true)).sum().backward();
            lock (GradientHandOff.TracedBackwards)
                Assert.Empty(GradientHandOff.TracedBackwards);                    // off by default
            GradientHandOff.TraceBackwards = true;
            try
            {
                Doubling.apply(Doubling.apply(randn(8).requires_grad_(true))).sum().backward();
            }
            finally
            {
                GradientHandOff.TraceBackwards = false;
            }
            List<(string Name, long Start, long End)> traced;
            lock (GradientHandOff.TracedBackwards)
                traced = GradientHandOff.TracedBackwards.ToList();
            Assert.Equal(new[] { "test", "test" }, traced.Select(t => t.Name));  // both nodes, in the order they ran
            Assert.All(traced, t => Assert.True(t.End >= t.Start && t.Start > 0));
            Assert.True(traced[1].Start >= traced[0].End, "the second node ran before the first ended");
        }

        [Fact]
        public void AFailedBackwardIsThrownAfterwardsOnce()
        {
            using var scope = NewDisposeScope();
            HyenaOperator.ThrowIfBackwardFailed();   // nothing pending
            var x = ones(3).requires_grad_(true);
            var y = FailingBackward.apply(x);
            (y.sum() + x.sum()).backward();          // completes: libtorch got an undefined gradient from the node

            Assert.Equal(new[] { 1f, 1f, 1f }, x.grad!.data<float>().ToArray());   // only the other path's gradient
            var error = Assert.Throws<InvalidOperationException>(() => HyenaOperator.ThrowIfBackwardFailed());
            Assert.Contains("gradients of that pass are incomplete", error.Message);
            Assert.Contains("simulated", error.InnerException!.Message);
            HyenaOperator.ThrowIfBackwardFailed();   // reported once
        }

        [Fact]
        public void ANodeBeforeAFailedOneTakesItsUndefinedGradientWithoutEndingTheProcess()
        {
            // As in a model: the node before was applied inside a dispose scope that has ended by the backward pass.
            // TorchSharp 0.107 would make zeros for its undefined incoming gradient from a copy of its output that the scope
            // freed, and stop the process; our nodes take the undefined gradient as it is and hand undefined ones on.
            using var scope = NewDisposeScope();
            var x = ones(3).requires_grad_(true);
            Tensor y;
            using (var inner = NewDisposeScope())
                y = FailingBackward.apply(Doubling.apply(x * 1)).MoveToOuterDisposeScope();
            (y.sum() + x.sum()).backward();          // the process goes on
            Assert.Equal(new[] { 1f, 1f, 1f }, x.grad!.data<float>().ToArray());   // only the other path's gradient
            Assert.Throws<InvalidOperationException>(() => HyenaOperator.ThrowIfBackwardFailed(CPU));
        }

        [Fact]
        public void AStreamWithoutAGradientComesBackAsZerosFromTheChannelSplit()
        {
            // Only the first of three streams is used, and the split was applied inside a scope that has ended.
            using var scope = NewDisposeScope();
            var x = arange(24f).reshape(1, 6, 4).requires_grad_(true);
            Tensor first;
            using (var inner = NewDisposeScope())
                first = ChannelSplitFunction.Apply(x * 1, 2, 3)[0].MoveToOuterDisposeScope();
            (first * 3).sum().backward();
            var expected = zeros(1, 6, 4);
            expected.narrow(1, 0, 2).fill_(3);
            Assert.Equal(expected.data<float>().ToArray(), x.grad!.data<float>().ToArray());
            HyenaOperator.ThrowIfBackwardFailed(CPU);   // nothing failed
        }

        [Fact]
        public void FailuresAreKeptByDevice()
        {
            using var scope = NewDisposeScope();
            var x = ones(2).requires_grad_(true);
            FailingBackward.apply(x).sum().backward();
            HyenaOperator.ThrowIfBackwardFailed(new Device(DeviceType.CUDA, 1));   // another device: nothing there
            Assert.Throws<InvalidOperationException>(() => HyenaOperator.ThrowIfBackwardFailed(CPU));
        }

        [Fact]
        public void TheNextForwardPassThrowsAnUncheckedFailure()
        {
            using var scope = NewDisposeScope();
            var x = ones(2).requires_grad_(true);
            FailingBackward.apply(x).sum().backward();
            Assert.Throws<InvalidOperationException>(() => FailingBackward.apply(x));
            FailingBackward.apply(x);                 // then forward passes run again
        }
    }
}
