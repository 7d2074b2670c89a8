using System;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>The classifier's input stage with hashed n-grams and patches: padding never counts, limits and bad configurations.</summary>
    public class SequenceClassifierInputTests
    {
        private static HyenaSequenceClassifier TokenClassifier(int nGramOrder, int patchSize, HyenaPooling pooling = HyenaPooling.Mean) => new(new HyenaClassifierConfig
        {
            VocabularySize = 20,
            ClassCount = 3,
            Depth = 1,
            Pooling = pooling,
            NGramOrder = nGramOrder,
            NGramBuckets = nGramOrder > 1 ? 101 : 0,
            PatchSize = patchSize,
            Operator = new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 16, FilterOrder = 8 },
        });

        public static TheoryData<int, int, HyenaPooling> Shapes => new()
        {
            { 3, 1, HyenaPooling.Mean },
            { 1, 4, HyenaPooling.Mean },
            { 4, 4, HyenaPooling.Mean },
            { 4, 3, HyenaPooling.Last },
            { 2, 2, HyenaPooling.Max },
        };

        [Theory]
        [MemberData(nameof(Shapes))]
        public void PaddingDoesNotChangeARowsLogits(int nGramOrder, int patchSize, HyenaPooling pooling)
        {
            manual_seed(7);
            using var model = TokenClassifier(nGramOrder, patchSize, pooling);
            // 5 tokens: with patches of 3 or 4 the last patch is partly padding, whatever pads it.
            PaddingAssert.RowScoresAsAlone(model);
        }

        [Fact]
        public void NGramsAndPatchesChangeWhatTheModelComputesAndAllTrain()
        {
            manual_seed(8);
            using var scope = NewDisposeScope();
            using var model = TokenClassifier(3, 4);
            var names = model.named_parameters().Select(p => p.name).ToList();
            Assert.Contains("ngram_embedding.weight", names);
            Assert.Contains("patch_proj.weight", names);
            var logits = model.call(randint(1, 20, new long[] { 2, 11 }), tensor(new long[] { 11, 6 }));
            nn.functional.cross_entropy(logits, tensor(new long[] { 0, 2 })).backward();
            foreach (var (name, parameter) in model.named_parameters().Where(p => p.name.StartsWith("ngram") || p.name.StartsWith("patch") || p.name == "embedding.weight"))
                Assert.True(parameter.grad is not null && parameter.grad.abs().sum().item<float>() > 0, $"{name} gets a gradient");
        }

        [Fact]
        public void ThePatchSizeMultipliesTheLongestInput()
        {
            using var scope = NewDisposeScope();
            using var model = TokenClassifier(1, 4); // MaxLength 16 patches: 64 tokens
            Assert.Equal(64, model.Config.MaxInputLength);
            var ok = model.call(ones(1, 64, dtype: ScalarType.Int64), tensor(new long[] { 64 }));
            Assert.Equal(new long[] { 1, 3 }, ok.shape);
            var error = Assert.Throws<ArgumentException>(() => model.call(ones(1, 65, dtype: ScalarType.Int64), tensor(new long[] { 65 })));
            Assert.Contains("at most 64", error.Message);
        }

        [Fact]
        public void PatchesWorkOnValueInput()
        {
            manual_seed(9);
            using var scope = NewDisposeScope();
            using var model = new HyenaSequenceClassifier(new HyenaClassifierConfig
            {
                InputChannels = 2,
                ClassCount = 2,
                Depth = 1,
                PatchSize = 4,
                Operator = new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 4, FilterOrder = 8 },
            });
            model.eval();
            var values = randn(1, 6, 2);
            var alone = model.call(values, tensor(new long[] { 6 }));
            var padded = model.call(cat(new[] { values, full(1, 2, 2, 5f) }, 1), tensor(new long[] { 6 }));
            TensorAssert.Close(padded, alone, 1e-5, "values padded with 5");
        }

        [Theory]
        [InlineData(0, 0, 1, false, 20, "NGramOrder")]
        [InlineData(3, 0, 1, false, 20, "NGramBuckets")]
        [InlineData(1, 16, 1, false, 20, "NGramBuckets")]
        [InlineData(1, 0, 0, false, 20, "PatchSize")]
        [InlineData(1, 0, 2, true, 20, "NextTokenHead")]
        [InlineData(3, 16, 1, false, 0, "NGramOrder")]
        public void BadConfigurationsAreNamed(int nGramOrder, int buckets, int patchSize, bool nextTokenHead, int vocabulary, string property)
        {
            var config = new HyenaClassifierConfig
            {
                VocabularySize = vocabulary,
                InputChannels = vocabulary == 0 ? 3 : 0,
                ClassCount = 2,
                NGramOrder = nGramOrder,
                NGramBuckets = buckets,
                PatchSize = patchSize,
                NextTokenHead = nextTokenHead,
                Operator = new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 8, FilterOrder = 8 },
            };
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => config.Validate());
            Assert.Equal(property, error.ParamName);
        }
    }
}
