using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Pooling of the classifier: padding never changes a row's logits, empty rows pool to zero.</summary>
    public class SequenceClassifierPoolingTests
    {
        public static TheoryData<HyenaPooling> EveryPooling => new(Enum.GetValues<HyenaPooling>());

        private static HyenaSequenceClassifier Classifier(HyenaPooling pooling) => new(new HyenaClassifierConfig
        {
            VocabularySize = 20,
            ClassCount = 3,
            Depth = 1,
            Pooling = pooling,
            Operator = new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 32, FilterOrder = 8 },
        });

        [Theory]
        [MemberData(nameof(EveryPooling))]
        public void PaddingDoesNotChangeARowsLogits(HyenaPooling pooling)
        {
            manual_seed(3);
            using var model = Classifier(pooling);
            PaddingAssert.RowScoresAsAlone(model);
        }

        [Fact]
        public void MaxPoolingIsTheLargestValidValueOfEachChannel()
        {
            manual_seed(4);
            using var scope = NewDisposeScope();
            using var model = Classifier(HyenaPooling.Max);
            model.eval();
            var tokens = tensor(new long[,] { { 2, 5, 8, 11, 14, 17 } });
            var full = model.call(tokens, tensor(new long[] { 6 }));
            var shorter = model.call(tokens, tensor(new long[] { 3 }));
            // Fewer valid positions give another max (else padding or the mask would not matter).
            Assert.True((full - shorter).abs().max().item<float>() > 1e-4);
        }

        [Theory]
        [MemberData(nameof(EveryPooling))]
        public void AnEmptyRowPoolsToZeroAndGivesFiniteGradients(HyenaPooling pooling)
        {
            manual_seed(5);
            using var scope = NewDisposeScope();
            using var model = Classifier(pooling);
            var logits = model.call(tensor(new long[,] { { 0, 0, 0 }, { 3, 4, 5 } }), tensor(new long[] { 0, 3 }));
            Assert.True(isfinite(logits).all().item<bool>());
            logits.sum().backward();
            foreach (var (name, parameter) in model.named_parameters())
                Assert.True(parameter.grad is null || isfinite(parameter.grad).all().item<bool>(), name);
            // The pooled vector of the empty row is zero: its logits are the head's bias.
            using (no_grad())
            {
                model.eval();
                var empty = model.call(tensor(new long[,] { { 0, 0 } }), tensor(new long[] { 0 }));
                var bias = model.named_parameters().Single(p => p.name == "head.bias").parameter;
                TensorAssert.Close(empty[0], bias, 1e-6, "logits of an empty row");
            }
        }
    }
}
