using System;

namespace Microsoft.ML.Hyena
{
    /// <summary>Whether a <see cref="HyenaTrainingProgress"/> reports steps within an epoch or a finished epoch.</summary>
    public enum HyenaProgressKind
    {
        /// <summary>Training is inside an epoch (reported about once a second).</summary>
        Step,
        /// <summary>An epoch has finished, validation included.</summary>
        Epoch,
    }

    /// <summary>
    /// Progress of a Hyena trainer, given to <see cref="HyenaClassificationOptionsBase.Progress"/> and
    /// <see cref="HyenaClassificationOptionsBase.ShouldContinue"/>, and written to the MLContext log.
    /// </summary>
    public sealed record HyenaTrainingProgress
    {
        /// <summary>Step or epoch report.</summary>
        public HyenaProgressKind Kind { get; init; }

        /// <summary>The current epoch, from 1.</summary>
        public int Epoch { get; init; }

        /// <summary>The epochs this training plans to run: <see cref="HyenaClassificationOptionsBase.MaxEpochs"/>, or fewer when
        /// <see cref="HyenaClassificationOptionsBase.MaxTrainingTime"/> allows fewer.</summary>
        public int MaxEpochs { get; init; }

        /// <summary>Optimizer steps taken in this epoch.</summary>
        public int Step { get; init; }

        /// <summary>Optimizer steps in one epoch.</summary>
        public int StepsPerEpoch { get; init; }

        /// <summary>Mean training loss over this epoch so far.</summary>
        public double TrainingLoss { get; init; }

        /// <summary>Accuracy on the training batches of this epoch so far (dropout active).</summary>
        public double TrainingAccuracy { get; init; }

        /// <summary>Cross-entropy on the validation set, at the end of an epoch with a validation set.</summary>
        public double? ValidationLogLoss { get; init; }

        /// <summary>Accuracy over all validation rows (micro accuracy), at the end of an epoch with a validation set.</summary>
        public double? ValidationMicroAccuracy { get; init; }

        /// <summary>Mean of the per-class accuracies on the validation set (macro accuracy).</summary>
        public double? ValidationMacroAccuracy { get; init; }

        /// <summary>Whether this epoch gave the best validation result so far (its weights are kept).</summary>
        public bool IsBest { get; init; }

        /// <summary>Training throughput: sequence positions (tokens or pixels) per second in this epoch.</summary>
        public double TokensPerSecond { get; init; }

        /// <summary>Current learning rate of the main parameter group.</summary>
        public double LearningRate { get; init; }

        /// <summary>Time since training started.</summary>
        public TimeSpan Elapsed { get; init; }

        /// <summary>Estimated time until <see cref="MaxEpochs"/> are done.</summary>
        public TimeSpan EstimatedRemaining { get; init; }

        /// <summary>A one-line summary, as written to the log.</summary>
        public override string ToString()
        {
            string validation = ValidationMicroAccuracy is double accuracy
                ? $", validation accuracy {accuracy:P2}, macro {ValidationMacroAccuracy:P2}, log-loss {ValidationLogLoss:F4}{(IsBest ? " (best)" : "")}"
                : string.Empty;
            return $"epoch {Epoch}/{MaxEpochs}, step {Step}/{StepsPerEpoch}: loss {TrainingLoss:F4}, accuracy {TrainingAccuracy:P2}{validation}, " +
                   $"{TokensPerSecond:F0} tokens/s, lr {LearningRate:E2}, elapsed {Elapsed:hh\\:mm\\:ss}, left {EstimatedRemaining:hh\\:mm\\:ss}";
        }
    }
}
