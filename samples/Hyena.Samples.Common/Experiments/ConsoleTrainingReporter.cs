using System;
using System.Collections.Generic;
using Microsoft.ML.Hyena;

namespace Hyena.Samples
{
    /// <summary>
    /// Shows a Hyena trainer's progress as a live console bar and records each epoch for the
    /// training-curve plot. Pass it as the trainer's <c>Progress</c> option.
    /// </summary>
    public sealed class ConsoleTrainingReporter : IProgress<HyenaTrainingProgress>
    {
        private readonly ConsoleProgressBar _bar;
        private readonly List<HyenaTrainingProgress> _epochs = new();

        /// <summary>Creates a reporter writing to the console.</summary>
        public ConsoleTrainingReporter(ConsoleProgressBar? bar = null) => _bar = bar ?? new ConsoleProgressBar();

        /// <summary>Every epoch report so far.</summary>
        public IReadOnlyList<HyenaTrainingProgress> Epochs => _epochs;

        /// <inheritdoc />
        public void Report(HyenaTrainingProgress value)
        {
            if (value.Kind == HyenaProgressKind.Step)
            {
                _bar.Update(value.Epoch, value.MaxEpochs, value.Step, value.StepsPerEpoch, value.TrainingLoss,
                    value.TrainingAccuracy, value.TokensPerSecond, value.EstimatedRemaining);
                return;
            }
            _epochs.Add(value);
            _bar.CompleteEpoch(value.Epoch, value.MaxEpochs, value.TrainingLoss, value.TrainingAccuracy, value.TokensPerSecond,
                value.Elapsed, value.EstimatedRemaining, value.ValidationMicroAccuracy);
        }

        /// <summary>
        /// Saves training loss and validation accuracy per epoch as a PNG. Epochs are numbered in the
        /// order they ran, so the stages of a curriculum (several fits reporting here) follow each other.
        /// </summary>
        public void SavePlot(string path, string title)
        {
            var plot = new TrainingCurvePlot(title);
            for (int i = 0; i < _epochs.Count; i++)
                plot.AddEpoch(i + 1, _epochs[i].TrainingLoss, _epochs[i].ValidationMicroAccuracy);
            plot.SavePng(path);
        }
    }
}
