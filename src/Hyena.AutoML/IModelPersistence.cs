namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>
    /// Saves and loads models, so that a sweep with a state folder can give back the best model after a
    /// restart. Implement it on the trial runner: the sweep then saves each new best model to its state
    /// folder (model-trial-NNNN.zip, written to a temporary file and renamed) before recording it, and
    /// loads it at the end of a resumed sweep whose best trial ran in an earlier process.
    /// </summary>
    /// <typeparam name="TModel">The model type.</typeparam>
    public interface IModelPersistence<TModel> where TModel : class
    {
        /// <summary>Writes <paramref name="model"/> to <paramref name="path"/>.</summary>
        /// <param name="model">The model.</param>
        /// <param name="dataset">The sweep's data (for its schema), or null.</param>
        /// <param name="path">The file to write.</param>
        void Save(TModel model, SweepDataset? dataset, string path);

        /// <summary>Reads a model written by <see cref="Save"/>.</summary>
        TModel Load(string path);
    }
}
