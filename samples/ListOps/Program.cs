using System.Collections.Generic;
using System.Linq;
using Hyena.Samples;
using Microsoft.ML.Hyena;

// ListOps (Long Range Arena): nested MIN, MAX, MED and SM (sum mod 10) over digits, depth up to 10,
// 2-10 arguments per operator, 500-2000 tokens per sequence; the class is the value (10 classes).
// LRA uses 96,000 / 2,000 / 2,000 examples; on a 2-core CPU the default is smaller (--train 96000
// on a GPU). ML.NET's baselines read the tokens as words. `--help` lists the options.
return TokenSequenceExperiment.Run("listops", "ListOps (Long Range Arena)", args, new TokenSequenceDefaults
{
    Length = 2000,
    TrainRows = 4000,
    TestRows = 1000,
    Width = 64,
    Depth = 2,
    Epochs = 6,
    LearningRate = 1e-3,
    BatchSize = 32,
    Pooling = HyenaPooling.Mean,
    Baselines = true,
}, (length, train, test, seed) =>
{
    // Training and test examples come from generators with different seeds, as the generator advises.
    IReadOnlyList<TokenRow> Rows(int generatorSeed, int count) => new ListOps(generatorSeed, maxLength: length).Generate(count)
        .Select(e => TokenRow.Of(e.ToIds(), e.Answer.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
    return new TokenTask(Rows(seed, train), Rows(seed + 1_000_003, test), ListOpsVocabulary.Size,
        $"ListOps: {ListOps.DefaultMinLength}-{length} tokens, depth <= {ListOps.DefaultMaxDepth}, {train} training and {test} test examples, seed {seed}");
});
