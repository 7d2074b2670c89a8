using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// A hyperparameter sweep, shaped like ML.NET's AutoMLExperiment: set a search space, a dataset, a metric,
    /// a tuner, budgets and a trial runner, then <see cref="RunAsync"/>. Trials run in id order, one per
    /// device at a time (<see cref="SetDevices(SweepDevice[])"/>); each gets its assignment, device, seed
    /// and epoch budget, reports its epochs, and returns a model; the best model is kept and every other is
    /// disposed. With <see cref="SetStateFolder"/>, the sweep records every finished trial and resumes
    /// from there after a crash or a cancellation.
    /// </summary>
    /// <example>
    /// <code>
    /// var space = new SweepSearchSpace()
    ///     .Range(nameof(HyenaTextClassificationTrainer.Options.LearningRate), 1e-4, 1e-2, logBase: true)
    ///     .Choice(nameof(HyenaTextClassificationTrainer.Options.ModelDimension), 32, 64, 128);
    /// var result = await new SweepExperiment&lt;ITransformer&gt;()
    ///     .SetSearchSpace(space)
    ///     .SetDataset(train, validation)
    ///     .SetMetric(SweepMetric.MacroAccuracy)
    ///     .SetSuccessiveHalvingTuner(minEpochs: 1, reductionFactor: 3)
    ///     .SetMaxTrials(27).SetMaxEpochsPerTrial(9).SetTrainingTimeInSeconds(3600)
    ///     .SetTrialRunner(HyenaTrialRunner.ForTextClassification(baseOptions, preprocessing))
    ///     .SetStateFolder("runs/sweep")
    ///     .RunAsync(cancellationToken);
    /// </code>
    /// </example>
    /// <typeparam name="TModel">The model type (for ML.NET, ITransformer).</typeparam>
    public sealed class SweepExperiment<TModel> where TModel : class
    {
        private SweepSearchSpace _space = new();
        private Func<int, SweepDataset>? _dataset;
        private SweepMetric _metric = SweepMetric.MicroAccuracy;
        private Func<int, ITuner> _tuner = seed => new RandomSearchTuner(seed);
        private ITrialRunner<TModel>? _runner;
        private SweepDevice[] _devices = { SweepDevice.Auto };
        private int? _maxTrials;
        private TimeSpan? _timeBudget;
        private int _maxEpochs = 10;
        private int _seed;
        private IProgress<SweepProgress>? _progress;
        private string? _stateFolder;
        private int _running;

        /// <summary>The options to vary (default: none, so every trial differs only by its seed).</summary>
        public SweepExperiment<TModel> SetSearchSpace(SweepSearchSpace searchSpace)
        {
            _space = searchSpace ?? throw new ArgumentNullException(nameof(searchSpace));
            return this;
        }

        /// <summary>Trains on <paramref name="train"/> and evaluates on <paramref name="validation"/>.</summary>
        public SweepExperiment<TModel> SetDataset(IDataView train, IDataView validation)
            => SetDataset(SweepDataset.TrainValidation(train, validation));

        /// <summary>Trains on the train set and evaluates on the test set of a split (mlContext.Data.TrainTestSplit).</summary>
        public SweepExperiment<TModel> SetDataset(DataOperationsCatalog.TrainTestData trainValidation)
            => SetDataset(SweepDataset.TrainValidation(trainValidation.TrainSet, trainValidation.TestSet));

        /// <summary>
        /// Cross-validates on <paramref name="fold"/> folds of <paramref name="data"/>, split with the sweep's seed
        /// (see <see cref="SweepDataset.CrossValidation"/>).
        /// </summary>
        public SweepExperiment<TModel> SetDataset(IDataView data, int fold, string? samplingKeyColumnName = null)
        {
            ArgumentNullException.ThrowIfNull(data);
            if (fold < 2)
                throw new ArgumentOutOfRangeException(nameof(fold), fold, "Cross-validation needs at least 2 folds.");
            _dataset = seed => SweepDataset.CrossValidation(data, fold, samplingKeyColumnName, seed);
            return this;
        }

        /// <summary>Uses prepared train/validation folds.</summary>
        public SweepExperiment<TModel> SetDataset(SweepDataset dataset)
        {
            ArgumentNullException.ThrowIfNull(dataset);
            _dataset = _ => dataset;
            return this;
        }

        /// <summary>The metric to optimize, with its direction (default <see cref="SweepMetric.MicroAccuracy"/>).</summary>
        public SweepExperiment<TModel> SetMetric(SweepMetric metric)
        {
            _metric = metric ?? throw new ArgumentNullException(nameof(metric));
            return this;
        }

        /// <summary>Runs at most this many trials (trial ids 0 to maxTrials - 1; AutoML's SetMaxModelToExplore). Default: no limit.</summary>
        public SweepExperiment<TModel> SetMaxTrials(int maxTrials)
        {
            if (maxTrials < 1)
                throw new ArgumentOutOfRangeException(nameof(maxTrials), maxTrials, "At least 1 trial.");
            _maxTrials = maxTrials;
            return this;
        }

        /// <summary>Stops the sweep after this long (over all runs of a resumed sweep). Default: no limit.</summary>
        public SweepExperiment<TModel> SetTrainingTimeInSeconds(uint trainingTimeInSeconds)
            => SetTrainingTime(TimeSpan.FromSeconds(trainingTimeInSeconds));

        /// <summary>
        /// Stops the sweep after this long, counted over all runs of a resumed sweep. No trial starts after
        /// that; running trials are told to stop at their next epoch and are recorded with what they have
        /// (<see cref="TrialStatus.StoppedByTimeBudget"/>). Default: no limit.
        /// </summary>
        public SweepExperiment<TModel> SetTrainingTime(TimeSpan trainingTime)
        {
            if (trainingTime <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(trainingTime), trainingTime, "The training time must be positive.");
            _timeBudget = trainingTime;
            return this;
        }

        /// <summary>The budget of every trial in epochs, which also places successive-halving rungs. Default 10.</summary>
        public SweepExperiment<TModel> SetMaxEpochsPerTrial(int maxEpochs)
        {
            if (maxEpochs < 1)
                throw new ArgumentOutOfRangeException(nameof(maxEpochs), maxEpochs, "At least 1 epoch per trial.");
            _maxEpochs = maxEpochs;
            return this;
        }

        /// <summary>
        /// The sweep's seed (default 0): trial i gets a seed derived from it and i, and tuners set without a
        /// seed of their own use it. Same seed, same settings: same trials.
        /// </summary>
        public SweepExperiment<TModel> SetSeed(int seed)
        {
            _seed = seed;
            return this;
        }

        /// <summary>Random search (the default), seeded with <paramref name="seed"/> or the sweep's seed.</summary>
        public SweepExperiment<TModel> SetRandomSearchTuner(int? seed = null)
        {
            _tuner = sweepSeed => new RandomSearchTuner(seed ?? sweepSeed);
            return this;
        }

        /// <summary>Grid search with <paramref name="stepsPerRange"/> points per range; the sweep ends with the grid.</summary>
        public SweepExperiment<TModel> SetGridSearchTuner(int stepsPerRange = 5)
        {
            var tuner = new GridSearchTuner(stepsPerRange);
            _tuner = _ => tuner;
            return this;
        }

        /// <summary>
        /// Successive halving (ASHA) over a random search seeded with <paramref name="seed"/> or the sweep's
        /// seed: rungs at minEpochs * reductionFactor^k, top 1/reductionFactor go on.
        /// </summary>
        public SweepExperiment<TModel> SetSuccessiveHalvingTuner(int minEpochs = 1, int reductionFactor = 3, int? seed = null)
        {
            _ = new SuccessiveHalvingTuner(minEpochs, reductionFactor); // checks the arguments now
            _tuner = sweepSeed => new SuccessiveHalvingTuner(minEpochs, reductionFactor, seed ?? sweepSeed);
            return this;
        }

        /// <summary>Any tuner (for example successive halving over a grid).</summary>
        public SweepExperiment<TModel> SetTuner(ITuner tuner)
        {
            ArgumentNullException.ThrowIfNull(tuner);
            _tuner = _ => tuner;
            return this;
        }

        /// <summary>
        /// What runs a trial. When it also implements <see cref="IModelPersistence{TModel}"/>, the best model is
        /// saved in the state folder and given back after a resume.
        /// </summary>
        public SweepExperiment<TModel> SetTrialRunner(ITrialRunner<TModel> runner)
        {
            _runner = runner ?? throw new ArgumentNullException(nameof(runner));
            return this;
        }

        /// <summary>A trial runner made of a function.</summary>
        public SweepExperiment<TModel> SetTrialRunner(Func<TrialContext, CancellationToken, Task<TrialOutput<TModel>>> run)
            => SetTrialRunner(new DelegateTrialRunner<TModel>(run));

        /// <summary>
        /// The devices trials run on, one trial per entry at a time: for example every GPU
        /// (<c>SweepDevice.Cuda(0)</c>, <c>SweepDevice.Cuda(1)</c>, ...), or the CPU several times. Default: one
        /// <see cref="SweepDevice.Auto"/>.
        /// </summary>
        public SweepExperiment<TModel> SetDevices(params SweepDevice[] devices) => SetDevices((IEnumerable<SweepDevice>)devices);

        /// <summary>The devices trials run on, one trial per entry at a time.</summary>
        public SweepExperiment<TModel> SetDevices(IEnumerable<SweepDevice> devices)
        {
            var list = (devices ?? throw new ArgumentNullException(nameof(devices))).ToArray();
            if (list.Length == 0)
                throw new ArgumentException("At least one device.", nameof(devices));
            _devices = list;
            return this;
        }

        /// <summary>Runs <paramref name="degreeOfParallelism"/> trials at once on the CPU.</summary>
        public SweepExperiment<TModel> SetCpuParallelism(int degreeOfParallelism)
        {
            if (degreeOfParallelism < 1)
                throw new ArgumentOutOfRangeException(nameof(degreeOfParallelism), degreeOfParallelism, "At least 1 trial at a time.");
            return SetDevices(Enumerable.Repeat(SweepDevice.Cpu, degreeOfParallelism));
        }

        /// <summary>Receives sweep events (AutoML's SetMonitor); reports are serialized.</summary>
        public SweepExperiment<TModel> SetProgress(IProgress<SweepProgress> progress)
        {
            _progress = progress ?? throw new ArgumentNullException(nameof(progress));
            return this;
        }

        /// <summary>
        /// A folder for state.json, trials.csv and the best model, written after every trial. If it already
        /// holds the state of this sweep (same seed, tuner, metric, epochs per trial and search space), the
        /// sweep resumes: finished trials are kept and not run again; trials that were running are run again
        /// from the start. A state of a different sweep is an error. Budgets may be changed between runs.
        /// </summary>
        public SweepExperiment<TModel> SetStateFolder(string folder)
        {
            if (string.IsNullOrWhiteSpace(folder))
                throw new ArgumentException("The state folder needs a path.", nameof(folder));
            _stateFolder = folder;
            return this;
        }

        /// <summary>
        /// Runs the sweep until a budget is spent, the tuner has no more trials, or
        /// <paramref name="cancellationToken"/> is cancelled. Like AutoMLExperiment, cancelling does not throw:
        /// running trials are cancelled (and run again on resume), the state is saved, and the trials
        /// finished so far are returned with <see cref="SweepStopReason.Cancelled"/>. A trial that fails is
        /// recorded and the sweep goes on. With no budget and an endless tuner, the sweep runs until cancelled.
        /// </summary>
        public async Task<SweepResult<TModel>> RunAsync(CancellationToken cancellationToken = default)
        {
            if (_runner is null)
                throw new InvalidOperationException("Set a trial runner (SetTrialRunner) before running the sweep.");
            if (Interlocked.Exchange(ref _running, 1) == 1)
                throw new InvalidOperationException("This sweep is already running.");
            try
            {
                var run = new SweepRun<TModel>(_space, _tuner(_seed), _metric, _runner, _dataset?.Invoke(_seed), _devices,
                    _maxTrials, _timeBudget, _maxEpochs, _seed, _progress, _stateFolder);
                return await run.RunAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Volatile.Write(ref _running, 0);
            }
        }
    }
}
