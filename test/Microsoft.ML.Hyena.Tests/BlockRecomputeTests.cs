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
    /// the values and every gradient of the plain pass (with dropout too: its masks kept and applied again), parameters'
    /// gradients where the block's input needs none, no node where no gradient is computed, and a failure in the
    /// recomputation held instead of ending the process.
    /// </summary>
    [Collection("GradientHandOff")]   // the pending failure is process-wide
    public class BlockRecomputeTests
    {
        private static HyenaClassifierConfig Config(double dropout = 0) => new()
        {
            VocabularySize = 11, ClassCount = 3, Depth = 3, MlpRatio = 2, Dropout = dropout, Pooling = HyenaPooling.Last,
            Operator = new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 24, FilterOrder = 8, Dropout = dropout },   // the trainers' too
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

        [Theory]
        [InlineData(0.0)]
        [InlineData(0.3)]
        public void TheClassifierGivesThePlainPassValuesAndGradients(double dropout)
        {
            using var scope = NewDisposeScope();
            manual_seed(11);
            using var model = new HyenaSequenceClassifier(Config(dropout));
            var tokens = randint(1, 11, new long[] { 3, 24 });
            var lengths = tensor(new long[] { 24, 17, 5 });
            var probe = randn(3, 3);
            manual_seed(5);                                    // the same dropout masks in both passes (on the CPU)
            var (plain, plainGradients) = Pass(model, tokens, lengths, probe);

            model.RecomputeBlocks = true;
            manual_seed(5);
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
        public void WithDropoutTheMasksMatterAndAreTheForwardPasses()
        {
            using var scope = NewDisposeScope();
            manual_seed(14);
            using var model = new HyenaSequenceClassifier(Config(dropout: 0.5)) { RecomputeBlocks = true };
            var tokens = randint(1, 11, new long[] { 2, 24 });
            var lengths = tensor(new long[] { 24, 24 });
            var probe = randn(2, 3);
            manual_seed(6);
            var (first, firstGradients) = Pass(model, tokens, lengths, probe);
            manual_seed(7);                                    // other masks: other values and gradients
            var (other, otherGradients) = Pass(model, tokens, lengths, probe);
            Assert.True((first - other).abs().max().item<float>() > 1e-3);
            Assert.True((firstGradients["blocks.1.mlp.fc2.weight"] - otherGradients["blocks.1.mlp.fc2.weight"]).abs().max().item<float>() > 1e-4);

            // The recomputation applied the forward pass's masks: the gradients of the plain pass from the same seed.
            model.RecomputeBlocks = false;
            manual_seed(6);
            var (plain, plainGradients) = Pass(model, tokens, lengths, probe);
            TensorAssert.Close(plain, first, 1e-6, "logits");
            foreach (var (name, gradient) in plainGradients)
                TensorAssert.Close(gradient, firstGradients[name], 1e-6, name + " gradient");
        }

        [Fact]
        public void AReplayChecksThatTheRecomputationAppliedEveryMask()
        {
            using var scope = NewDisposeScope();
            using var dropout = nn.Dropout(0.5);
            var x = ones(4, 6);
            var recording = DropoutReplay.Record();
            var y = recording.Run(() => DropoutReplay.Apply(dropout, x));
            Assert.Single(recording.Masks);
            Assert.Equal(ScalarType.Bool, recording.Masks[0].dtype);
            TensorAssert.Close(y, recording.Masks[0].to_type(ScalarType.Float32) * 2, 0, "x times the mask over 1 - p");
            var replayed = DropoutReplay.Replay(recording.Masks).Run(() => DropoutReplay.Apply(dropout, x));
            Assert.Equal(y.data<float>().ToArray(), replayed.data<float>().ToArray());
            var fewer = Assert.Throws<InvalidOperationException>(() => DropoutReplay.Replay(recording.Masks).Run(() => x));
            Assert.Contains("applied 0 dropouts where its forward pass applied 1", fewer.Message);
            var shape = Assert.Throws<InvalidOperationException>(() => DropoutReplay.Replay(recording.Masks).Run(() => DropoutReplay.Apply(dropout, ones(4, 7))));
            Assert.Contains("(4, 7)", shape.Message);
            dropout.eval();
            var evaluation = DropoutReplay.Record();
            Assert.Equal(x.data<float>().ToArray(), evaluation.Run(() => DropoutReplay.Apply(dropout, x)).data<float>().ToArray());   // the module itself:
            Assert.Empty(evaluation.Masks);                                                                                        // nothing recorded
            recording.Masks[0].Dispose();
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
            Assert.Equal(0f, x.grad!.abs().sum().item<float>());   // zeros stand in for the input's gradient
        }

        [Fact]
        public void AModeChangedBeforeTheBackwardPassIsHeldAsAFailure()
        {
            // Dropout's masks recorded in training mode; the recomputation in evaluation mode applies none of them.
            using var scope = NewDisposeScope();
            manual_seed(15);
            using var model = new HyenaSequenceClassifier(Config(dropout: 0.2)) { RecomputeBlocks = true };
            var logits = model.call(randint(1, 11, new long[] { 2, 24 }), tensor(new long[] { 24, 10 }));
            model.eval();
            logits.sum().backward();                             // the process goes on
            var error = Assert.Throws<InvalidOperationException>(() => GradientHandOff.ThrowIfFailed(CPU));
            Assert.Contains("applied 0 dropouts where its forward pass applied 4", error.InnerException!.Message);
        }

        [Fact]
        public void AFailureIsHeldWhereTheBlocksInputIsNoLongerHeldByTheCaller()
        {
            // As in a classifier: the block's input was made inside a dispose scope that has ended by the backward pass.
            using var scope = NewDisposeScope();
            using var block = new FailsWithGradients();
            using var first = nn.Linear(4, 4);
            Tensor y;
            using (var inner = NewDisposeScope())
            {
                var x = first.call(randn(3, 4));
                y = BlockRecomputeFunction.Apply(block, x).MoveToOuterDisposeScope();
            }
            y.sum().backward();                                  // the process goes on
            var error = Assert.Throws<InvalidOperationException>(() => GradientHandOff.ThrowIfFailed(CPU));
            Assert.Contains("recomputation failed on purpose", error.InnerException!.Message);
        }
    }
}
