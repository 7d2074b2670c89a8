using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>
    /// A training step's gradients summed over parts of the batch (what the CPU trains in, see
    /// <see cref="TrainingLoop.MicroBatches"/>) are the whole batch's: the class loss, label smoothing and the next-token loss.
    /// </summary>
    public class MicroBatchTests
    {
        private static (HyenaSequenceClassifier Model, SequenceDataset Data, TrainingLoop Loop) Setup(double nextTokenWeight)
        {
            manual_seed(21);
            var model = new HyenaSequenceClassifier(new HyenaClassifierConfig
            {
                VocabularySize = 12,
                ClassCount = 3,
                Depth = 1,
                NextTokenHead = nextTokenWeight > 0,
                Operator = new HyenaOperatorConfig { ModelDimension = 8, MaxLength = 16, FilterOrder = 8 },
            });
            var random = new Random(4);
            // Lengths 1 (no next-token target), 3, 5, 9, 12 and 16: rows of different lengths in one batch.
            var rows = new[] { 1, 3, 5, 9, 12, 16 }.Select(n => Sequence.FromTokens(Enumerable.Range(0, n).Select(_ => 1 + random.Next(11)).ToArray())).ToList();
            var data = new SequenceDataset(rows, new List<int> { 0, 2, 1, 1, 0, 2 });
            var options = new HyenaTextClassificationTrainer.Options { LabelSmoothing = 0.1 };
            var loop = new TrainingLoop(options, CPU, seed: 1, channel: null!, checkCanceled: () => { }, nextTokenLossWeight: nextTokenWeight);
            return (model, data, loop);
        }

        private static List<Tensor> Gradients(HyenaSequenceClassifier model)
            => model.parameters().Select(p => p.grad is null ? zeros_like(p) : p.grad.clone()).ToList();

        [Theory]
        [InlineData(0.0)]
        [InlineData(0.5)]
        public void ThePartsGradientsAddUpToTheBatchs(double nextTokenWeight)
        {
            using var scope = NewDisposeScope();
            var (model, data, loop) = Setup(nextTokenWeight);
            using var _ = model;
            var batch = Enumerable.Range(0, data.Count).ToList();
            model.zero_grad();
            var (wholeLoss, wholeCorrect) = loop.AccumulateGradients(model, data, batch, new List<int[]> { batch.ToArray() });
            var whole = Gradients(model);
            // Parts: the row without a next-token target alone, then two and three rows.
            model.zero_grad();
            var (partsLoss, partsCorrect) = loop.AccumulateGradients(model, data, batch, new List<int[]> { new[] { 0 }, new[] { 1, 2 }, new[] { 3, 4, 5 } });
            var parts = Gradients(model);
            Assert.Equal(wholeCorrect.item<long>(), partsCorrect.item<long>());
            Assert.Equal(wholeLoss.item<float>(), partsLoss.item<float>(), 5);
            Assert.All(parts, g => Assert.False(g.isnan().any().item<bool>()));
            for (int i = 0; i < whole.Count; i++)
            {
                double error = (parts[i] - whole[i]).norm().item<float>() / Math.Max(1e-12, whole[i].norm().item<float>());
                Assert.True(error < 1e-5, $"parameter {i}'s gradient differs by {error:E2} (relative)");
            }
        }

        [Fact]
        public void OnTheCpuLongRowsTrainInParts()
        {
            using var scope = NewDisposeScope();
            var (model, _, loop) = Setup(0);
            using var __ = model;
            // At width 8 the CPU's budget is 131,072 positions: 16 rows of 16,384 tokens go 8 a part, 16 rows of 16 in one.
            var longRows = new SequenceDataset(Enumerable.Range(0, 16).Select(_ => Sequence.FromTokens(new int[16384])).ToList(), Enumerable.Repeat(0, 16).ToList());
            var shortRows = new SequenceDataset(Enumerable.Range(0, 16).Select(_ => Sequence.FromTokens(new int[16])).ToList(), Enumerable.Repeat(0, 16).ToList());
            var batch = Enumerable.Range(0, 16).ToList();
            Assert.Equal(new[] { 8, 8 }, loop.MicroBatches(longRows, batch, 8).Select(p => p.Length));
            Assert.Equal(new[] { 16 }, loop.MicroBatches(shortRows, batch, 8).Select(p => p.Length));
            Assert.Equal(batch, loop.MicroBatches(longRows, batch, 8).SelectMany(p => p).OrderBy(i => i));
        }
    }
}
