using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// The residual stream through blocks that hand their last branch on to the next block's layer norm
    /// (<see cref="ResidualStream"/>): the same values and gradients as the blocks applied in turn and the final norm, and
    /// a block on its own the same as before. (On CUDA the adds run in the layer norm's node,
    /// <see cref="Kernels.AddLayerNormFunction"/>; its GPU check is Hyena.Benchmarks check-libtorch, "add and layer norm
    /// node". Here, on the CPU, the node's fallback: the add and the norm.)
    /// </summary>
    public class ResidualStreamTests
    {
        [Fact]
        public void HandingBranchesOnGivesTheBlocksInTurnToTheBit()
        {
            using var scope = NewDisposeScope();
            manual_seed(8);
            var config = new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 16, FilterOrder = 8 };
            using var blocks = nn.ModuleList(new HyenaBlock(config, mlpRatio: 2, name: "a"), new HyenaBlock(config, mlpRatio: 2, name: "b"), new HyenaBlock(config, mlpRatio: 2, name: "c"));
            using var norm = nn.LayerNorm(8);
            var source = randn(2, 16, 8);
            var probe = randn(2, 16, 8);
            var parameters = blocks.parameters().Concat(norm.parameters()).ToArray();

            var x = source.clone().requires_grad_(true);
            var y = ResidualStream.Normalize(blocks, x, norm);
            (y * probe).sum().backward();
            var grads = parameters.Select(p => p.grad!.clone()).Append(x.grad!.clone()).ToArray();
            foreach (var p in parameters)
                p.grad = null;

            var xr = source.clone().requires_grad_(true);
            var h = xr;
            foreach (var block in blocks)
                h = block.call(h);
            var yr = norm.call(h);
            (yr * probe).sum().backward();
            var reference = parameters.Select(p => p.grad!).Append(xr.grad!).ToArray();

            TensorAssert.Close(y, yr, 0, "values");
            for (int i = 0; i < grads.Length; i++)
                TensorAssert.Close(grads[i], reference[i], 0, i < parameters.Length ? $"gradient of parameter {i}" : "input gradient");
        }

        [Fact]
        public void ABlockOnItsOwnIsItsResidualAddsInTurn()
        {
            using var scope = NewDisposeScope();
            manual_seed(9);
            using var block = new HyenaBlock(new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 16, FilterOrder = 8 }, mlpRatio: 2);
            var parts = block.named_children().ToDictionary(c => c.name, c => c.module);
            var x = randn(2, 16, 8);
            var norm1 = (nn.Module<Tensor, Tensor>)parts["norm1"];
            var norm2 = (nn.Module<Tensor, Tensor>)parts["norm2"];
            var mixer = (nn.Module<Tensor, Tensor>)parts["mixer"];
            var mlp = (nn.Module<Tensor, Tensor>)parts["mlp"];
            var h = x + mixer.call(norm1.call(x));
            var want = h + mlp.call(norm2.call(h));
            TensorAssert.Close(block.call(x), want, 0, "the block");
        }
    }
}
