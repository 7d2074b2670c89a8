using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Hyena;

namespace Hyena.Samples
{
    /// <summary>Defaults of a Fashion-MNIST run; each program that runs the experiment chooses its own.</summary>
    public sealed record FashionMnistDefaults
    {
        /// <summary>Consecutive pixels per sequence position (1: 784 positions; 28: one row per position).</summary>
        public int PixelsPerPosition { get; init; } = 1;

        /// <summary>Model width.</summary>
        public int Width { get; init; } = 128;

        /// <summary>Number of Hyena blocks.</summary>
        public int Depth { get; init; } = 4;

        /// <summary>MLP ratio of the blocks.</summary>
        public int MlpRatio { get; init; } = 4;

        /// <summary>Dropout.</summary>
        public double Dropout { get; init; } = 0.1;

        /// <summary>Most epochs.</summary>
        public int Epochs { get; init; } = 20;

        /// <summary>Peak learning rate.</summary>
        public double LearningRate { get; init; } = 2e-3;

        /// <summary>Rows per step.</summary>
        public int BatchSize { get; init; } = 64;

        /// <summary>Decay of the moving average of the weights that the model keeps (0: off).</summary>
        public double WeightAveraging { get; init; }

        /// <summary>Whole-run time budget in minutes (0: none); Hyena trains in what the baselines leave.</summary>
        public double TotalMinutes { get; init; }
    }

    /// <summary>
    /// Fashion-MNIST as a sequence task: a Hyena image classifier next to SdcaMaximumEntropy and
    /// LightGbm trained on the same rows in the same run; a results table, CSV and JSON, a training
    /// curve, model.zip, and a reload in a fresh MLContext that predicts a few test images.
    /// Data: the full set when the Debian package (or --data) provides it, else the committed subset.
    /// </summary>
    public static class FashionMnistExperiment
    {
        /// <summary>Runs the experiment with the program's defaults and command-line options; returns the exit code.</summary>
        public static int Run(string sampleName, string title, string[] args, FashionMnistDefaults defaults)
        {
            var options = new SampleArguments(sampleName, args);
            string data = options.String("data", "auto", "folder of the four IDX files, 'subset' (committed), 'full' (" + FashionMnist.DefaultFolder + ") or 'auto' (full when present)");
            int pixelsPerPosition = options.Int("pixels-per-position", defaults.PixelsPerPosition, "consecutive pixels per sequence position");
            int width = options.Int("width", defaults.Width, "model width");
            int depth = options.Int("depth", defaults.Depth, "Hyena blocks");
            int mlpRatio = options.Int("mlp-ratio", defaults.MlpRatio, "MLP width as a multiple of the model width");
            double dropout = options.Double("dropout", defaults.Dropout, "dropout");
            int epochs = options.Int("epochs", defaults.Epochs, "most epochs");
            double learningRate = options.Double("learning-rate", defaults.LearningRate, "peak learning rate");
            int batchSize = options.Int("batch-size", defaults.BatchSize, "rows per step");
            double weightAveraging = options.Double("weight-averaging", defaults.WeightAveraging, "decay of the moving average of the weights the model keeps (0: off; e.g. 0.998)");
            double totalMinutes = options.Double("total-minutes", defaults.TotalMinutes, "whole-run budget in minutes; Hyena trains in what the baselines leave (0: no budget)");
            string device = options.String("device", "auto", "auto, cpu, cuda or cuda:N");
            int seed = options.Int("seed", 1, "seed of the MLContext and the trainer");
            bool deterministic = options.Flag("deterministic", "on CUDA, train repeatably bit for bit (libtorch's deterministic algorithms)");
            bool skipBaselines = options.Flag("no-baselines", "train Hyena only");
            string? output = options.String("out", "", "output folder (default runs/" + sampleName + "/<time>)");
            if (!options.Validate())
                return 0;

            string folder = ResolveData(data);
            var run = new ExperimentRun(sampleName, title, args, device, output, seed);
            Console.WriteLine($"data: {folder}");
            var dataset = FashionMnist.Load(folder);
            var ml = run.MLContext;
            var train = ml.Data.LoadFromEnumerable(FashionMnist.ToRows(dataset.Train));
            var test = ml.Data.LoadFromEnumerable(FashionMnist.ToRows(dataset.Test));
            Console.WriteLine($"{dataset.Train.Count} training and {dataset.Test.Count} test images, 10 classes");

            run.StartComparison(train, test);
            if (!skipBaselines)
            {
                run.RunBaseline("SdcaMaximumEntropy", Baselines.ImageSdca(ml));
                run.RunBaseline("LightGbm", Baselines.ImageLightGbm(ml));
            }

            // Hyena trains in the time the baselines left, keeping about 40 s for scoring, saving and the reload.
            TimeSpan? budget = null;
            if (totalMinutes > 0)
            {
                var left = TimeSpan.FromMinutes(totalMinutes) - run.Elapsed - TimeSpan.FromSeconds(40);
                budget = left > TimeSpan.FromSeconds(30) ? left : TimeSpan.FromSeconds(30);
                Console.WriteLine($"Hyena's training budget: {budget.Value.TotalMinutes:F1} minutes");
            }
            var hyenaOptions = new HyenaImageClassificationTrainer.Options
            {
                ImageHeight = FashionMnist.ImageSize,
                ImageWidth = FashionMnist.ImageSize,
                PixelsPerPosition = pixelsPerPosition,
                ModelDimension = width,
                Depth = depth,
                MlpRatio = mlpRatio,
                Dropout = dropout,
                MaxEpochs = epochs,
                MaxTrainingTime = budget,
                LearningRate = learningRate,
                BatchSize = batchSize,
                LabelSmoothing = 0.1,
                WeightAveragingDecay = weightAveraging,
                Device = run.DeviceOption,
                Seed = seed,
                Deterministic = deterministic,
                Progress = run.Reporter,
            };
            string hyenaName = $"Hyena ({depth} x {width}, {FashionMnist.PixelCount / pixelsPerPosition} positions)";
            var hyena = run.Comparison.Run(hyenaName, ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.HyenaImageClassification(hyenaOptions))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")));
            try
            {
                string modelPath = run.Finish(hyena, train.Schema, new Dictionary<string, object?>
                {
                    ["data"] = folder, ["trainRows"] = dataset.Train.Count, ["testRows"] = dataset.Test.Count,
                    ["pixelsPerPosition"] = pixelsPerPosition, ["width"] = width, ["depth"] = depth, ["mlpRatio"] = mlpRatio,
                    ["dropout"] = dropout, ["maxEpochs"] = epochs, ["learningRate"] = learningRate, ["batchSize"] = batchSize,
                    ["weightAveraging"] = weightAveraging, ["trainingBudgetSeconds"] = budget?.TotalSeconds,
                });
                PredictAfterReload(modelPath, dataset.Test, hyena, ml, test);
                run.PrintTotalTime();
            }
            finally
            {
                (hyena as IDisposable)?.Dispose();
            }
            return 0;
        }

