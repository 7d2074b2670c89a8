using System;
using System.Linq;
using Hyena.Samples;
using Microsoft.ML;
using Microsoft.ML.Hyena;
using Microsoft.ML.Hyena.AutoML;

/// <summary>What a sweep works on: data, search space, trial runner, and the default options to beat.</summary>
internal sealed record SweepTask(string Description, IDataView Train, IDataView Validation, SweepSearchSpace Space,
    ITrialRunner<ITransformer> Runner, Func<int, int, double> EvaluateDefaults);

/// <summary>The sweep sample's two tasks.</summary>
internal static class SweepTasks
{
    /// <summary>Fashion-MNIST subset read row by row: 3,000 training and 1,000 validation images.</summary>
    public static SweepTask Image(MLContext ml, string data)
    {
        string folder = data.Length > 0 ? data : FashionMnist.FindSubsetFolder() ?? FashionMnist.FindSubsetFolder(Environment.CurrentDirectory)
            ?? throw new InvalidOperationException("sweep: the committed Fashion-MNIST subset was not found; pass --data <folder>.");
        var dataset = FashionMnist.Load(folder);
        var train = ml.Data.LoadFromEnumerable(FashionMnist.ToRows(dataset.Train.Take(3000)));
        var validation = ml.Data.LoadFromEnumerable(FashionMnist.ToRows(dataset.Test.Take(1000)));
        HyenaImageClassificationTrainer.Options Base() => new() { ImageHeight = 28, ImageWidth = 28, PixelsPerPosition = 28, BatchSize = 32 };
        var space = new SweepSearchSpace()
            .Range(nameof(HyenaClassificationOptionsBase.LearningRate), 5e-4, 1e-2, logBase: true)
            .Choice(nameof(HyenaClassificationOptionsBase.ModelDimension), 32, 64, 128)
            .Range(nameof(HyenaClassificationOptionsBase.Depth), 1, 3)
            .Range(nameof(HyenaClassificationOptionsBase.Dropout), 0.0, 0.3)
            .Choice(nameof(HyenaClassificationOptionsBase.MlpRatio), 2, 4);
        var runner = HyenaTrialRunner.ForImageClassification(Base(), ml.Transforms.Conversion.MapValueToKey("Label"));
        return new SweepTask($"image: Fashion-MNIST ({folder}), 3,000 training and 1,000 validation images, 28 rows of 28 pixels",
            train, validation, space, runner,
            (epochs, seed) => Defaults(ml, train, validation, seed, epochs,
                options => ml.MulticlassClassification.Trainers.HyenaImageClassification(options), Base()));
    }

    /// <summary>SpamAssassin messages as bytes (first 1,024): 1,500 training and 500 validation messages.</summary>
    public static SweepTask Text(MLContext ml, string data)
    {
        var messages = SpamAssassin.Load(data.Length > 0 ? data : System.IO.Path.Combine("samples", "data", "spam-assassin"));
        var sample = DataSplit.Stratified(messages, m => m.Label, testFraction: 2000.0 / messages.Count, seed: 7).Test;
        var split = DataSplit.Stratified(sample, m => m.Label, testFraction: 0.25, seed: 8);
        var train = ml.Data.LoadFromEnumerable(SpamAssassin.ToRows(split.Train));
        var validation = ml.Data.LoadFromEnumerable(SpamAssassin.ToRows(split.Test));
        HyenaTextClassificationTrainer.Options Base() => new() { MaxSequenceLength = 1024, BatchSize = 16 };
        var space = new SweepSearchSpace()
            .Range(nameof(HyenaClassificationOptionsBase.LearningRate), 5e-4, 1e-2, logBase: true)
            .Choice(nameof(HyenaClassificationOptionsBase.ModelDimension), 32, 64)
            .Range(nameof(HyenaClassificationOptionsBase.Depth), 1, 2)
            .Range(nameof(HyenaClassificationOptionsBase.Dropout), 0.0, 0.3)
            .Choice(nameof(HyenaClassificationOptionsBase.Pooling), HyenaPooling.Mean, HyenaPooling.Last);
        var runner = HyenaTrialRunner.ForTextClassification(Base(), ml.Transforms.Conversion.MapValueToKey("Label"));
        return new SweepTask($"text: SpamAssassin, {split.Train.Count} training and {split.Test.Count} validation messages, first 1,024 bytes",
            train, validation, space, runner,
            (epochs, seed) => Defaults(ml, train, validation, seed, epochs,
                options => ml.MulticlassClassification.Trainers.HyenaTextClassification(options), Base()));
    }

    // Trains the trainer's default options (the task's fixed settings only) and returns the validation accuracy.
    private static double Defaults<TOptions>(MLContext ml, IDataView train, IDataView validation, int seed, int epochs,
        Func<TOptions, IEstimator<ITransformer>> trainer, TOptions options)
        where TOptions : HyenaClassificationOptionsBase
    {
        options.MaxEpochs = epochs;
        options.Seed = seed;
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer(options));
        using var model = pipeline.Fit(train);
        return ml.MulticlassClassification.Evaluate(model.Transform(validation)).MicroAccuracy;
    }
}
