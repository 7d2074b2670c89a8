using System;
using System.Text.Json.Serialization;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Every constructor argument of a <see cref="HyenaOperator"/>, validated. The names of the
    /// reference implementation (HazyResearch/safari, standalone_hyena.py) are given for each.
    /// </summary>
    public sealed record HyenaOperatorConfig
    {
        /// <summary>Width of the input and output (reference: <c>d_model</c>). Required, at least 1.</summary>
        public int ModelDimension { get; init; }

        /// <summary>Longest sequence the operator accepts (reference: <c>l_max</c>). Required, at least 1.
        /// Longer inputs are an error, never cut.</summary>
        public int MaxLength { get; init; }

        /// <summary>Depth of the recurrence N: N - 1 long convolutions and N gates (reference: <c>order</c>). Default 2; at least 2.</summary>
        public int Order { get; init; } = 2;

        /// <summary>Width of the implicit filter's MLP (reference: <c>filter_order</c>). Default 64; at least 1.</summary>
        public int FilterOrder { get; init; } = 64;

        /// <summary>Size of the positional embedding fed to the filter MLP: time plus (E - 1) / 2 sine/cosine bands
        /// (reference: <c>emb_dim</c>). Default 3; odd and at least 3.</summary>
        public int EmbeddingDimension { get; init; } = 3;

        /// <summary>Number of hidden Linear + Sin layers inside the filter MLP (reference: <c>num_inner_mlps</c>). Default 2; at least 0.</summary>
        public int InnerMlpCount { get; init; } = 2;

        /// <summary>Initial frequency of the shared Sin activation (reference: <c>w</c>). Default 1; finite and positive.</summary>
        public double Frequency { get; init; } = 1.0;

        /// <summary>Whether the filter is multiplied by an exponential decay window (reference: <c>modulate</c>). Default true.</summary>
        public bool Modulate { get; init; } = true;

        /// <summary>Constant added to the decay window (reference: <c>shift</c>). Default 0; finite.</summary>
        public double Shift { get; init; }

        /// <summary>Decay of the fastest channel, as the fraction of the sequence after which it reaches <see cref="DecayTarget"/>
        /// (reference: <c>fast_decay_pct</c>). Default 0.3; positive.</summary>
        public double FastDecayPercent { get; init; } = 0.3;

        /// <summary>Decay of the slowest channel (reference: <c>slow_decay_pct</c>). Default 1.5; positive.</summary>
        public double SlowDecayPercent { get; init; } = 1.5;

        /// <summary>Value the decay window reaches (reference: <c>target</c>). Default 0.01; in (0, 1).</summary>
        public double DecayTarget { get; init; } = 1e-2;

        /// <summary>Kernel size of the short causal depthwise convolution (reference: 3, fixed there). Default 3; at least 1.</summary>
        public int ShortFilterOrder { get; init; } = 3;

        /// <summary>Dropout probability applied to each gated product before its long convolution (reference: <c>dropout</c>). Default 0; in [0, 1).</summary>
        public double Dropout { get; init; }

        /// <summary>Learning rate hint for the filter MLP's parameters (reference: <c>lr</c> of HyenaFilter). Default 1e-3; positive.</summary>
        public double FilterLearningRate { get; init; } = 1e-3;

        /// <summary>Weight decay hint for the filter MLP's parameters (reference: <c>wd</c>). Default 0; at least 0.</summary>
        public double FilterWeightDecay { get; init; }

        /// <summary>Learning rate hint for the positional embedding <c>z</c> (reference: <c>lr_pos_emb</c>). Default 1e-5;
        /// 0 makes <c>z</c> a buffer instead of a parameter.</summary>
        public double PositionalEmbeddingLearningRate { get; init; } = 1e-5;

        /// <summary>Number of channels of the long filter, D * (N - 1).</summary>
        [JsonIgnore]
        public int FilterChannels => ModelDimension * (Order - 1);

        /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first invalid property.</summary>
        public HyenaOperatorConfig Validate()
        {
            Require(ModelDimension >= 1, nameof(ModelDimension), ModelDimension, "must be at least 1");
            Require(MaxLength >= 1, nameof(MaxLength), MaxLength, "must be at least 1");
            Require(Order >= 2, nameof(Order), Order, "must be at least 2");
            Require(FilterOrder >= 1, nameof(FilterOrder), FilterOrder, "must be at least 1");
            Require(EmbeddingDimension >= 3 && EmbeddingDimension % 2 == 1, nameof(EmbeddingDimension), EmbeddingDimension, "must be odd and at least 3 (time, cosine and sine)");
            Require(InnerMlpCount >= 0, nameof(InnerMlpCount), InnerMlpCount, "must be at least 0");
            Require(double.IsFinite(Frequency) && Frequency > 0, nameof(Frequency), Frequency, "must be finite and positive");
            Require(double.IsFinite(Shift), nameof(Shift), Shift, "must be finite");
            Require(double.IsFinite(FastDecayPercent) && FastDecayPercent > 0, nameof(FastDecayPercent), FastDecayPercent, "must be finite and positive");
            Require(double.IsFinite(SlowDecayPercent) && SlowDecayPercent > 0, nameof(SlowDecayPercent), SlowDecayPercent, "must be finite and positive");
            Require(DecayTarget > 0 && DecayTarget < 1, nameof(DecayTarget), DecayTarget, "must be in (0, 1)");
            Require(ShortFilterOrder >= 1, nameof(ShortFilterOrder), ShortFilterOrder, "must be at least 1");
            Require(Dropout >= 0 && Dropout < 1, nameof(Dropout), Dropout, "must be in [0, 1)");
            Require(double.IsFinite(FilterLearningRate) && FilterLearningRate > 0, nameof(FilterLearningRate), FilterLearningRate, "must be finite and positive");
            Require(double.IsFinite(FilterWeightDecay) && FilterWeightDecay >= 0, nameof(FilterWeightDecay), FilterWeightDecay, "must be finite and at least 0");
            Require(double.IsFinite(PositionalEmbeddingLearningRate) && PositionalEmbeddingLearningRate >= 0, nameof(PositionalEmbeddingLearningRate), PositionalEmbeddingLearningRate, "must be finite and at least 0");
            return this;
        }

        private static void Require(bool condition, string name, object value, string rule)
        {
            if (!condition)
                throw new ArgumentOutOfRangeException(name, value, $"HyenaOperatorConfig.{name} {rule}; got {value}.");
        }
    }
}
