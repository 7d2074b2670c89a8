using System;
using System.Text.Json.Serialization;
using Microsoft.ML.Hyena.Modules;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena
{
    /// <summary>How the per-position outputs of the network become one vector per sequence.</summary>
    public enum HyenaPooling
    {
        /// <summary>Mean over the valid (non-padding) positions.</summary>
        Mean,
        /// <summary>The last valid position, which has seen the whole sequence (the network is causal).</summary>
        Last,
        /// <summary>
        /// The largest value of each channel over the valid positions: a feature seen anywhere in a long
        /// sequence (a word, a header) counts fully, where the mean would dilute it by the length.
        /// </summary>
        Max,
    }

    /// <summary>Everything that defines the shape of a <see cref="HyenaSequenceClassifier"/>.</summary>
    public sealed record HyenaClassifierConfig
    {
        /// <summary>Token input: number of token ids, id 0 being padding. 0 for value input.</summary>
        public int VocabularySize { get; init; }

        /// <summary>Value input: floats per position. 0 for token input.</summary>
        public int InputChannels { get; init; }

        /// <summary>Number of classes (at least 2).</summary>
        public int ClassCount { get; init; }

        /// <summary>Number of residual blocks (at least 1).</summary>
        public int Depth { get; init; } = 2;

        /// <summary>Hidden width of each block's MLP as a multiple of the model width.</summary>
        public int MlpRatio { get; init; } = 4;

        /// <summary>Dropout in the blocks.</summary>
        public double Dropout { get; init; }

        /// <summary>Pooling of positions into one vector per sequence.</summary>
        public HyenaPooling Pooling { get; init; } = HyenaPooling.Mean;

        /// <summary>
        /// Token input only: adds a next-token prediction head over every position (trained as an auxiliary
        /// loss, as the Hyena paper trains associative recall). Default false.
        /// </summary>
        public bool NextTokenHead { get; init; }

        /// <summary>
        /// Token input only: longest hashed n-gram whose embedding is added at every position (see
        /// <see cref="Modules.NGramEmbedding"/>); 1 (the default) embeds single tokens only.
        /// </summary>
        public int NGramOrder { get; init; } = 1;

        /// <summary>Rows of the hashed n-gram table when <see cref="NGramOrder"/> is above 1 (else 0).</summary>
        public int NGramBuckets { get; init; }

        /// <summary>
        /// Consecutive positions merged into one before the blocks: each patch of PatchSize embedded positions
        /// is concatenated and projected to the width (a strided patch embedding), so the blocks run on
        /// length / PatchSize positions. 1 (the default) keeps every position.
        /// </summary>
        public int PatchSize { get; init; } = 1;

        /// <summary>
        /// The operator of every block; its ModelDimension is the network's width and its MaxLength the longest
        /// sequence the blocks see, in patches (the longest input is MaxLength x <see cref="PatchSize"/> positions).
        /// </summary>
        public HyenaOperatorConfig Operator { get; init; } = new();

        /// <summary>Longest input in positions: the operator's MaxLength times <see cref="PatchSize"/>.</summary>
        [JsonIgnore]
        public long MaxInputLength => (long)Operator.MaxLength * PatchSize;

        /// <summary>Whether inputs are token ids (else float values).</summary>
        [JsonIgnore]
        public bool UsesTokens => VocabularySize > 0;

        /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first invalid property.</summary>
        public HyenaClassifierConfig Validate()
        {
            Operator.Validate();
            if ((VocabularySize > 0) == (InputChannels > 0) || VocabularySize < 0 || InputChannels < 0)
                throw new ArgumentOutOfRangeException(nameof(VocabularySize), VocabularySize,
                    $"Exactly one of VocabularySize (token input) and InputChannels (value input) must be positive; got {VocabularySize} and {InputChannels}.");
            if (ClassCount < 2)
                throw new ArgumentOutOfRangeException(nameof(ClassCount), ClassCount, $"A classifier needs at least 2 classes; got {ClassCount}.");
            if (Depth < 1)
                throw new ArgumentOutOfRangeException(nameof(Depth), Depth, $"Depth must be at least 1; got {Depth}.");
            if (MlpRatio < 1)
                throw new ArgumentOutOfRangeException(nameof(MlpRatio), MlpRatio, $"MlpRatio must be at least 1; got {MlpRatio}.");
            if (!(Dropout >= 0 && Dropout < 1))
                throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, $"Dropout must be in [0, 1); got {Dropout}.");
            if (!Enum.IsDefined(Pooling))
                throw new ArgumentOutOfRangeException(nameof(Pooling), Pooling, "Pooling must be Mean, Last or Max.");
            if (NextTokenHead && !UsesTokens)
                throw new ArgumentOutOfRangeException(nameof(NextTokenHead), NextTokenHead, "A next-token head needs token input (VocabularySize > 0).");
            if (NGramOrder < 1)
                throw new ArgumentOutOfRangeException(nameof(NGramOrder), NGramOrder, $"NGramOrder must be at least 1; got {NGramOrder}.");
            if (NGramOrder > 1 && !UsesTokens)
                throw new ArgumentOutOfRangeException(nameof(NGramOrder), NGramOrder, "Hashed n-grams need token input (VocabularySize > 0); use NGramOrder 1 for value input.");
            if (NGramOrder > 1 ? NGramBuckets < 1 : NGramBuckets != 0)
                throw new ArgumentOutOfRangeException(nameof(NGramBuckets), NGramBuckets,
                    $"NGramBuckets must be at least 1 when NGramOrder is above 1, and 0 when it is 1; got {NGramBuckets} with NGramOrder {NGramOrder}.");
            if (PatchSize < 1)
                throw new ArgumentOutOfRangeException(nameof(PatchSize), PatchSize, $"PatchSize must be at least 1; got {PatchSize}.");
            if (NextTokenHead && PatchSize > 1)
                throw new ArgumentOutOfRangeException(nameof(NextTokenHead), NextTokenHead, "A next-token head predicts every position and needs PatchSize 1.");
            return this;
        }
    }

    /// <summary>
    /// A sequence classifier: token embedding (plus, optionally, hashed n-gram embeddings) or per-position
    /// linear projection of values, optionally merged into patches of <see cref="HyenaClassifierConfig.PatchSize"/>
    /// positions, a stack of pre-norm <see cref="HyenaBlock"/>s, a final LayerNorm, pooling over the valid positions of
    /// each sequence (padding masked), and a linear head giving class logits.
    /// </summary>
    /// <remarks>
    /// Sequences are right-padded to a common length. Because every block is causal, padding after
    /// the end of a sequence never changes the outputs at its valid positions, and the pooling
    /// ignores padded positions, so a row's result does not depend on what it is batched with
    /// (up to floating-point rounding of the FFT size). Hashed n-grams read only positions up to their
    /// own, and with patches the positions after a row's end are zeroed before the patch projection, so
    /// the same holds for them.
    /// </remarks>
    public sealed class HyenaSequenceClassifier : nn.Module<Tensor, Tensor, Tensor>
    {
        [ComponentName(Name = "embedding")]
        private readonly Embedding? _embedding;

        [ComponentName(Name = "input_proj")]
        private readonly Linear? _inputProjection;

        [ComponentName(Name = "ngram_embedding")]
        private readonly NGramEmbedding? _nGramEmbedding;

        [ComponentName(Name = "patch_proj")]
        private readonly Linear? _patchProjection;

        [ComponentName(Name = "blocks")]
        private readonly ModuleList<HyenaBlock> _blocks;

        [ComponentName(Name = "norm")]
        private readonly LayerNorm _norm;

        [ComponentName(Name = "head")]
        private readonly Linear _head;

        [ComponentName(Name = "lm_head")]
        private readonly Linear? _nextTokenHead;

        /// <summary>Creates the network described by <paramref name="config"/>.</summary>
        public HyenaSequenceClassifier(HyenaClassifierConfig config, string name = "classifier") : base(name)
        {
            Config = (config ?? throw new ArgumentNullException(nameof(config))).Validate();
            long width = config.Operator.ModelDimension;
            if (config.UsesTokens)
                _embedding = nn.Embedding(config.VocabularySize, width);
            else
                _inputProjection = nn.Linear(config.InputChannels, width);
            if (config.NGramOrder > 1)
                _nGramEmbedding = new NGramEmbedding(config.VocabularySize, config.NGramOrder, config.NGramBuckets, width);
            if (config.PatchSize > 1)
                _patchProjection = nn.Linear(config.PatchSize * width, width);
            _blocks = new ModuleList<HyenaBlock>();
            for (int i = 0; i < config.Depth; i++)
                _blocks.Add(new HyenaBlock(config.Operator, config.MlpRatio, config.Dropout, $"block{i}"));
            _norm = nn.LayerNorm(width);
            _head = nn.Linear(width, config.ClassCount);
            if (config.NextTokenHead)
                _nextTokenHead = nn.Linear(width, config.VocabularySize);
            RegisterComponents();
        }

        /// <summary>The configuration the network was built with.</summary>
        public HyenaClassifierConfig Config { get; }

        /// <summary>The residual blocks.</summary>
        public ModuleList<HyenaBlock> Blocks => _blocks;

        /// <summary>
        /// Mixed precision of every block (see <see cref="HyenaBlock.ComputeDtype"/>): BFloat16 runs the
        /// projections, short filters and MLPs in bfloat16 on casts of the float32 weights; null computes
        /// everything in the parameters' type. The embedding, final norm and head stay in float32.
        /// </summary>
        public ScalarType? ComputeDtype
        {
            get => _blocks.Count == 0 ? null : _blocks[0].ComputeDtype;
            set
            {
                foreach (var block in _blocks)
                    block.ComputeDtype = value;
            }
        }

        /// <summary>
        /// Activation checkpointing: where gradients are computed, each block keeps only its input for the backward pass
        /// and runs again in it (<see cref="BlockRecomputeFunction"/>), so that a training step keeps the blocks' inputs and
        /// one block's activations instead of every block's, for one more forward pass of the blocks a step. On an H200
        /// (width 768, depth 4, bfloat16; docs/benchmarks.md) the peak device memory of a training step was about half
        /// (14.1 to 6.8 GiB at 64k tokens, 107 to 51 GiB at 512k) and the step about 40 % longer; a million tokens trained
        /// in 101 GiB, where without it the step ran out of memory. Gradients and values are those of the plain pass: the
        /// dropout masks the forward pass draws are kept (a byte an element) and applied again
        /// (<see cref="DropoutReplay"/>). Off by default; the inference passes (no gradient) are unaffected.
        /// </summary>
        public bool RecomputeBlocks { get; set; }

        /// <summary>
        /// Inference only: reuse each operator's filter spectrum for a length already seen (see
        /// <see cref="HyenaOperator.CacheFilterSpectrum"/>). Off by default; the cache is dropped by any
        /// training-mode or gradient-enabled pass and by loading weights.
        /// </summary>
        public bool CacheFilterSpectrum
        {
            get => _blocks.Count > 0 && _blocks[0].Mixer.CacheFilterSpectrum;
            set
            {
                foreach (var block in _blocks)
                    block.Mixer.CacheFilterSpectrum = value;
            }
        }

        /// <summary>
        /// Class logits (batch, classes) for <paramref name="inputs"/>: token ids (batch, length) as
        /// int64, or values (batch, length, InputChannels) as float32; <paramref name="lengths"/>
        /// (batch) int64 gives each row's valid positions (0 for an empty sequence, whose pooled
        /// vector is zero).
        /// </summary>
        public override Tensor forward(Tensor inputs, Tensor lengths)
        {
            using var scope = NewDisposeScope();
            var x = Encode(inputs, lengths);
            return scope.MoveToOuter(_head.call(Pool(x, PatchLengths(lengths.to(x.device)))));
        }

        /// <summary>
        /// Class logits (batch, classes) and, with <see cref="HyenaClassifierConfig.NextTokenHead"/>, the mean
        /// cross-entropy of predicting each valid token from the positions before it (padding ignored);
        /// otherwise the second result is null.
        /// </summary>
        public (Tensor Logits, Tensor? NextTokenLoss) ForwardWithNextTokenLoss(Tensor inputs, Tensor lengths)
        {
            using var scope = NewDisposeScope();
            var x = Encode(inputs, lengths);
            var logits = scope.MoveToOuter(_head.call(Pool(x, PatchLengths(lengths.to(x.device)))));
            if (_nextTokenHead is null || inputs.size(1) < 2)
                return (logits, null);
            // Position t predicts token t + 1; padding (id 0) is ignored as a target.
            var predictions = RowLinear.Apply(_nextTokenHead, x.narrow(1, 0, inputs.size(1) - 1)).to_type(ScalarType.Float32);
            var targets = inputs.narrow(1, 1, inputs.size(1) - 1);
            var loss = nn.functional.cross_entropy(predictions.reshape(-1, Config.VocabularySize), targets.reshape(-1), ignore_index: 0);
            return (logits, scope.MoveToOuter(loss));
        }

        // Embedding or projection, the blocks and the final norm: (batch, length, width).
        private Tensor Encode(Tensor inputs, Tensor lengths)
        {
            CheckInputs(inputs, lengths);
            using var scope = NewDisposeScope();
            long patch = Config.PatchSize;
            long padding = (patch - inputs.size(1) % patch) % patch;
            if (padding > 0)
            {
                // The last patch is completed with padding (id 0 or zero values), the same for a row whatever its batch.
                var pad = inputs.dim() == 2 ? new long[] { 0, padding } : new long[] { 0, 0, 0, padding };
                inputs = nn.functional.pad(inputs, pad);
            }
            var x = _embedding is not null ? _embedding.call(inputs) : RowLinear.Apply(_inputProjection!, inputs);
            if (_nGramEmbedding is not null)
                x = x + _nGramEmbedding.call(inputs);
            if (_patchProjection is not null)
            {
                // Positions after a row's end are zeroed first, so that whatever pads the last patch never counts.
                x = x * ValidPositions(x.size(1), lengths.to(x.device)).to_type(x.dtype);
                x = RowLinear.Apply(_patchProjection, x.reshape(x.size(0), x.size(1) / patch, patch * x.size(2)));
            }
            x = BlockRecomputeFunction.ApplyBlocks(_blocks, x, RecomputeBlocks);
            return scope.MoveToOuter(Kernels.LayerNormFunction.Normalize(_norm, x));
        }

        // (batch, length, 1): true where a position lies within its row's length.
        private static Tensor ValidPositions(long length, Tensor lengths)
            => (arange(length, device: lengths.device).unsqueeze(0) < lengths.unsqueeze(1)).unsqueeze(2);

        // Valid positions of each row as the blocks see them: patches that hold at least one valid input position.
        private Tensor PatchLengths(Tensor lengths)
            => Config.PatchSize == 1 ? lengths : (lengths + (Config.PatchSize - 1)).div(Config.PatchSize, rounding_mode: RoundingMode.floor);

        private Tensor Pool(Tensor x, Tensor lengths)
        {
            long length = x.size(1);
            if (Config.Pooling == HyenaPooling.Last)
            {
                // Row b takes position lengths[b] - 1; an empty row takes position 0 and is zeroed.
                var index = (lengths - 1).clamp_min(0).view(-1, 1, 1).expand(-1, 1, x.size(2));
                var last = x.gather(1, index).squeeze(1);
                return last * (lengths > 0).unsqueeze(1).to_type(x.dtype);
            }
            var valid = ValidPositions(length, lengths);
            if (Config.Pooling == HyenaPooling.Max)
            {
                // Padding never wins the max; an empty row (all padding) is zeroed.
                var max = x.masked_fill(valid.logical_not(), float.NegativeInfinity).amax(new long[] { 1 });
                return max.masked_fill((lengths == 0).unsqueeze(1), 0);
            }
            var mask = valid.to_type(x.dtype);
            var sum = (x * mask).sum(1);
            return sum / lengths.clamp_min(1).unsqueeze(1).to_type(x.dtype);
        }

        private void CheckInputs(Tensor inputs, Tensor lengths)
        {
            long maxLength = Config.MaxInputLength;
            if (Config.UsesTokens)
            {
                if (inputs.dim() != 2 || inputs.dtype != ScalarType.Int64)
                    throw new ArgumentException($"Expected token ids of shape (batch, length) and type Int64; got ({string.Join(", ", inputs.shape)}) {inputs.dtype}.", nameof(inputs));
            }
            else if (inputs.dim() != 3 || inputs.size(2) != Config.InputChannels)
            {
                throw new ArgumentException($"Expected values of shape (batch, length, {Config.InputChannels}); got ({string.Join(", ", inputs.shape)}).", nameof(inputs));
            }
            if (inputs.size(1) > maxLength)
                throw new ArgumentException($"The inputs have {inputs.size(1)} positions but the network was built for at most {maxLength}.", nameof(inputs));
            if (lengths.dim() != 1 || lengths.size(0) != inputs.size(0))
                throw new ArgumentException($"Expected one length per row ({inputs.size(0)}); got ({string.Join(", ", lengths.shape)}).", nameof(lengths));
        }
    }
}
