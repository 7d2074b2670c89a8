using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// Runs one trial (ML.NET's AutoML ITrialRunner): trains with <see cref="TrialContext.Parameters"/> on
    /// <see cref="TrialContext.Device"/> with <see cref="TrialContext.Seed"/> for at most
    /// <see cref="TrialContext.MaxEpochs"/>, calls <see cref="TrialContext.ReportEpoch(int, System.Collections.Generic.IReadOnlyDictionary{string, double})"/>
    /// after each epoch and stops when it returns false, and returns the model with its final metrics.
    /// Several trials may run at once, on different threads, each with its own context: a runner must not
    /// share a model between trials. Throwing fails the trial (the sweep goes on); when
    /// the cancellation token is cancelled, throw <see cref="System.OperationCanceledException"/>.
    /// </summary>
    /// <typeparam name="TModel">The model type (for ML.NET, ITransformer).</typeparam>
    public interface ITrialRunner<TModel> where TModel : class
    {
        /// <summary>Runs one trial. The sweep calls this on a thread of its own, so it may block.</summary>
        Task<TrialOutput<TModel>> RunAsync(TrialContext context, CancellationToken cancellationToken);
    }
}
