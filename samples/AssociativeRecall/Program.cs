using System.Collections.Generic;
using System.Linq;
using Hyena.Samples;
using Microsoft.ML.Hyena;

// Associative recall (Hyena paper, section 4.1): a sequence of (key, value) pairs drawn from a fresh
// random dictionary, then a query key; the class is that key's value. Vocabulary 30 (15 keys, 15
// values), length and sizes as options. The model reads the tokens causally and classifies from the
// last position (the query); as in the Hyena paper, it also learns to predict every next token (an
// auxiliary loss), which gives it a recall target at every value. ML.NET's bag-of-words baselines cannot know which value follows the
// query key, so they run only with --baselines. `--help` lists the options.
return TokenSequenceExperiment.Run("associative-recall", "Associative recall (vocabulary 30)", args, new TokenSequenceDefaults
{
    Length = 1024,
    TrainRows = 8000,
    TestRows = 1000,
    Width = 64,
    Depth = 2,
    Epochs = 30,
    LearningRate = 1e-3,
    BatchSize = 32,
    Pooling = HyenaPooling.Last,
    NextTokenLoss = 1.0,
    Baselines = false,
}, (length, train, test, seed) =>
{
    var generator = new AssociativeRecall(length, AssociativeRecall.DefaultVocabularySize, seed);
    IReadOnlyList<TokenRow> Rows(int count, long first) => generator.Generate(count, first)
        .Select(e => TokenRow.Of(e.Tokens, e.LabelClass.ToString(System.Globalization.CultureInfo.InvariantCulture))).ToList();
    // Test examples come from indices after the training ones: no example is in both.
    return new TokenTask(Rows(train, 0), Rows(test, train), generator.VocabularySize,
        $"associative recall: length {length} ({generator.TokenCount} tokens), vocabulary {generator.VocabularySize}, {train} training and {test} test examples, seed {seed}");
});
