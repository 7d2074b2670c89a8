using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Hyena;

namespace Hyena.Samples
{
    /// <summary>A generated token sequence and its class: the tokens for Hyena, the same tokens as words for FeaturizeText.</summary>
    public sealed class TokenRow
    {
        /// <summary>Token ids in [0, vocabulary).</summary>
        public int[] Tokens { get; set; } = Array.Empty<int>();

        /// <summary>The same tokens as space-separated words (what ML.NET's text baselines read).</summary>
        public string Text { get; set; } = string.Empty;

        /// <summary>The class.</summary>
        public string Label { get; set; } = string.Empty;

        /// <summary>Makes a row from tokens and a class.</summary>
        public static TokenRow Of(int[] tokens, string label) => new() { Tokens = tokens, Text = string.Join(' ', tokens), Label = label };
    }

    /// <summary>A generated task: training and test rows, and the number of token ids.</summary>
    /// <param name="Train">Training rows.</param>
    /// <param name="Test">Test rows.</param>
    /// <param name="VocabularySize">Token ids are in [0, VocabularySize).</param>
    /// <param name="Description">One line saying what was generated.</param>
    public sealed record TokenTask(IReadOnlyList<TokenRow> Train, IReadOnlyList<TokenRow> Test, int VocabularySize, string Description);

    /// <summary>Defaults of a token-sequence sample.</summary>
    public sealed record TokenSequenceDefaults
    {
        /// <summary>Sequence length of the task (and the model's maximum length).</summary>
        public int Length { get; init; } = 1024;

        /// <summary>Training rows.</summary>
        public int TrainRows { get; init; } = 4000;

        /// <summary>Test rows.</summary>
        public int TestRows { get; init; } = 1000;

        /// <summary>Model width.</summary>
        public int Width { get; init; } = 64;

        /// <summary>Hyena blocks.</summary>
        public int Depth { get; init; } = 2;

        /// <summary>Most epochs.</summary>
        public int Epochs { get; init; } = 20;

        /// <summary>Peak learning rate.</summary>
        public double LearningRate { get; init; } = 1e-3;

        /// <summary>Rows per step.</summary>
        public int BatchSize { get; init; } = 32;

        /// <summary>Pooling of positions.</summary>
        public HyenaPooling Pooling { get; init; } = HyenaPooling.Mean;

        /// <summary>Dropout.</summary>
        public double Dropout { get; init; }

        /// <summary>Weight of the auxiliary next-token loss (see HyenaTextClassificationTrainer.Options.NextTokenLossWeight).</summary>
        public double NextTokenLoss { get; init; }

        /// <summary>Curriculum: length of the sequences trained on first (0: no curriculum).</summary>
        public int WarmupLength { get; init; }

        /// <summary>Curriculum: epochs on the short sequences.</summary>
        public int WarmupEpochs { get; init; } = 10;

        /// <summary>Whether ML.NET's FeaturizeText baselines run by default.</summary>
        public bool Baselines { get; init; } = true;
    }

