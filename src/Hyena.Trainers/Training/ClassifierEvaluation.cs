using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>Log loss, micro and macro accuracy of a classifier over a whole dataset.</summary>
    internal readonly record struct ClassifierMetrics(double LogLoss, double MicroAccuracy, double MacroAccuracy);

    /// <summary>Runs a classifier over every row of a dataset (eval mode, no gradients).</summary>
    internal static class ClassifierEvaluation
    {
        public static ClassifierMetrics Evaluate(HyenaSequenceClassifier model, SequenceDataset data, int batchSize, Device device, Action checkCanceled)
        {
            int classes = model.Config.ClassCount;
            var perClassTotal = new long[classes];
            var perClassCorrect = new long[classes];
            double logLossSum = 0;
            long correct = 0;
            bool wasTraining = model.training;
            model.eval();
            try
            {
                using var noGrad = no_grad();
                foreach (var batch in LengthSortedBatches(data, batchSize, ScoringChunks.PositionBudget(device.type, model.Config.Operator.ModelDimension)))
                {
                    checkCanceled();
                    using var scope = NewDisposeScope();
                    var rows = batch.Select(i => data.Rows[i]).ToList();
                    var (inputs, lengths) = SequenceBatcher.Stack(rows, model.Config.InputChannels, device);
                    var labels = tensor(batch.Select(i => (long)data.Labels[i]).ToArray()).to(device);
                    var logits = model.call(inputs, lengths).to_type(ScalarType.Float32);
                    logLossSum += nn.functional.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
                    var predicted = logits.argmax(1).cpu().data<long>().ToArray();
                    for (int k = 0; k < batch.Length; k++)
                    {
                        int label = data.Labels[batch[k]];
                        perClassTotal[label]++;
                        if (predicted[k] == label)
                        {
                            perClassCorrect[label]++;
                            correct++;
                        }
                    }
                }
            }
            finally
            {
                model.train(wasTraining);
            }
            int present = perClassTotal.Count(t => t > 0);
            double macro = present == 0 ? 0 : Enumerable.Range(0, classes).Where(c => perClassTotal[c] > 0)
                .Sum(c => (double)perClassCorrect[c] / perClassTotal[c]) / present;
            int n = Math.Max(1, data.Count);
            return new ClassifierMetrics(logLossSum / n, (double)correct / n, macro);
        }

        /// <summary>Row indices in batches of similar length (less padding), in a fixed order, as scoring groups them (<see cref="ScoringChunks"/>).</summary>
        public static IEnumerable<int[]> LengthSortedBatches(SequenceDataset data, int batchSize, long positionBudget)
            => ScoringChunks.ByLength(data.Count, i => data.Rows[i].Length, batchSize, positionBudget);
    }
}
