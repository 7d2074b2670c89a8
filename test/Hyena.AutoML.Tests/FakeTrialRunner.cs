using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    /// <summary>
    /// A deterministic trial: its quality is a known function of the assignment, and epoch e reports
    /// quality * (1 - 0.5^e) (rising towards the quality, so ranks are the same at every epoch). Records
    /// the models it makes, how often each trial ran, and how many trials ran at once.
    /// </summary>
    public sealed class FakeTrialRunner : ITrialRunner<FakeModel>, IModelPersistence<FakeModel>
    {
        private readonly object _gate = new();
        private readonly HashSet<SweepDevice> _devicesInUse = new();
        private int _running;

        /// <summary>The objective: x near 0.3 is best, plus a bonus for the choice "b".</summary>
        public Func<ParameterAssignment, double> Quality { get; init; } = DefaultQuality;

        /// <summary>Time per epoch (a function of the trial id, to shuffle finishing order).</summary>
        public Func<int, TimeSpan> EpochDelay { get; init; } = _ => TimeSpan.Zero;

        /// <summary>Makes the trial throw (the message is the returned text) when not null.</summary>
        public Func<TrialContext, string?> Failure { get; init; } = _ => null;

        /// <summary>Called at the start of each trial (after concurrency is counted), on the trial's thread.</summary>
        public Action<TrialContext>? OnStart { get; init; }

        public ConcurrentBag<FakeModel> Models { get; } = new();

        public ConcurrentDictionary<int, int> RunCounts { get; } = new();

        private int _maxConcurrent;

        /// <summary>The most trials that ran at once so far.</summary>
        public int MaxConcurrent => Volatile.Read(ref _maxConcurrent);

        public int Running => Volatile.Read(ref _running);

        public bool DeviceSharedAtOnce { get; private set; }

        public int Saves;

        public static double DefaultQuality(ParameterAssignment p)
        {
            double x = p.TryGetValue("X", out object? v) ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : 0.5;
            double bonus = p.TryGetValue("C", out object? c) && (string)c == "b" ? 0.05 : 0;
            return 0.9 - (x - 0.3) * (x - 0.3) + bonus;
        }

        public static double CurveAt(double quality, int epoch) => quality * (1 - Math.Pow(0.5, epoch));

        public Task<TrialOutput<FakeModel>> RunAsync(TrialContext context, CancellationToken cancellationToken)
        {
            RunCounts.AddOrUpdate(context.TrialId, 1, (_, n) => n + 1);
            lock (_gate)
            {
                _running++;
                Volatile.Write(ref _maxConcurrent, Math.Max(_maxConcurrent, _running));
                if (context.Device.Kind == SweepDeviceKind.Cuda && !_devicesInUse.Add(context.Device))
                    DeviceSharedAtOnce = true;
            }
            try
            {
                OnStart?.Invoke(context);
                double quality = Quality(context.Parameters);
                double last = double.NaN;
                for (int epoch = 1; epoch <= context.MaxEpochs; epoch++)
                {
                    TimeSpan delay = EpochDelay(context.TrialId);
                    if (delay > TimeSpan.Zero)
                        cancellationToken.WaitHandle.WaitOne(delay);
                    cancellationToken.ThrowIfCancellationRequested();
                    if (Failure(context) is string message && epoch == 2)
                        throw new InvalidOperationException(message);
                    last = CurveAt(quality, epoch);
                    if (!context.ReportEpoch(epoch, new Dictionary<string, double> { [context.Metric.Name] = last, ["TrainingLoss"] = 1 - last }))
                        break;
                }
                if (Failure(context) is string late)
                    throw new InvalidOperationException(late);
                var model = new FakeModel(context.TrialId, last);
                Models.Add(model);
                return Task.FromResult(new TrialOutput<FakeModel>(model, new Dictionary<string, double> { [context.Metric.Name] = last }));
            }
            finally
            {
                lock (_gate)
                {
                    _running--;
                    _devicesInUse.Remove(context.Device);
                }
            }
        }

        public void Save(FakeModel model, SweepDataset? dataset, string path)
        {
            Interlocked.Increment(ref Saves);
            File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $"{model.TrialId};{model.Metric:R}"));
        }

        public FakeModel Load(string path)
        {
            string[] parts = File.ReadAllText(path).Split(';');
            return new FakeModel(int.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture));
        }
    }
}
