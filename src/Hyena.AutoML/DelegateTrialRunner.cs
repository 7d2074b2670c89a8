using System;
using System.Threading;
using System.Threading.Tasks;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>An <see cref="ITrialRunner{TModel}"/> made of a function.</summary>
    internal sealed class DelegateTrialRunner<TModel> : ITrialRunner<TModel> where TModel : class
    {
        private readonly Func<TrialContext, CancellationToken, Task<TrialOutput<TModel>>> _run;

        public DelegateTrialRunner(Func<TrialContext, CancellationToken, Task<TrialOutput<TModel>>> run)
            => _run = run ?? throw new ArgumentNullException(nameof(run));

        public Task<TrialOutput<TModel>> RunAsync(TrialContext context, CancellationToken cancellationToken)
            => _run(context, cancellationToken);
    }
}
