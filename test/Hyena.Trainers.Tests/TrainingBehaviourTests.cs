using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML;
using Microsoft.ML.Data;
using TorchSharp;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>Cancellation, determinism, validation, early stopping, progress and native memory.</summary>
    public class TrainingBehaviourTests
    {
        private static HyenaTextClassificationTrainer.Options Small(int epochs = 2) => new()
        {
            MaxSequenceLength = 64, ModelDimension = 16, Depth = 1, FilterOrder = 16, MaxEpochs = epochs, BatchSize = 8,
            Seed = 7, Device = HyenaDevice.Cpu,
        };

        private static (MLContext Ml, IDataView Train, IDataView Test) Data(int trainRows = 64)
        {
            var ml = new MLContext(seed: 1);
            var all = ToyData.MarkerText(trainRows + 30, 60, seed: 21);
            var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(all));
            return (ml, keys.Transform(ml.Data.LoadFromEnumerable(all.Take(trainRows))), keys.Transform(ml.Data.LoadFromEnumerable(all.Skip(trainRows))));
        }

        private static float[][] Scores(ITransformer model, IDataView data) => model.Transform(data).GetColumn<float[]>("Score").ToArray();

        [Fact]
        public void SameSeedGivesIdenticalModelsOnCpu()
        {
            var (ml, train, test) = Data();
            using var first = ml.MulticlassClassification.Trainers.HyenaTextClassification(Small()).Fit(train);
            using var second = ml.MulticlassClassification.Trainers.HyenaTextClassification(Small()).Fit(train);
            var options = Small();
            options.Seed = 8;
            using var other = ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(train);
            var a = Scores(first, test);
            Assert.Equal(a, Scores(second, test));
            Assert.NotEqual(a, Scores(other, test));
        }

        [Fact]
        public void RecomputingBlocksTrainsTheSameModel()
        {
            // Dropout at its default 0.1: on the CPU the recomputing training draws and applies the same masks.
            var (ml, train, test) = Data();
            var plain = Small();
            plain.Depth = 2;
            var recompute = Small();
            recompute.Depth = 2;
            recompute.RecomputeBlocks = true;
            using var first = ml.MulticlassClassification.Trainers.HyenaTextClassification(plain).Fit(train);
            using var second = ml.MulticlassClassification.Trainers.HyenaTextClassification(recompute).Fit(train);
            var a = Scores(first, test);
            var b = Scores(second, test);
            Assert.Equal(a.Length, b.Length);
            for (int i = 0; i < a.Length; i++)
                for (int c = 0; c < a[i].Length; c++)
                    Assert.Equal(a[i][c], b[i][c], 5);
        }

        [Fact]
        public void DeterministicHoldsLibtorchsDeterministicAlgorithmsWhileTrainingOnly()
        {
            var (ml, train, test) = Data();
            var options = Small();
            options.Deterministic = true;
            var during = new List<bool>();
            options.ShouldContinue = _ => { during.Add(DeterministicAlgorithms.Enabled); return true; };
            Assert.False(DeterministicAlgorithms.Enabled);
            using var deterministic = ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(train);
            Assert.Equal(new[] { true, true }, during);                           // on during both epochs
            Assert.False(DeterministicAlgorithms.Enabled);                         // and back off after Fit
            using var plain = ml.MulticlassClassification.Trainers.HyenaTextClassification(Small()).Fit(train);
            Assert.Equal(Scores(plain, test), Scores(deterministic, test));        // on the CPU the same model either way
        }

        [Fact]
        public void DeterministicWithATimeBudgetWarnsThatTheClockDecides()
        {
            var (ml, train, _) = Data(16);
            var log = new List<string>();
            ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
            var options = Small(epochs: 1);
            options.Deterministic = true;
            using (ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(train)) { }
            Assert.DoesNotContain(log, m => m.Contains("MaxTrainingTime"));
            options.MaxTrainingTime = TimeSpan.FromHours(1);
            using (ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(train)) { }
            Assert.Contains(log, m => m.Contains("Deterministic is set with MaxTrainingTime 01:00:00") && m.Contains("Leave MaxTrainingTime null"));
        }

        [Fact]
        public void CancellationTokenStopsTrainingPromptly()
        {
            var (ml, train, _) = Data(400);
            using var source = new CancellationTokenSource();
            var options = Small(epochs: 50);
            int steps = 0;
            options.Progress = new SynchronousProgress(p => { if (Interlocked.Increment(ref steps) == 1) source.Cancel(); });
            options.CancellationToken = source.Token;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            Assert.ThrowsAny<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(train));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30), $"took {watch.Elapsed}");
        }

        [Fact]
        public void CancelExecutionStopsTraining()
        {
            var (ml, train, _) = Data(400);
            var options = Small(epochs: 50);
            options.Progress = new SynchronousProgress(_ => ml.CancelExecution());
            Assert.ThrowsAny<OperationCanceledException>(() => ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(train));
        }

        [Fact]
        public void ValidationReportsEachEpochAndKeepsTheBestWeights()
        {
            var (ml, train, test) = Data();
            var reports = new List<HyenaTrainingProgress>();
            var options = Small(epochs: 4);
            options.ValidationSet = test;
            options.EarlyStoppingPatience = 0;
            options.Progress = new SynchronousProgress(reports.Add);
            using var model = ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(train);
            var epochs = reports.Where(r => r.Kind == HyenaProgressKind.Epoch).ToList();
            Assert.Equal(new[] { 1, 2, 3, 4 }, epochs.Select(r => r.Epoch));
            Assert.All(epochs, r => Assert.NotNull(r.ValidationMicroAccuracy));
            Assert.All(epochs, r => Assert.True(r.TokensPerSecond > 0));
            // The kept weights are the best epoch's: evaluating them gives the best reported accuracy.
            double best = epochs.Max(r => r.ValidationMicroAccuracy!.Value);
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
            Assert.Equal(best, metrics.MicroAccuracy, 6);
        }

        [Fact]
        public void WeightAveragingIsWhatIsValidatedAndKept()
        {
            var (ml, train, test) = Data();
            var reports = new List<HyenaTrainingProgress>();
            var options = Small(epochs: 3);
            options.WeightAveragingDecay = 0.9;
            options.ValidationSet = test;
            options.EarlyStoppingPatience = 0;
            options.Progress = new SynchronousProgress(reports.Add);
            using var averaged = ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(train);
            // The kept weights are the averaged weights of the best epoch: evaluating them gives the best reported accuracy and loss.
            var epochs = reports.Where(r => r.Kind == HyenaProgressKind.Epoch).ToList();
            var best = epochs.Where(r => r.IsBest).Last();
            var metrics = ml.MulticlassClassification.Evaluate(averaged.Transform(test));
            Assert.Equal(best.ValidationMicroAccuracy!.Value, metrics.MicroAccuracy, 6);
            Assert.Equal(best.ValidationLogLoss!.Value, metrics.LogLoss, 4);

            // Without validation the final averaged weights are kept; they differ from the last step's weights.
            var log = new List<string>();
            ml.Log += (_, e) => { lock (log) log.Add(e.Message); };
            var plain = Small(epochs: 2);
            var withAverage = Small(epochs: 2);
            withAverage.WeightAveragingDecay = 0.9;
            using var last = ml.MulticlassClassification.Trainers.HyenaTextClassification(plain).Fit(train);
            using var average = ml.MulticlassClassification.Trainers.HyenaTextClassification(withAverage).Fit(train);
            Assert.NotEqual(Scores(last, test), Scores(average, test));
            Assert.Contains(log, m => m.Contains("Kept the averaged weights (16 steps, decay 0.9)"));
        }

        [Fact]
        public void ShouldContinueCanStopTraining()
        {
            var (ml, train, _) = Data();
            var options = Small(epochs: 10);
            var epochs = new List<int>();
            options.ShouldContinue = p => { epochs.Add(p.Epoch); return p.Epoch < 2; };
            using var model = ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(train);
            Assert.Equal(new[] { 1, 2 }, epochs);
        }

        [Fact]
        public void TimeBudgetStopsAfterTheEpochsThatFit()
        {
            var (ml, train, _) = Data();
            var options = Small(epochs: 20);
            options.MaxTrainingTime = TimeSpan.FromMilliseconds(1); // less than one epoch: exactly one runs
            var reports = new List<HyenaTrainingProgress>();
            options.ShouldContinue = p => { reports.Add(p); return true; };
            using var model = ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(train);
            Assert.Single(reports);
            Assert.Equal(1, reports[0].MaxEpochs);
            Assert.Equal(TimeSpan.Zero, reports[0].EstimatedRemaining);
        }

        [Fact]
        public void EarlyStoppingStopsAfterPatienceEpochsWithoutImprovement()
        {
            var (ml, train, test) = Data();
            var options = Small(epochs: 30);
            options.LearningRate = 1e-9; // nothing improves after the first epoch
            options.WarmupFraction = 0;
            options.ValidationSet = test;
            options.EarlyStoppingPatience = 2;
            var epochs = new List<int>();
            options.ShouldContinue = p => { epochs.Add(p.Epoch); return true; };
            using var model = ml.MulticlassClassification.Trainers.HyenaTextClassification(options).Fit(train);
            Assert.True(epochs.Count < 30, $"ran {epochs.Count} epochs");
        }

        [Fact]
        public void TrainingAndScoringLeaveNoNativeTensorsBehind()
        {
            var (ml, train, test) = Data();
            long Live() => DisposeScopeManager.Statistics.ThreadTotalLiveCount;
            // Warm-up: first use creates lazily initialised state.
            using (var warm = ml.MulticlassClassification.Trainers.HyenaTextClassification(Small(1)).Fit(train))
                Scores(warm, test);

            long before = Live();
            var model = ml.MulticlassClassification.Trainers.HyenaTextClassification(Small(3)).Fit(train);
            Scores(model, test); // fills the bounded cache of filter spectra
            long afterFirstScoring = Live();
            for (int i = 0; i < 5; i++)
                Scores(model, test);
            long afterScoring = Live();
            model.Dispose();
            long afterDispose = Live();
            Assert.Equal(afterFirstScoring, afterScoring);  // scoring more rows leaves nothing behind
            Assert.True(afterDispose <= before, $"{afterDispose - before} tensors outlived the model"); // cache included
        }

        [Fact]
        public void CrossValidateWorksUnchanged()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(ToyData.MarkerText(60, 40, seed: 31));
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HyenaTextClassification(Small(1)));
            var results = ml.MulticlassClassification.CrossValidate(data, pipeline, numberOfFolds: 2);
            Assert.Equal(2, results.Count);
            Assert.All(results, r => Assert.InRange(r.Metrics.MicroAccuracy, 0, 1));
            foreach (var result in results)
                (result.Model as IDisposable)?.Dispose();
        }

        /// <summary>IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
        private sealed class SynchronousProgress : IProgress<HyenaTrainingProgress>
        {
            private readonly Action<HyenaTrainingProgress> _report;

            public SynchronousProgress(Action<HyenaTrainingProgress> report) => _report = report;

            public void Report(HyenaTrainingProgress value) => _report(value);
        }
    }
}
