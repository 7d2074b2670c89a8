namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>How a trial ended.</summary>
    public enum TrialStatus
    {
        /// <summary>It trained as long as it wanted (its budget, or its own early stopping).</summary>
        Completed,
        /// <summary>The tuner stopped it at a decision epoch (successive halving); it has a model and a metric.</summary>
        StoppedEarly,
        /// <summary>The sweep's time budget ran out while it trained; it stopped at the next epoch with a model and a metric.</summary>
        StoppedByTimeBudget,
        /// <summary>It threw, or returned no usable value of the metric; <see cref="TrialResult.Error"/> says why.</summary>
        Failed,
    }
}
