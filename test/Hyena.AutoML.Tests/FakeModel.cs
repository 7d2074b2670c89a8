using System;
using System.Threading;

namespace Microsoft.ML.Hyena.AutoML.Tests
{
    /// <summary>A model that counts how often it is disposed.</summary>
    public sealed class FakeModel : IDisposable
    {
        private int _disposeCount;

        public FakeModel(int trialId, double metric)
        {
            TrialId = trialId;
            Metric = metric;
        }

        public int TrialId { get; }

        public double Metric { get; }

        public int DisposeCount => Volatile.Read(ref _disposeCount);

        public void Dispose() => Interlocked.Increment(ref _disposeCount);
    }
}
