using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// The outcome of <see cref="SweepExperiment{TModel}.RunAsync"/>: every finished trial with its figures,
    /// the best one, and its fitted model. The caller owns <see cref="BestModel"/> (dispose it when done).
    /// </summary>
    /// <typeparam name="TModel">The model type.</typeparam>
    public sealed class SweepResult<TModel> where TModel : class
    {
        internal SweepResult(IReadOnlyList<TrialResult> trials, TrialResult? bestTrial, TModel? bestModel,
            SweepStopReason stopReason, TimeSpan elapsed, SweepSearchSpace searchSpace, SweepMetric metric)
        {
            Trials = trials;
            BestTrial = bestTrial;
            BestModel = bestModel;
            StopReason = stopReason;
            Elapsed = elapsed;
            SearchSpace = searchSpace;
            Metric = metric;
        }

        /// <summary>Every finished trial (restored ones included), by id.</summary>
        public IReadOnlyList<TrialResult> Trials { get; }

        /// <summary>
        /// The trial with the best metric (ties go to the lower id), among completed and stopped trials;
        /// null when none succeeded.
        /// </summary>
        public TrialResult? BestTrial { get; }

        /// <summary>
        /// The best trial's fitted model. When the best trial ran in an earlier process of a resumed sweep, it
        /// is loaded from the state folder (the runner must implement <see cref="IModelPersistence{TModel}"/>);
        /// otherwise it is null for such a trial, and the trial can be refitted from its parameters and seed.
        /// </summary>
        public TModel? BestModel { get; }

        /// <summary>Why the sweep ended.</summary>
        public SweepStopReason StopReason { get; }

        /// <summary>Time the sweep ran, earlier runs of a resumed sweep included.</summary>
        public TimeSpan Elapsed { get; }

        /// <summary>The search space (its parameter names are the CSV's assignment columns).</summary>
        public SweepSearchSpace SearchSpace { get; }

        /// <summary>The metric optimized.</summary>
        public SweepMetric Metric { get; }

        /// <summary>Writes one CSV row per trial (see <see cref="TrialCsv"/>).</summary>
        public void WriteCsv(TextWriter writer) => TrialCsv.Write(writer, SearchSpace, Metric, Trials);

        /// <summary>Writes one CSV row per trial to a UTF-8 file (see <see cref="TrialCsv"/>).</summary>
        public void WriteCsv(string path)
        {
            using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            WriteCsv(writer);
        }
    }
}
