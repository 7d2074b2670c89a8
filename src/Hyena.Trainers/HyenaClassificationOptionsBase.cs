using System;
using System.Threading;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Options shared by the Hyena text and image classification trainers. Every field is checked when
    /// the trainer is built; an invalid value is refused with a message naming the field.
    /// </summary>
    public abstract class HyenaClassificationOptionsBase
    {
        /// <summary>Label column: a key type (use MapValueToKey). Default "Label".</summary>
        public string LabelColumnName = DefaultColumnNames.Label;

        /// <summary>Output column of class probabilities. Default "Score".</summary>
        public string ScoreColumnName = DefaultColumnNames.Score;

        /// <summary>Output column of the predicted key. Default "PredictedLabel".</summary>
        public string PredictedLabelColumnName = DefaultColumnNames.PredictedLabel;

        /// <summary>Width D of the network. Default 64; at least 1.</summary>
        public int ModelDimension = 64;

        /// <summary>Number of residual Hyena blocks. Default 2; at least 1.</summary>
        public int Depth = 2;

        /// <summary>Order N of each Hyena operator (N - 1 long convolutions). Default 2; at least 2.</summary>
        public int Order = 2;

        /// <summary>Width of the implicit filter MLP of each operator. Default 64; at least 1.</summary>
        public int FilterOrder = 64;

        /// <summary>Size of the positional embedding fed to the filter MLP (odd, at least 3). Default 5.</summary>
        public int FilterEmbeddingDimension = 5;

        /// <summary>Initial frequency of the filter MLP's Sin activation. Default 10; positive.</summary>
        public double FilterFrequency = 10;

        /// <summary>Hidden width of each block's MLP as a multiple of <see cref="ModelDimension"/>. Default 4; at least 1.</summary>
        public int MlpRatio = 4;

        /// <summary>Dropout probability in the blocks. Default 0.1; in [0, 1).</summary>
        public double Dropout = 0.1;

        /// <summary>How positions are pooled into one vector per sequence. Default <see cref="HyenaPooling.Mean"/>.</summary>
        public HyenaPooling Pooling = HyenaPooling.Mean;

        /// <summary>
        /// Consecutive positions merged into one before the blocks (a strided patch embedding: each patch's
        /// embedded positions are concatenated and projected to <see cref="ModelDimension"/>). The blocks then
        /// run on 1 / PatchSize of the positions, which makes long byte sequences cheaper; the last patch of a
        /// row is completed with padding. Default 1 (every position); at least 1.
        /// </summary>
        public int PatchSize = 1;

        /// <summary>
        /// Wall-time budget of training (validation included). After each epoch the trainer estimates how
        /// many more epochs fit, stops after the last one that does, and fits the cosine learning-rate
        /// decay to end there; at least one epoch always runs. Null trains for <see cref="MaxEpochs"/>. Default null.
        /// </summary>
        public TimeSpan? MaxTrainingTime;

        /// <summary>
        /// Rows per optimizer step. Default 32; at least 1. On the CPU a step over long rows runs in parts of at most
        /// 16,384 positions at width 64 (fewer for wider models) whose gradients add up to the whole batch's: the same step
        /// (with dropout, each part draws its own masks), about twice as fast at 4k tokens on 2 cores.
        /// </summary>
        public int BatchSize = 32;

        /// <summary>Most passes over the training data. Default 10; at least 1.</summary>
        public int MaxEpochs = 10;

        /// <summary>Peak learning rate of AdamW (the filter MLP and positional embedding follow the reference's own rates, 1e-3 and 1e-5). Default 2e-3; positive.</summary>
        public double LearningRate = 2e-3;

        /// <summary>AdamW weight decay of weight matrices (biases, norms and embeddings get none). Default 0.05; at least 0.</summary>
        public double WeightDecay = 0.05;

        /// <summary>Fraction of all steps spent warming the learning rate up linearly before cosine decay. Default 0.05; in [0, 1).</summary>
        public double WarmupFraction = 0.05;

        /// <summary>Gradients are scaled so that their global L2 norm is at most this; 0 turns clipping off. Default 1; at least 0.</summary>
        public double GradientClipNorm = 1.0;

        /// <summary>Label smoothing of the cross-entropy loss. Default 0; in [0, 1).</summary>
        public double LabelSmoothing = 0.0;

        /// <summary>
        /// Decay of an exponential moving average of the weights kept beside training (Polyak averaging):
        /// after every step, average = decay x average + (1 - decay) x weights (with a lower decay over the
        /// first steps). Validation, the best-epoch choice and the fitted model then use the averaged
        /// weights, which are usually smoother and vary less from seed to seed. About 1 / (1 - decay) steps
        /// are averaged: 0.999 averages the last thousand or so. Default 0 (off); in [0, 1).
        /// </summary>
        public double WeightAveragingDecay;

        /// <summary>
        /// Most rows scored per forward pass by the fitted transformer (and by the validation during training);
        /// long rows go fewer at a time, so that a pass holds at most about a million positions on CUDA (rows times the
        /// longest row; a longer row is scored alone), and on the CPU at most 8,192 positions at width 64 (fewer for wider
        /// models), where larger passes scored fewer rows a second. Default 64; at least 1.
        /// </summary>
        public int ScoringBatchSize = 64;

        /// <summary>
        /// Validation data, evaluated after each epoch (same columns as the training data). With it,
        /// the weights of the best epoch are kept and early stopping applies. Default null.
        /// </summary>
        public IDataView? ValidationSet;

        /// <summary>
        /// Stop after this many epochs without a better validation accuracy (needs <see cref="ValidationSet"/>);
        /// 0 never stops early. Default 3; at least 0.
        /// </summary>
        public int EarlyStoppingPatience = 3;

        /// <summary>Where to train and score. Default <see cref="HyenaDevice.Auto"/> (CUDA when present).</summary>
        public HyenaDevice Device = HyenaDevice.Auto;

        /// <summary>
        /// On CUDA, run projections and MLPs in bfloat16 while the FFT convolution's transforms stay in float32 (from
        /// 32,768 positions its buffer between the transform's steps is bfloat16: see the README's GPU section).
        /// Has no effect on the CPU. Default true.
        /// </summary>
        public bool MixedPrecision = true;

        /// <summary>
        /// Activation checkpointing (<see cref="HyenaSequenceClassifier.RecomputeBlocks"/>): each block keeps only its input
        /// for the backward pass and runs again in it, so that a training step holds about half the device memory (on an
        /// H200 at width 768 and depth 4; more with more blocks) for about 40 % more time: for rows too long to train
        /// otherwise. The gradients are those of training without it (the dropout masks are kept, a byte an element, and
        /// applied again; on the CPU the same masks are drawn, so the trained weights are the same). Has no effect on
        /// scoring. Default false.
        /// </summary>
        public bool RecomputeBlocks;

        /// <summary>
        /// Seed of weight initialisation, shuffling and dropout (on CUDA too: <see cref="RandomSeed"/>). Null takes one
        /// from the MLContext's seed. With a fixed seed, results on the CPU are identical from run to run; on CUDA they are
        /// identical for certain only with <see cref="Deterministic"/> (without it two recall trainings of the text trainer
        /// from one seed drifted apart from the first epoch on: libtorch's CUDA backward passes of a token embedding and of
        /// a gather add with atomics; the image trainer's runs were identical without it; docs/results.md). Default null.
        /// </summary>
        public int? Seed;

        /// <summary>
        /// Makes training on CUDA repeatable bit for bit for a fixed <see cref="Seed"/>: libtorch's deterministic algorithms
        /// are on while Fit trains (<see cref="DeterministicAlgorithms"/>: process-wide, so other trainings at the same time
        /// take them too), and the environment variable CUBLAS_WORKSPACE_CONFIG is set to ':4096:8' when unset (Fit
        /// throws when it holds another value than ':4096:8' or ':16:8'). On the CPU training is repeatable without it.
        /// Bit for bit only where training ends by <see cref="MaxEpochs"/> or early stopping: with <see cref="MaxTrainingTime"/>
        /// the clock decides how many epochs run (Fit logs a warning). About 13 % slower on an H200 (docs/results.md).
        /// Default false.
        /// </summary>
        public bool Deterministic;

        /// <summary>Receives step reports (about once a second) and epoch reports. Default null.</summary>
        public IProgress<HyenaTrainingProgress>? Progress;

        /// <summary>
        /// Called after each epoch with its report; return false to stop training (the best weights
        /// are kept). Default null (train until <see cref="MaxEpochs"/> or early stopping).
        /// </summary>
        public Func<HyenaTrainingProgress, bool>? ShouldContinue;

        /// <summary>
        /// Cancels training: Fit throws <see cref="OperationCanceledException"/> promptly.
        /// MLContext.CancelExecution() does the same. Default none.
        /// </summary>
        public CancellationToken CancellationToken;
    }
}
