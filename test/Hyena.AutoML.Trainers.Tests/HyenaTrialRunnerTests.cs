using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML.Data;
using Options = Microsoft.ML.Hyena.HyenaImageClassificationTrainer.Options;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    public sealed class HyenaTrialRunnerTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "hyena-automl-trainers-tests", Guid.NewGuid().ToString("N"));

        public void Dispose()
        {
            if (Directory.Exists(_folder))
                Directory.Delete(_folder, recursive: true);
        }

        private static readonly SweepSearchSpace Space = new SweepSearchSpace()
            .Range(nameof(Options.LearningRate), 1e-4, 1e-2, logBase: true)
            .Choice(nameof(Options.ModelDimension), 32, 64)
            .Choice(nameof(Options.Pooling), HyenaPooling.Mean, HyenaPooling.Last);

        private static HyenaTrialRunner<Options> StandInRunner(MLContext mlContext) => new(
            new Options { FeatureColumnName = "Features", ImageHeight = 1, ImageWidth = 4, BatchSize = 7 },
            (trialContext, options) => new StandInTrainer(trialContext, options),
            mlContext.Transforms.Conversion.MapValueToKey("Label"));

        [Fact]
        public async Task ATrialGetsItsAssignmentSeedDeviceAndBudgetAndReportsEachEpoch()
        {
            var mlContext = new MLContext(0);
            var data = mlContext.Data.TrainTestSplit(StandInTrainer.Data(mlContext, 150, 1), 0.3, seed: 0);
            var runner = StandInRunner(mlContext);
            var assignment = new RandomSearchTuner(3).Propose(Space, 0)!;
            var reported = new List<(int Epoch, IReadOnlyDictionary<string, double> Metrics)>();
            var context = new TrialContext(0, assignment, SweepDevice.Cpu, seed: 77, maxEpochs: 5, SweepMetric.MicroAccuracy,
                SweepDataset.TrainValidation(data.TrainSet, data.TestSet),
                (epoch, metrics) => { reported.Add((epoch, metrics)); return epoch < 3; });

            TrialOutput<ITransformer> output = await runner.RunAsync(context, CancellationToken.None);

            Options seen = StandInTrainer.Seen.Last();
            Assert.Equal((double)assignment[nameof(Options.LearningRate)], seen.LearningRate);
            Assert.Equal(assignment[nameof(Options.ModelDimension)], seen.ModelDimension);
            Assert.Equal(assignment[nameof(Options.Pooling)], seen.Pooling);
            Assert.Equal(((int?)77, 5, HyenaDevice.Cpu, 7), (seen.Seed, seen.MaxEpochs, seen.Device, seen.BatchSize));
            Assert.Equal(new[] { 1, 2, 3 }, reported.Select(r => r.Epoch));
            Assert.Contains("MicroAccuracy", reported[0].Metrics.Keys);
            Assert.Contains("MacroAccuracy", reported[0].Metrics.Keys);
            Assert.Contains("LogLoss", reported[0].Metrics.Keys);
            Assert.InRange(output.Metrics["MicroAccuracy"], 0.8, 1.0);
            Assert.Contains("LogLossReduction", output.Metrics.Keys);
            // The model includes the preprocessing: it scores raw rows.
            var scored = output.Model!.Transform(data.TestSet);
            Assert.NotNull(scored.Schema.GetColumnOrNull("PredictedLabel"));
            (output.Model as IDisposable)?.Dispose();
        }

        [Fact]
        public async Task ASweepSavesTheBestModelAndGivesItBackAfterAResume()
        {
            var mlContext = new MLContext(0);
            var data = mlContext.Data.TrainTestSplit(StandInTrainer.Data(mlContext, 150, 2), 0.3, seed: 0);
            SweepExperiment<ITransformer> Sweep() => new SweepExperiment<ITransformer>()
                .SetSearchSpace(Space)
                .SetDataset(data)
                .SetMetric(SweepMetric.MacroAccuracy)
                .SetSuccessiveHalvingTuner(minEpochs: 1, reductionFactor: 3)
                .SetMaxTrials(6)
                .SetMaxEpochsPerTrial(9)
                .SetDevices(HyenaSweepDevices.Detect(cpuTrials: 2))
                .SetTrialRunner(StandInRunner(mlContext))
                .SetStateFolder(_folder);

            var first = await Sweep().RunAsync();
            Assert.Contains(first.Trials, t => t.Status == TrialStatus.StoppedEarly);
            Assert.True(File.Exists(Path.Combine(_folder, $"model-trial-{first.BestTrial!.Id:D4}.zip")));

            var resumed = await Sweep().RunAsync();
            Assert.Equal(first.BestTrial.Id, resumed.BestTrial!.Id);
            var metrics = mlContext.MulticlassClassification.Evaluate(resumed.BestModel!.Transform(data.TestSet));
            Assert.Equal(first.BestTrial.Metric!.Value, metrics.MacroAccuracy, 6);
            (first.BestModel as IDisposable)?.Dispose();
            (resumed.BestModel as IDisposable)?.Dispose();

            Options refit = StandInRunner(mlContext).CreateOptions(first.BestTrial);
            Assert.Equal(((int?)first.BestTrial.Seed, 9), (refit.Seed, refit.MaxEpochs));
        }

        [Fact]
        public async Task CrossValidationTrainsEveryFoldForTheFirstFoldsEpochsAndAveragesTheMetrics()
        {
            var mlContext = new MLContext(0);
            var runner = StandInRunner(mlContext);
            StandInTrainer.Seen.Clear();
            var context = new TrialContext(0, new RandomSearchTuner(5).Propose(Space, 1)!, SweepDevice.Cpu, 3, 6, SweepMetric.MicroAccuracy,
                SweepDataset.CrossValidation(StandInTrainer.Data(mlContext, 120, 3), numberOfFolds: 3, seed: 1),
                (epoch, _) => epoch < 2);
            var output = await runner.RunAsync(context, CancellationToken.None);
            Assert.Equal(3, StandInTrainer.Seen.Count);
            Assert.All(StandInTrainer.Seen, o => Assert.Equal(6, o.MaxEpochs));
            Assert.InRange(output.Metrics["MicroAccuracy"], 0.7, 1.0);
            (output.Model as IDisposable)?.Dispose();
        }

        [Fact]
        public async Task ARealTextSweepRunsOnTheCpu()
        {
            var mlContext = new MLContext(0);
            var rows = Enumerable.Range(0, 90).Select(i => new TextRow { Text = (i % 2 == 0 ? "yes " : "no ") + new string('x', i % 7), Label = i % 2 == 0 ? "yes" : "no" }).ToList();
            var data = mlContext.Data.TrainTestSplit(mlContext.Data.LoadFromEnumerable(rows), 0.3, seed: 0);
            var runner = HyenaTrialRunner.ForTextClassification(
                new HyenaTextClassificationTrainer.Options { MaxSequenceLength = 16, ModelDimension = 8, FilterOrder = 8, Depth = 1, BatchSize = 16 },
                mlContext.Transforms.Conversion.MapValueToKey("Label"));
            var result = await new SweepExperiment<ITransformer>()
                .SetSearchSpace(new SweepSearchSpace().Range(nameof(HyenaTextClassificationTrainer.Options.LearningRate), 1e-3, 1e-2, logBase: true))
                .SetDataset(data)
                .SetMaxTrials(2)
                .SetMaxEpochsPerTrial(2)
                .SetDevices(SweepDevice.Cpu)
                .SetTrialRunner(runner)
                .RunAsync();
            Assert.All(result.Trials, t => Assert.Equal(TrialStatus.Completed, t.Status));
            Assert.All(result.Trials, t => Assert.Equal(2, t.Epochs));
            Assert.NotNull(result.BestModel);
            (result.BestModel as IDisposable)?.Dispose();
        }

        public sealed class TextRow
        {
            public string Text { get; set; } = "";

            public string Label { get; set; } = "";
        }
    }
}
