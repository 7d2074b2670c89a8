using System;
using System.Collections.Generic;
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
