using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Hyena.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// Activation checkpointing (<see cref="HyenaSequenceClassifier.RecomputeBlocks"/>, <see cref="BlockRecomputeFunction"/>):
    /// the values and every gradient of the plain pass, parameters' gradients where the block's input needs none, no node
    /// where no gradient is computed, dropout refused, and a failure in the recomputation held instead of ending the process.
    /// </summary>
    public class BlockRecomputeTests
    {
        private static HyenaClassifierConfig Config(double dropout = 0) => new()
        {
            VocabularySize = 11, ClassCount = 3, Depth = 3, MlpRatio = 2, Dropout = dropout, Pooling = HyenaPooling.Last,
            Operator = new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 24, FilterOrder = 8 },
        };

        // The logits and every parameter's gradient of sum(logits * probe).
        private static (Tensor Logits, Dictionary<string, Tensor> Gradients) Pass(HyenaSequenceClassifier model, Tensor tokens, Tensor lengths, Tensor probe)
        {
            model.zero_grad();
            var logits = model.call(tokens, lengths);
            (logits * probe).sum().backward();
            GradientHandOff.ThrowIfFailed(CPU);
            return (logits.detach().clone(), model.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.grad!.clone()));
        }

        [Fact]
        public void TheClassifierGivesThePlainPassValuesAndGradients()
        {
            using var scope = NewDisposeScope();
            manual_seed(11);
            using var model = new HyenaSequenceClassifier(Config());
            var tokens = randint(1, 11, new long[] { 3, 24 });
            var lengths = tensor(new long[] { 24, 17, 5 });
            var probe = randn(3, 3);
            var (plain, plainGradients) = Pass(model, tokens, lengths, probe);

            model.RecomputeBlocks = true;
            var (recomputed, gradients) = Pass(model, tokens, lengths, probe);
            TensorAssert.Close(plain, recomputed, 1e-6, "logits");
            Assert.Equal(plainGradients.Keys.OrderBy(k => k), gradients.Keys.OrderBy(k => k));
            foreach (var (name, gradient) in plainGradients)
                TensorAssert.Close(gradient, gradients[name], 1e-6, name + " gradient");
            Assert.True(plainGradients["blocks.0.mixer.in_proj.weight"].abs().sum().item<float>() > 0);   // a gradient that can differ
        }

        [Fact]
        public void ParametersGetTheirGradientsWhereTheBlocksInputNeedsNone()
        {
            using var scope = NewDisposeScope();
            manual_seed(12);
            using var block = new HyenaBlock(new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 16, FilterOrder = 8 }, mlpRatio: 2);
            var x = randn(2, 16, 8);                     // no gradient: only the parameters need theirs
            var probe = randn(2, 16, 8);
            (block.call(x) * probe).sum().backward();
            var plain = block.named_parameters().ToDictionary(kv => kv.name, kv => kv.parameter.grad!.clone());
            block.zero_grad();

            var y = BlockRecomputeFunction.Apply(block, x);
            Assert.True(y.requires_grad);
            (y * probe).sum().backward();
            GradientHandOff.ThrowIfFailed(CPU);
            foreach (var (name, parameter) in block.named_parameters())
                TensorAssert.Close(plain[name], parameter.grad!, 1e-6, name + " gradient");
        }

        [Fact]
        public void WithoutGradientsTheBlocksRunAsUsual()
        {
            using var scope = NewDisposeScope();
            manual_seed(13);
            using var model = new HyenaSequenceClassifier(Config());
            model.eval();
            var tokens = randint(1, 11, new long[] { 2, 24 });
            var lengths = tensor(new long[] { 24, 9 });
            Tensor plain, recomputed;
            using (no_grad())
                plain = model.call(tokens, lengths);
            model.RecomputeBlocks = true;
            using (no_grad())
                recomputed = model.call(tokens, lengths);
            Assert.Equal(plain.data<float>().ToArray(), recomputed.data<float>().ToArray());
            Assert.False(recomputed.requires_grad);
        }

        [Fact]
        public void DropoutIsRefusedNamingBothSettings()
        {
            using var model = new HyenaSequenceClassifier(Config(dropout: 0.1));
            var error = Assert.Throws<InvalidOperationException>(() => model.RecomputeBlocks = true);
            Assert.Contains("RecomputeBlocks", error.Message);
            Assert.Contains("Dropout 0", error.Message);
            Assert.Contains("0.1", error.Message);
            Assert.False(model.RecomputeBlocks);
            model.RecomputeBlocks = false;                     // turning it off is always allowed
        }

        // A block that works without gradients and throws when run with them: the recomputation fails, not the forward pass.
        private sealed class FailsWithGradients : nn.Module<Tensor, Tensor>
        {
            private readonly TorchSharp.Modules.Linear _layer = nn.Linear(4, 4);

            public FailsWithGradients() : base("fails") => RegisterComponents();

            public override Tensor forward(Tensor x)
                => is_grad_enabled() ? throw new InvalidOperationException("recomputation failed on purpose") : _layer.call(x);
        }

        [Fact]
        public void AFailureInTheRecomputationIsHeldAndThrownAfterTheBackwardPass()
        {
            using var scope = NewDisposeScope();
            using var block = new FailsWithGradients();
            var x = randn(3, 4).requires_grad_(true);
            var y = BlockRecomputeFunction.Apply(block, x);
            y.sum().backward();                                  // the process goes on
            var error = Assert.Throws<InvalidOperationException>(() => GradientHandOff.ThrowIfFailed(CPU));
            Assert.Contains("recomputation failed on purpose", error.InnerException!.Message);
            Assert.Null(x.grad);
        }
    }
}
