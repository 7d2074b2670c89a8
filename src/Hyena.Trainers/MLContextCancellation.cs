using System;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// <c>mlContext.CancelExecution()</c> for applications: ML.NET 5 keeps MLContext's own method
    /// internal (only AutoML calls it). This forwards to it, so every trainer running under the
    /// context, Hyena's included, stops at its next check with <see cref="OperationCanceledException"/>.
    /// </summary>
    public static class MLContextCancellation
    {
        /// <summary>Signals every training running under <paramref name="mlContext"/> to stop.</summary>
        public static void CancelExecution(this MLContext mlContext)
        {
            if (mlContext is null)
                throw new ArgumentNullException(nameof(mlContext));
            mlContext.CancelExecution(); // MLContext's internal instance method, not this extension
        }
    }
}
