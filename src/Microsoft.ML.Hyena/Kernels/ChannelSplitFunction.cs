using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// The operator's streams: (B, N D, L) split along the channels into N views (B, D, L), as one autograd node whose
    /// backward pass does not copy gradients that already lie side by side, in order, in one buffer of the input's shape
    /// (as <see cref="OnChipFftConvolution.Backward"/> writes the three streams' gradients): it hands that buffer
    /// on as the input's gradient. Other gradients are concatenated, as libtorch's split does (an unused stream's, which
    /// TorchSharp hands over undefined, as zeros). At 64k and width 768 on an H200 that concatenation was 0.15 ms of the operator's 8.7 ms, and a second
    /// buffer of the streams' size.
    /// </summary>
    internal sealed class ChannelSplitFunction : autograd.MultiTensorFunction<ChannelSplitFunction>
    {
        public override string Name => "HyenaChannelSplit";

        /// <summary>The <paramref name="count"/> views of <paramref name="x"/> (B, count * width, L), width channels each.</summary>
        public static Tensor[] Apply(Tensor x, long width, int count)
        {
            if (x.dim() != 3 || x.size(1) != width * count)
                throw new ArgumentException($"Expected (B, {count} x {width}, L) streams; got ({string.Join(", ", x.shape)}).", nameof(x));
            return !is_grad_enabled() || !x.requires_grad ? x.split(width, 1) : apply(x, width, count).ToArray();
        }

        public override List<Tensor> forward(autograd.AutogradContext ctx, params object[] vars)
        {
            GradientHandOff.TakeUndefinedGradients(ctx);
            var x = (Tensor)vars[0];
            long width = (long)vars[1];
            ctx.save_data("shape", x.shape);
            ctx.save_data("width", width);
            return x.split(width, 1).ToList();
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, List<Tensor> grad_outputs)
            => GradientHandOff.Backward("channel split", 3, grad_outputs, () =>
            {
                var shape = (long[])ctx.get_data("shape");
                long width = (long)ctx.get_data("width");
                var defined = grad_outputs.Find(GradientHandOff.Defined)!;                     // Backward runs this only when one is
                var streams = grad_outputs.Select(g => GradientHandOff.Defined(g) ? g : zeros_like(defined)).ToList();   // an unused stream's: zeros
                var gradient = Adjacent(streams, shape, width) ?? cat(streams, 1);
                return new List<Tensor> { gradient, null!, null! };
            });

        /// <summary>
        /// The (B, N D, L) tensor that the N gradients (B, D, L) are views of, when they lie in order in one storage as
        /// the channel blocks of such a tensor (as the on-chip backward pass writes them); else null. Each view must have
        /// that tensor's strides, and its offset in its storage and its address must differ from the first's by the same
        /// amount: then their storages start at the same address, which two live storages cannot.
        /// </summary>
        internal static Tensor? Adjacent(IReadOnlyList<Tensor?> grads, long[] shape, long width)
        {
            if (grads.Count == 0 || grads.Any(g => g is null))
                return null;
            var first = grads[0]!;
            long block = width * shape[2];
            var strides = new[] { shape[1] * shape[2], shape[2], 1L };
            for (int i = 0; i < grads.Count; i++)
            {
                var g = grads[i]!;
                if (g.dtype != first.dtype || g.device_type != first.device_type || g.device_index != first.device_index || g.dim() != 3
                    || g.size(0) != shape[0] || g.size(1) != width || g.size(2) != shape[2]
                    || (shape[0] > 1 && g.stride(0) != strides[0]) || (width > 1 && g.stride(1) != strides[1]) || (shape[2] > 1 && g.stride(2) != 1)
                    || g.storage_offset() - first.storage_offset() != i * block
                    || (long)CudaKernels.DataPointer(g) - (long)CudaKernels.DataPointer(first) != i * block * first.ElementSize)
                    return null;
            }
            return first.as_strided(shape, strides);
        }
    }
}
