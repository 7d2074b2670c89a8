using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// The training loop shared by the Hyena trainers: AdamW with the reference's per-parameter
    /// hints, linear warm-up then cosine decay, gradient clipping, validation after each epoch, early
    /// stopping that keeps the best weights, optional weight averaging, progress reports, and prompt cancellation. Each step's
    /// tensors live in a dispose scope.
    /// </summary>
    internal sealed class TrainingLoop
    {
        // Rows sorted by length within windows of this many batches, so that batches need little padding.
        private const int BucketBatches = 50;
        private static readonly TimeSpan _stepReportInterval = TimeSpan.FromSeconds(1);

        private readonly HyenaClassificationOptionsBase _options;
        private readonly Device _device;
        private readonly IChannel _channel;
        private readonly Action _checkCanceled;
        private readonly Random _random;
        private readonly double _nextTokenLossWeight;

        public TrainingLoop(HyenaClassificationOptionsBase options, Device device, int seed, IChannel channel, Action checkCanceled,
            double nextTokenLossWeight = 0)
        {
            _nextTokenLossWeight = nextTokenLossWeight;
            _options = options;
            _device = device;
            _channel = channel;
            _checkCanceled = checkCanceled;
            _random = new Random(seed);
        }

        /// <summary>Trains <paramref name="model"/> in place; with validation data the best epoch's weights are restored at the end.</summary>
        public void Run(HyenaSequenceClassifier model, SequenceDataset train, SequenceDataset? validation)
        {
            int stepsPerEpoch = (train.Count + _options.BatchSize - 1) / _options.BatchSize;
            var schedule = new LearningRateSchedule((long)stepsPerEpoch * _options.MaxEpochs, _options.WarmupFraction);
            var (optimizer, peakRates) = OptimizerGroups.Create(model, _options.LearningRate, _options.WeightDecay);
            var groups = optimizer.ParamGroups.ToList();
            var parameters = model.parameters().ToList();
            using var averaging = _options.WeightAveragingDecay > 0 ? new WeightAveraging(model, _options.WeightAveragingDecay) : null;

            Dictionary<string, Tensor>? best = null;
            double bestAccuracy = double.NegativeInfinity, bestLoss = double.PositiveInfinity;
            int epochsWithoutImprovement = 0;
            var clock = Stopwatch.StartNew();
            long globalStep = 0;

            using var lossSum = zeros(1, dtype: ScalarType.Float32, device: _device);
            using var correctSum = zeros(1, dtype: ScalarType.Int64, device: _device);
            try
            {
                int plannedEpochs = _options.MaxEpochs;
                for (int epoch = 1; epoch <= plannedEpochs; epoch++)
                {
                    model.train();
                    using (NewDisposeScope())
                    {
                        // In-place ops hand back new wrappers of the same tensors: let the scope free them.
                        lossSum.zero_();
                        correctSum.zero_();
                    }
                    long rowsSeen = 0, positionsSeen = 0;
                    var epochClock = Stopwatch.StartNew();
                    var lastReport = TimeSpan.Zero;
                    var batches = Batches(train);
                    for (int step = 0; step < batches.Count; step++, globalStep++)
                    {
                        _checkCanceled();
                        double factor = schedule.Factor(globalStep);
                        for (int g = 0; g < groups.Count; g++)
                            groups[g].LearningRate = peakRates[g] * factor;

                        using (var scope = NewDisposeScope())
                        {
                            var batch = batches[step];
                            optimizer.zero_grad();
                            var (loss, correct) = AccumulateGradients(model, train, batch, MicroBatches(train, batch, model.Config.Operator.ModelDimension));
                            if (_options.GradientClipNorm > 0)
                                nn.utils.clip_grad_norm_(parameters, _options.GradientClipNorm);
                            optimizer.step();
                            averaging?.Update();
                            // Accumulated on the device: no host synchronisation per step.
                            lossSum.add_(loss * batch.Count);
                            correctSum.add_(correct);
                            rowsSeen += batch.Count;
                            positionsSeen += batch.Sum(i => (long)Math.Max(1, train.Rows[i].Length));
                        }

                        if (epochClock.Elapsed - lastReport >= _stepReportInterval && step + 1 < batches.Count)
                        {
                            lastReport = epochClock.Elapsed;
                            Report(HyenaProgressKind.Step, epoch, step + 1, stepsPerEpoch, lossSum, correctSum, rowsSeen, positionsSeen,
                                epochClock.Elapsed, clock.Elapsed, groups[0].LearningRate, null, false, plannedEpochs);
                        }
                    }

                    ClassifierMetrics? metrics = null;
                    bool isBest = false;
                    if (validation is not null)
                    {
                        // With weight averaging, the averaged weights are what is validated and kept.
                        averaging?.Swap();
                        try
                        {
                            metrics = ClassifierEvaluation.Evaluate(model, validation, _options.ScoringBatchSize, _device, _checkCanceled);
                        }
                        catch
                        {
                            averaging?.Swap();
                            throw;
                        }
                        var m = metrics.Value;
                        isBest = m.MicroAccuracy > bestAccuracy || (m.MicroAccuracy == bestAccuracy && m.LogLoss < bestLoss);
                        if (isBest)
                        {
                            bestAccuracy = m.MicroAccuracy;
                            bestLoss = m.LogLoss;
                            DisposeAll(best);
                            best = Snapshot(model);
                            epochsWithoutImprovement = 0;
                        }
                        else
                        {
                            epochsWithoutImprovement++;
                        }
                        averaging?.Swap();
                    }

                    if (_options.MaxTrainingTime is TimeSpan budget)
                    {
                        int fit = PlanEpochs(epoch, clock.Elapsed, budget);
                        if (fit != plannedEpochs)
                        {
                            plannedEpochs = fit;
                            schedule.Replan((long)plannedEpochs * stepsPerEpoch);
                            _channel.Info($"Time budget {budget:hh\\:mm\\:ss}: training {plannedEpochs} epoch(s) of {_options.MaxEpochs}.");
                        }
                    }
                    var report = Report(HyenaProgressKind.Epoch, epoch, batches.Count, stepsPerEpoch, lossSum, correctSum, rowsSeen, positionsSeen,
                        epochClock.Elapsed, clock.Elapsed, groups[0].LearningRate, metrics, isBest, plannedEpochs);
                    if (_options.ShouldContinue is not null && !_options.ShouldContinue(report))
                    {
                        _channel.Info($"Training stopped after epoch {epoch} by ShouldContinue.");
                        break;
                    }
                    if (validation is not null && _options.EarlyStoppingPatience > 0 && epochsWithoutImprovement >= _options.EarlyStoppingPatience)
                    {
                        _channel.Info($"Early stopping after epoch {epoch}: no better validation accuracy for {epochsWithoutImprovement} epochs.");
                        break;
                    }
                }

                if (best is not null)
                {
                    StateDict.Load(model, best);
                    _channel.Info($"Kept the {(averaging is null ? "" : "averaged ")}weights of the best epoch (validation accuracy {bestAccuracy:P2}).");
                }
                else if (averaging is not null)
                {
                    averaging.Swap();
                    _channel.Info($"Kept the averaged weights ({averaging.Updates} steps, decay {_options.WeightAveragingDecay}).");
                }
            }
            finally
            {
                DisposeAll(best);
                optimizer.Dispose();
            }
        }

        // Epochs that fit in the time budget, judged from the mean epoch time so far (at least this one).
        private int PlanEpochs(int epochsDone, TimeSpan elapsed, TimeSpan budget)
        {
            double perEpoch = elapsed.TotalSeconds / epochsDone;
            int more = (int)Math.Floor((budget - elapsed).TotalSeconds / perEpoch);
            return Math.Clamp(epochsDone + Math.Max(0, more), epochsDone, _options.MaxEpochs);
        }

        private HyenaTrainingProgress Report(HyenaProgressKind kind, int epoch, int step, int stepsPerEpoch, Tensor lossSum, Tensor correctSum,
            long rows, long positions, TimeSpan epochElapsed, TimeSpan elapsed, double learningRate, ClassifierMetrics? metrics, bool isBest,
            int plannedEpochs)
        {
            double loss = rows == 0 ? 0 : lossSum.item<float>() / rows;
            double accuracy = rows == 0 ? 0 : (double)correctSum.item<long>() / rows;
            double done = (epoch - 1) + (double)step / Math.Max(1, stepsPerEpoch);
            var remaining = done <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(elapsed.TotalSeconds / done * Math.Max(0, plannedEpochs - done));
            var progress = new HyenaTrainingProgress
            {
                Kind = kind,
                Epoch = epoch,
                MaxEpochs = plannedEpochs,
                Step = step,
                StepsPerEpoch = stepsPerEpoch,
                TrainingLoss = loss,
                TrainingAccuracy = accuracy,
                ValidationLogLoss = metrics?.LogLoss,
                ValidationMicroAccuracy = metrics?.MicroAccuracy,
                ValidationMacroAccuracy = metrics?.MacroAccuracy,
                IsBest = isBest,
                TokensPerSecond = epochElapsed.TotalSeconds > 0 ? positions / epochElapsed.TotalSeconds : 0,
                LearningRate = learningRate,
                Elapsed = elapsed,
                EstimatedRemaining = remaining,
            };
            if (kind == HyenaProgressKind.Epoch)
                _channel.Info(progress.ToString());
            _options.Progress?.Report(progress);
            return progress;
        }

        /// <summary>
        /// Most positions times the model's width in one part of a training step on the CPU: 16,384 positions at width 64
        /// (one part for a batch of 16 rows of 1k tokens, parts of 4 rows of 4k), twice the scoring passes' budget, since a
        /// training pass measured no slower per token up to there (benchmarks.md).
        /// </summary>
        internal const long CpuPositionChannelBudget = 16384L * 64;

        /// <summary>
        /// The rows of <paramref name="batch"/> in the parts whose gradients one step adds up: the whole batch on CUDA; on the
        /// CPU parts of at most <see cref="CpuPositionChannelBudget"/> / width positions (rows times the longest row), because
        /// there a pass over many positions trained slower per token (benchmarks.md: at 4k tokens, width 64 and 2 cores, 16,698
        /// tokens/s in batches of 16 rows against 38,925 in batches of 4). The step is the same: the parts' losses are weighted
        /// so that their gradients add up to the whole batch's (with dropout, each part draws its own masks, which is the same
        /// step in distribution, not in value).
        /// </summary>
        internal List<int[]> MicroBatches(SequenceDataset data, List<int> batch, int width)
        {
            if (_device.type == DeviceType.CUDA)
                return new List<int[]> { batch.ToArray() };
            long budget = ScoringChunks.PositionsFor(CpuPositionChannelBudget, width);
            return ScoringChunks.ByLength(batch.Count, j => data.Rows[batch[j]].Length, batch.Count, budget)
                .Select(part => part.Select(j => batch[j]).ToArray()).ToList();
        }

        /// <summary>
        /// Runs forward and backward passes over the <paramref name="parts"/> of <paramref name="batch"/>, adding their
        /// gradients to the model's: those of the batch's loss, the mean class cross-entropy plus, with a next-token head,
        /// its weight times the mean cross-entropy of the next tokens. A part's class loss counts in proportion to its rows
        /// and its next-token loss in proportion to its targets (every token after a row's first); a part without targets adds
        /// no next-token term. With one part, the batch's loss as the library computes it. Returns the batch's loss (detached,
        /// on the device) and its count of correct predictions.
        /// </summary>
        internal (Tensor Loss, Tensor Correct) AccumulateGradients(HyenaSequenceClassifier model, SequenceDataset data, List<int> batch, List<int[]> parts)
        {
            int channels = model.Config.InputChannels;
            // Next-token targets: every token after a row's first (counted only where parts weigh their next-token losses).
            long Targets(IEnumerable<int> rows) => rows.Sum(i => (long)Math.Max(0, data.Rows[i].Length - 1));
            long targets = parts.Count > 1 && _nextTokenLossWeight > 0 ? Targets(batch) : 0;
            Tensor? lossTotal = null, correctTotal = null;
            foreach (var part in parts)
            {
                var rows = part.Select(i => data.Rows[i]).ToList();
                var (inputs, lengths) = SequenceBatcher.Stack(rows, channels, _device);
                var labels = tensor(part.Select(i => (long)data.Labels[i]).ToArray()).to(_device);
                var (rawLogits, nextTokenLoss) = _nextTokenLossWeight > 0
                    ? model.ForwardWithNextTokenLoss(inputs, lengths)
                    : (model.call(inputs, lengths), null);
                var logits = rawLogits.to_type(ScalarType.Float32);
                var loss = nn.functional.cross_entropy(logits, labels, label_smoothing: _options.LabelSmoothing);
                if (parts.Count == 1)
                {
                    if (nextTokenLoss is not null)
                        loss = loss + nextTokenLoss * _nextTokenLossWeight;
                }
                else
                {
                    loss = loss * ((double)part.Length / batch.Count);
                    long partTargets = nextTokenLoss is null ? 0 : Targets(part);
                    if (partTargets > 0)
                        loss = loss + nextTokenLoss! * (_nextTokenLossWeight * partTargets / targets);
                }
                loss.backward();
                HyenaOperator.ThrowIfBackwardFailed(_device);   // e.g. out of device memory inside a fused kernel's backward
                var correct = logits.argmax(1).eq(labels).sum();
                lossTotal = lossTotal is null ? loss.detach() : lossTotal + loss.detach();
                correctTotal = correctTotal is null ? correct : correctTotal + correct;
            }
            return (lossTotal!, correctTotal!);
        }

        private List<List<int>> Batches(SequenceDataset data)
        {
            var order = Enumerable.Range(0, data.Count).ToArray();
            _random.Shuffle(order);
            int size = _options.BatchSize;
            var batches = new List<List<int>>();
            for (int start = 0; start < order.Length; start += size * BucketBatches)
            {
                var window = order.Skip(start).Take(size * BucketBatches).OrderBy(i => data.Rows[i].Length).ToList();
                for (int b = 0; b < window.Count; b += size)
                    batches.Add(window.GetRange(b, Math.Min(size, window.Count - b)));
            }
            var shuffled = batches.ToArray();
            _random.Shuffle(shuffled);
            return shuffled.ToList();
        }

        private static Dictionary<string, Tensor> Snapshot(nn.Module model)
            => StateDict.Export(model).ToDictionary(kv => kv.Key, kv => kv.Value.detach().cpu().clone());

        private static void DisposeAll(Dictionary<string, Tensor>? tensors)
        {
            if (tensors is null)
                return;
            foreach (var tensor in tensors.Values)
                tensor.Dispose();
            tensors.Clear();
        }
    }
}
