using System.Collections.Generic;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// Proposes the assignment of each trial and, optionally, stops weak trials early at chosen epochs
    /// (ML.NET's AutoML ITuner, plus early stopping). To keep sweeps reproducible when trials run in parallel
    /// and when a sweep resumes, a tuner must be a pure function of its settings: <see cref="Propose"/> of the
    /// trial id only, and <see cref="ShouldContinue"/> of what it is given (the sweep gives it the results of
    /// the trials with lower ids, in id order, after waiting for them to reach the epoch in question).
    /// </summary>
    public interface ITuner
    {
        /// <summary>
        /// The tuner and its settings ("RandomSearch(seed=0)"). Recorded in the sweep state: a sweep resumes
        /// only with a tuner of the same description.
        /// </summary>
        string Description { get; }

        /// <summary>The assignment of trial <paramref name="trialId"/> (from 0), or null when the tuner has no more (a finished grid).</summary>
        ParameterAssignment? Propose(SweepSearchSpace space, int trialId);

        /// <summary>
        /// The epochs, ascending, after which a trial may be stopped (<see cref="ShouldContinue"/> is asked once
        /// per trial and epoch); empty when the tuner never stops trials.
        /// </summary>
        IReadOnlyList<int> GetDecisionEpochs(int maxEpochs);

        /// <summary>Whether a trial that reached a decision epoch goes on training.</summary>
        bool ShouldContinue(EarlyStoppingContext context);
    }
}