        private static string ResolveData(string data) => data switch
        {
            "auto" => File.Exists(Path.Combine(FashionMnist.DefaultFolder, FashionMnist.TrainImagesFileName + ".gz"))
                || File.Exists(Path.Combine(FashionMnist.DefaultFolder, FashionMnist.TrainImagesFileName))
                    ? FashionMnist.DefaultFolder
                    : SubsetFolder(),
            "subset" => SubsetFolder(),
            "full" => FashionMnist.DefaultFolder,
            _ => data,
        };

        private static string SubsetFolder() => FashionMnist.FindSubsetFolder()
            ?? FashionMnist.FindSubsetFolder(Environment.CurrentDirectory)
            ?? throw new DirectoryNotFoundException($"The committed Fashion-MNIST subset ({FashionMnist.SubsetRelativePath}) was not found above {AppContext.BaseDirectory}; pass --data <folder>.");

        // Loads model.zip in a fresh MLContext (no registration), predicts a few test images with a
        // PredictionEngine and checks its scores against the in-memory model's batched ones.
        private static void PredictAfterReload(string modelPath, IReadOnlyList<FashionMnistImage> testImages, ITransformer trained, MLContext ml, IDataView test)
        {
            const int shown = 8;
            var fresh = new MLContext();
            var loaded = fresh.Model.Load(modelPath, out _);
            using var engine = fresh.Model.CreatePredictionEngine<FashionMnistRow, ImagePrediction>(loaded);
            var expected = trained.Transform(ml.Data.TakeRows(test, shown)).GetColumn<float[]>("Score").ToArray();
            Console.WriteLine($"\nmodel.zip reloaded in a new MLContext; predictions for the first {shown} test images:");
            double largest = 0;
            for (int i = 0; i < shown; i++)
            {
                var prediction = engine.Predict(testImages[i].ToRow());
                largest = Math.Max(largest, prediction.Score.Zip(expected[i], (a, b) => Math.Abs(a - b)).Max());
                Console.WriteLine($"  image {i}: {testImages[i].ClassName,-12} predicted {prediction.PredictedLabel,-12} ({prediction.Score.Max():P1})");
            }
            Console.WriteLine($"  largest score difference against the model before saving: {largest:E1}");
        }

        /// <summary>What a PredictionEngine returns for an image.</summary>
        public sealed class ImagePrediction
        {
            /// <summary>The predicted class name.</summary>
            public string PredictedLabel { get; set; } = string.Empty;

            /// <summary>Class probabilities.</summary>
            public float[] Score { get; set; } = Array.Empty<float>();
        }
    }
}
