using Hyena.Samples;

// The main job: a Hyena image classifier on Fashion-MNIST (the committed subset, or the full set when
// present) next to ML.NET's SdcaMaximumEntropy and LightGbm, within 10 minutes on a 2-core CPU.
// Each image is read row by row (28 positions of 28 pixels) so that a CPU has time for enough epochs;
// samples/SequentialFashionMnist reads it pixel by pixel. `--help` lists the options.
return FashionMnistExperiment.Run("main-job", "Hyena vs ML.NET trainers on Fashion-MNIST", args, new FashionMnistDefaults
{
    PixelsPerPosition = 28,
    Width = 128,
    Depth = 3,
    MlpRatio = 4,
    Dropout = 0.1,
    Epochs = 40,
    LearningRate = 3e-3,
    BatchSize = 32,
    WeightAveraging = 0.998, // the model keeps a moving average of its weights: steadier from run to run
    TotalMinutes = 9.5,
});