    /// <summary>
    /// A Hyena classifier on generated token sequences (already tokenized: an integer vector column)
    /// next to FeaturizeText + SdcaMaximumEntropy and LightGbm on the same tokens as words, on the
    /// same generated split. Used by the associative-recall and ListOps samples.
    /// </summary>
    public static class TokenSequenceExperiment
    {
        /// <summary>Runs the experiment; <paramref name="makeTask"/> generates (length, train rows, test rows, seed) → task.</summary>
        public static int Run(string sampleName, string title, string[] args, TokenSequenceDefaults defaults,
            Func<int, int, int, int, TokenTask> makeTask, Func<SampleArguments, IReadOnlyDictionary<string, object?>>? taskOptions = null)
        {
            var options = new SampleArguments(sampleName, args);
            int length = options.Int("length", defaults.Length, "sequence length");
            int trainRows = options.Int("train", defaults.TrainRows, "training rows");
            int testRows = options.Int("test", defaults.TestRows, "test rows");
            int width = options.Int("width", defaults.Width, "model width");
            int depth = options.Int("depth", defaults.Depth, "Hyena blocks");
            int epochs = options.Int("epochs", defaults.Epochs, "most epochs");
            double learningRate = options.Double("learning-rate", defaults.LearningRate, "peak learning rate");
            int batchSize = options.Int("batch-size", defaults.BatchSize, "rows per step");
            double dropout = options.Double("dropout", defaults.Dropout, "dropout");
            var pooling = options.Enum("pooling", defaults.Pooling, "pooling of positions");
            double minutes = options.Double("max-minutes", 0, "Hyena's training budget in minutes (0: none)");
            double nextTokenLoss = options.Double("next-token-loss", defaults.NextTokenLoss, "weight of the auxiliary next-token loss over every position (0: off)");
            bool baselines = defaults.Baselines ? !options.Flag("no-baselines", "train Hyena only") : options.Flag("baselines", "also train ML.NET's FeaturizeText baselines");
            int warmupLength = options.Int("warmup-length", defaults.WarmupLength, "curriculum: first train on sequences of this length (0: off), then continue on the task's length");
            int warmupEpochs = options.Int("warmup-epochs", defaults.WarmupEpochs, "curriculum: epochs on the short sequences");
            double warmupMinutes = options.Double("warmup-minutes", 0, "curriculum: training budget of the short sequences in minutes (0: none)");
            int warmupBatchSize = options.Int("warmup-batch-size", 0, "curriculum: rows per step on the short sequences (0: as --batch-size)");
            int warmupRows = options.Int("warmup-train", 0, "curriculum: training rows of the short sequences (0: as many as --train)");
            string device = options.String("device", "auto", "auto, cpu, cuda or cuda:N");
            int seed = options.Int("seed", 1, "seed of the data, the MLContext and the trainer");
            bool deterministic = options.Flag("deterministic", "on CUDA, train repeatably bit for bit (libtorch's deterministic algorithms)");
            bool recomputeBlocks = options.Flag("recompute-blocks", "activation checkpointing: about half the device memory for about 40 % more time a step");
            string output = options.String("out", "", $"output folder (default runs/{sampleName}/<time>)");
            var extra = taskOptions?.Invoke(options) ?? new Dictionary<string, object?>();
            if (!options.Validate())
                return 0;

            var run = new ExperimentRun(sampleName, title, args, device, output, seed);
            var task = makeTask(length, trainRows, testRows, seed);
            Console.WriteLine(task.Description);
            var ml = run.MLContext;
            var train = ml.Data.LoadFromEnumerable(task.Train);
            var test = ml.Data.LoadFromEnumerable(task.Test);
            run.StartComparison(train, test);
            if (baselines)
            {
                run.RunBaseline("FeaturizeText + SdcaMaximumEntropy", Baselines.TextSdca(ml));
                run.RunBaseline("FeaturizeText + LightGbm", Baselines.TextLightGbm(ml));
            }

            int maxLength = task.Train.Concat(task.Test).Max(r => r.Tokens.Length);
            HyenaTextClassificationTrainer.Options Options(int maxEpochs, TimeSpan? maxTime, int rowsPerStep) => new()
            {
                TextColumnName = nameof(TokenRow.Tokens),
                VocabularySize = task.VocabularySize,
                MaxSequenceLength = maxLength,
                ModelDimension = width,
                Depth = depth,
                Pooling = pooling,
                NextTokenLossWeight = nextTokenLoss,
                Dropout = dropout,
                MaxEpochs = maxEpochs,
                MaxTrainingTime = maxTime,
                LearningRate = learningRate,
                BatchSize = rowsPerStep,
                Device = run.DeviceOption,
                Seed = seed,
                Deterministic = deterministic,
                RecomputeBlocks = recomputeBlocks,
                Progress = run.Reporter,
            };
            var hyenaOptions = Options(epochs, minutes > 0 ? TimeSpan.FromMinutes(minutes) : null, batchSize);
            string name = $"Hyena ({depth} x {width}, {pooling} pooling)";
            ITransformer hyena;
            if (warmupLength > 0)
            {
                var warmup = makeTask(warmupLength, warmupRows > 0 ? warmupRows : trainRows, 0, seed + 1);
                Console.WriteLine($"curriculum: {warmupEpochs} epochs on {warmup.Description}, then up to {epochs} on the task");
                var shortStage = Options(warmupEpochs, warmupMinutes > 0 ? TimeSpan.FromMinutes(warmupMinutes) : null,
                    warmupBatchSize > 0 ? warmupBatchSize : batchSize);
                hyena = run.Comparison.Run($"{name}, curriculum from length {warmupLength}",
                    data => Curriculum.Fit(ml, data, ml.Data.LoadFromEnumerable(warmup.Train), shortStage, hyenaOptions));
            }
            else
            {
                hyena = run.Comparison.Run(name, ml.Transforms.Conversion.MapValueToKey("Label")
                    .Append(ml.MulticlassClassification.Trainers.HyenaTextClassification(hyenaOptions))
                    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")));
            }
            try
            {
                var settings = new Dictionary<string, object?>(extra)
                {
                    ["task"] = task.Description, ["length"] = length, ["trainRows"] = task.Train.Count, ["testRows"] = task.Test.Count,
                    ["vocabularySize"] = task.VocabularySize, ["width"] = width, ["depth"] = depth, ["pooling"] = pooling.ToString(),
                    ["dropout"] = dropout, ["maxEpochs"] = epochs, ["learningRate"] = learningRate, ["batchSize"] = batchSize,
                    ["maxMinutes"] = minutes, ["nextTokenLoss"] = nextTokenLoss,
                    ["warmupLength"] = warmupLength, ["warmupEpochs"] = warmupLength > 0 ? warmupEpochs : 0,
                    ["warmupMinutes"] = warmupLength > 0 ? warmupMinutes : 0,
                    ["warmupBatchSize"] = warmupLength > 0 ? (warmupBatchSize > 0 ? warmupBatchSize : batchSize) : 0,
                    ["warmupRows"] = warmupLength > 0 ? (warmupRows > 0 ? warmupRows : trainRows) : 0,
                };
                run.Finish(hyena, train.Schema, settings);
                run.PrintTotalTime();
            }
            finally
            {
                (hyena as IDisposable)?.Dispose();
            }
            return 0;
        }
    }
}
