using Hyena.Samples;

// Sequential Fashion-MNIST: each image is a sequence of 784 pixels in raster order (the long-sequence
// literature's "sequential MNIST" protocol on the harder Fashion set), next to SdcaMaximumEntropy and
// LightGbm on the same split. `--help` lists the options.
return FashionMnistExperiment.Run("sequential-fashion-mnist", "Sequential Fashion-MNIST (784 pixels as a sequence)", args, new FashionMnistDefaults
{
    PixelsPerPosition = 1,
    Width = 128,
    Depth = 4,
    MlpRatio = 4,
    Dropout = 0.1,
    Epochs = 20,
    LearningRate = 2e-3,
    BatchSize = 64,
});
