using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hyena.Samples
{
    /// <summary>One contender's figures on the shared test set.</summary>
    /// <param name="Name">Contender name.</param>
    /// <param name="Accuracy">Micro accuracy on the test set.</param>
    /// <param name="MacroAccuracy">Mean per-class accuracy on the test set.</param>
    /// <param name="TrainingTime">Time to fit the whole pipeline.</param>
    /// <param name="ScoringRowsPerSecond">Test rows scored per second by Transform.</param>
    public sealed record ContenderResult(string Name, double Accuracy, double MacroAccuracy, TimeSpan TrainingTime, double ScoringRowsPerSecond);

    /// <summary>
    /// Fits classification pipelines on the same training data and measures them on the same test
    /// data in the same run: accuracy, macro accuracy, training time and scoring rows per second.
    /// Every pipeline maps the label to a key itself and is evaluated on column "Label".
    /// </summary>
    public sealed class ClassifierComparison
    {
        private readonly MLContext _mlContext;
        private readonly IDataView _train;
        private readonly IDataView _test;
        private readonly List<ContenderResult> _results = new();

        /// <summary>Compares pipelines on <paramref name="train"/> and <paramref name="test"/>.</summary>
        public ClassifierComparison(MLContext mlContext, IDataView train, IDataView test)
        {
            _mlContext = mlContext ?? throw new ArgumentNullException(nameof(mlContext));
            _train = train ?? throw new ArgumentNullException(nameof(train));
            _test = test ?? throw new ArgumentNullException(nameof(test));
        }

        /// <summary>The results so far, in the order run.</summary>
        public IReadOnlyList<ContenderResult> Results => _results;

        /// <summary>
        /// Fits <paramref name="pipeline"/>, scores the test set once (timed), evaluates, records the
        /// figures and returns the fitted model (the caller disposes it).
        /// </summary>
        public ITransformer Run(string name, IEstimator<ITransformer> pipeline) => Run(name, pipeline.Fit);

        /// <summary>
        /// Like <see cref="Run(string, IEstimator{ITransformer})"/> for training that is more than one
        /// pipeline fit (a curriculum): <paramref name="fit"/> gets the training data and returns the
        /// model; its whole time is the training time.
        /// </summary>
        public ITransformer Run(string name, Func<IDataView, ITransformer> fit)
        {
            ArgumentNullException.ThrowIfNull(fit);
            Console.WriteLine($"--- {name}: training");
            var watch = Stopwatch.StartNew();
            var model = fit(_train);
            var trainingTime = watch.Elapsed;

            watch.Restart();
            var scored = _mlContext.Data.Cache(model.Transform(_test));
            long rows = scored.GetColumn<float[]>("Score").LongCount(); // scores every row into the cache
            double rowsPerSecond = rows / Math.Max(1e-9, watch.Elapsed.TotalSeconds);
            var metrics = _mlContext.MulticlassClassification.Evaluate(scored, "Label");
            var result = new ContenderResult(name, metrics.MicroAccuracy, metrics.MacroAccuracy, trainingTime, rowsPerSecond);
            _results.Add(result);
            Console.WriteLine($"--- {name}: accuracy {result.Accuracy:P2}, macro {result.MacroAccuracy:P2}, trained in {trainingTime.TotalSeconds:F1} s, {rowsPerSecond:F0} rows/s scored");
            return model;
        }

        /// <summary>The results as a table: contender, accuracy, macro accuracy, training seconds, scoring rows/s.</summary>
        public ResultsTable ToTable()
        {
            var table = new ResultsTable("Trainer", "Accuracy", "MacroAccuracy", "TrainingSeconds", "ScoringRowsPerSecond")
                .SetFormat("Accuracy", "P2").SetFormat("MacroAccuracy", "P2").SetFormat("TrainingSeconds", "F1").SetFormat("ScoringRowsPerSecond", "F0");
            foreach (var r in _results)
                table.AddRow(r.Name, r.Accuracy, r.MacroAccuracy, r.TrainingTime.TotalSeconds, r.ScoringRowsPerSecond);
            return table;
        }
    }
}
