namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>Why a sweep ended.</summary>
    public enum SweepStopReason
    {
        /// <summary>The maximum number of trials has been run.</summary>
        TrialBudgetReached,
        /// <summary>The tuner has no more trials (a grid is done).</summary>
        SearchSpaceExhausted,
        /// <summary>The training time ran out.</summary>
        TimeBudgetReached,
        /// <summary>The cancellation token was cancelled; trials that were running are not recorded and run again on resume.</summary>
        Cancelled,
    }
}
