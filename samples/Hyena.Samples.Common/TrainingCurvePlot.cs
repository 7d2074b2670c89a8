using System;
using System.Collections.Generic;

namespace Hyena.Samples
{
    /// <summary>
    /// Collects training loss and validation accuracy per epoch and saves them as a PNG chart: loss on the left
    /// axis, validation accuracy (in percent) on the right axis, epochs on the x axis.
    /// </summary>
    public sealed class TrainingCurvePlot
    {
        private readonly List<double> _epochs = new();
        private readonly List<double> _losses = new();
        private readonly List<double> _validationEpochs = new();
        private readonly List<double> _validationAccuracies = new();

        /// <summary>Creates an empty chart.</summary>
        /// <param name="title">The chart's title.</param>
        public TrainingCurvePlot(string title = "Training curve")
        {
            Title = title ?? throw new ArgumentNullException(nameof(title));
        }

        /// <summary>The chart's title.</summary>
        public string Title { get; set; }

        /// <summary>The number of epochs recorded.</summary>
        public int EpochCount => _epochs.Count;

        /// <summary>Records one epoch.</summary>
        /// <param name="epoch">The epoch number (the x value).</param>
        /// <param name="trainingLoss">The epoch's training loss.</param>
        /// <param name="validationAccuracy">The validation accuracy in [0, 1] after the epoch, when measured.</param>
        public void AddEpoch(int epoch, double trainingLoss, double? validationAccuracy = null)
        {
            _epochs.Add(epoch);
            _losses.Add(trainingLoss);
            if (validationAccuracy is double accuracy)
            {
                if (double.IsFinite(accuracy) && (accuracy < 0 || accuracy > 1))
                    throw new ArgumentOutOfRangeException(nameof(validationAccuracy), validationAccuracy, "The accuracy is a fraction in [0, 1].");
                _validationEpochs.Add(epoch);
                _validationAccuracies.Add(accuracy * 100);
            }
        }

        /// <summary>Builds the chart as a <see cref="LinePlot"/>, for further changes.</summary>
        /// <returns>The chart.</returns>
        public LinePlot ToLinePlot()
        {
            var plot = new LinePlot(Title, "Epoch", "Training loss") { RightYLabel = "Validation accuracy (%)", IntegerTicksX = true };
            plot.AddSeries("Training loss", _epochs, _losses);
            if (_validationAccuracies.Count > 0)
                plot.AddSeries("Validation accuracy (%)", _validationEpochs, _validationAccuracies, onRightAxis: true);
            return plot;
        }

        /// <summary>Saves the chart as a PNG file.</summary>
        /// <param name="path">The file to write.</param>
        /// <param name="width">The width in pixels.</param>
        /// <param name="height">The height in pixels.</param>
        public void SavePng(string path, int width = 900, int height = 540) => ToLinePlot().SavePng(path, width, height);
    }
}
