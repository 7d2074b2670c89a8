using System;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Tokenizers;

namespace Microsoft.ML.Hyena
{
    /// <summary>Which end of a sequence longer than the maximum length is kept.</summary>
    public enum TextTruncation
    {
        /// <summary>Keep the first MaxSequenceLength tokens.</summary>
        KeepHead,
        /// <summary>Keep the last MaxSequenceLength tokens.</summary>
        KeepTail,
        /// <summary>
        /// Keep the first half and the last half of MaxSequenceLength tokens (the head gets the odd one), joined
        /// without a marker: what a message's start (headers, subject) and end (body, signature) say both count.
        /// </summary>
        KeepHeadAndTail,
    }

    /// <summary>
    /// Trains a Hyena sequence classifier on text (UTF-8 bytes by default, or the ids of a
    /// Microsoft.ML.Tokenizers tokenizer) or on sequences that are already tokenized (a
    /// variable-length vector of keys or integers). Reach it with
    /// <c>mlContext.MulticlassClassification.Trainers.HyenaTextClassification(...)</c>.
    /// </summary>
    /// <remarks>
    /// Input: a key-typed label column and a text column (or a vector of keys / integers).
    /// Output: <c>Score</c>, a vector of class probabilities with slot names, and <c>PredictedLabel</c>,
    /// a key of the label's type. Null or empty text is scored as an empty sequence; text longer than
    /// <see cref="Options.MaxSequenceLength"/> tokens is truncated as <see cref="Options.Truncation"/> says.
    /// </remarks>
    public sealed class HyenaTextClassificationTrainer : HyenaClassificationTrainerBase<HyenaTextClassificationTrainer.Options>
    {
        /// <summary>Options of <see cref="HyenaTextClassificationTrainer"/>.</summary>
        public sealed class Options : HyenaClassificationOptionsBase
        {
            /// <summary>
            /// Input column: text, or a variable- or known-size vector of keys or of integers
            /// (already tokenized data such as DNA bases, event codes or token ids). Default "Text".
            /// </summary>
            public string TextColumnName = "Text";

            /// <summary>Longest sequence in tokens; longer inputs are truncated (see <see cref="Truncation"/>). Default 1024; at least 1.</summary>
            public int MaxSequenceLength = 1024;

            /// <summary>Which end of a too long sequence is kept. Default <see cref="TextTruncation.KeepHead"/>.</summary>
            public TextTruncation Truncation = TextTruncation.KeepHead;

            /// <summary>
            /// Tokenizer for text columns; null tokenizes text as UTF-8 bytes. Saved with the model
            /// (Tiktoken encodings are supported: the model records the encoding and checks, when it is
            /// loaded, that the tokenizer gives the same ids). Default null.
            /// </summary>
            public Tokenizer? Tokenizer;

            /// <summary>
            /// Number of distinct token values for an integer vector column (values must be in
            /// [0, VocabularySize)). Ignored for text (the tokenizer decides) and key columns (the key
            /// count decides). Default 0 (required for integer columns).
            /// </summary>
            public int VocabularySize;

            /// <summary>
            /// Weight of an auxiliary loss that predicts every next token from the positions before it (a
            /// language-model head over the vocabulary, used only in training), added to the classification
            /// loss. It gives a training signal at every position, as the Hyena paper trains associative
            /// recall; it helps when the class depends on relations between tokens. Costs a
            /// (batch x length x vocabulary) product per step: keep it 0 with large tokenizer vocabularies.
            /// Default 0 (off); at least 0.
            /// </summary>
            public double NextTokenLossWeight;

            /// <summary>
            /// Longest n-gram of tokens whose hashed embedding is added at every position: 3 adds the embeddings of
            /// the bigram and the trigram ending at each position (see <see cref="Modules.NGramEmbedding"/>). With
            /// UTF-8 bytes it gives every position its word-piece context before the first block, which byte-level
            /// models otherwise have to learn. Default 1 (single tokens only); at least 1.
            /// </summary>
            public int NGramOrder = 1;

            /// <summary>
            /// Rows of the shared hashed n-gram table (used when <see cref="NGramOrder"/> is above 1); more rows, fewer
            /// collisions, more parameters (rows x ModelDimension). Default 65536; at least 1.
            /// </summary>
            public int NGramBuckets = 65536;
        }

        internal HyenaTextClassificationTrainer(IHostEnvironment env, Options options)
            : base(env, options, nameof(HyenaTextClassificationTrainer))
        {
            var check = new OptionsValidation("HyenaTextClassificationTrainer.Options");
            check.RequireColumnName(options.TextColumnName, nameof(options.TextColumnName));
            check.Require(options.MaxSequenceLength >= 1, nameof(options.MaxSequenceLength), options.MaxSequenceLength, "must be at least 1");
            check.Require(Enum.IsDefined(options.Truncation), nameof(options.Truncation), options.Truncation, "must be KeepHead, KeepTail or KeepHeadAndTail");
            check.Require(options.VocabularySize >= 0, nameof(options.VocabularySize), options.VocabularySize, "must be at least 0");
            check.Require(double.IsFinite(options.NextTokenLossWeight) && options.NextTokenLossWeight >= 0, nameof(options.NextTokenLossWeight), options.NextTokenLossWeight, "must be finite and at least 0");
            check.Require(options.NextTokenLossWeight == 0 || options.PatchSize == 1, nameof(options.NextTokenLossWeight), options.NextTokenLossWeight,
                $"must be 0 when PatchSize is above 1 (the next-token head predicts every position; PatchSize is {options.PatchSize})");
            check.Require(options.NGramOrder >= 1, nameof(options.NGramOrder), options.NGramOrder, "must be at least 1");
            check.Require(options.NGramBuckets >= 1, nameof(options.NGramBuckets), options.NGramBuckets, "must be at least 1");
        }

        private protected override InputFeaturizer CreateFeaturizer(DataViewSchema schema)
            => TextFeaturizer.Create(Host, schema, TrainerOptions);

        private protected override string InputColumnName => TrainerOptions.TextColumnName;

        private protected override double NextTokenLossWeight => TrainerOptions.NextTokenLossWeight;

        private protected override (int Order, int Buckets) NGrams => (TrainerOptions.NGramOrder, TrainerOptions.NGramBuckets);

        private protected override SchemaShape.Column CheckInputColumn(SchemaShape inputSchema)
            => TextFeaturizer.CheckColumn(Host, inputSchema, TrainerOptions);
    }
}
