using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena.Tests
{
    /// <summary>The model.zip round trip shared by the tests of fitted models.</summary>
    internal static class ModelReload
    {
        /// <summary>
        /// Saves <paramref name="model"/> with <paramref name="train"/>'s schema, loads it in a new MLContext, runs
        /// <paramref name="checkLoaded"/> on it, and asserts that it scores <paramref name="test"/> as the original
        /// does (every class of every row within 1e-5).
        /// </summary>
        public static void AssertSameScores(MLContext ml, ITransformer model, IDataView train, IDataView test, Action<ITransformer>? checkLoaded = null)
        {
            string path = Path.Combine(Path.GetTempPath(), $"hyena-{Guid.NewGuid():N}.zip");
            try
            {
                ml.Model.Save(model, train.Schema, path);
                var loaded = new MLContext().Model.Load(path, out _);
                try
                {
                    checkLoaded?.Invoke(loaded);
                    var before = Scores(model, test);
                    var after = Scores(loaded, test);
                    for (int i = 0; i < before.Length; i++)
                        for (int c = 0; c < before[i].Length; c++)
                            Assert.True(Math.Abs(before[i][c] - after[i][c]) <= 1e-5, $"row {i} class {c}: {before[i][c]} vs {after[i][c]} after loading");
                }
                finally
                {
                    (loaded as IDisposable)?.Dispose();
                }
            }
            finally
            {
                File.Delete(path);
            }
        }

        private static float[][] Scores(ITransformer model, IDataView data) => model.Transform(data).GetColumn<float[]>("Score").ToArray();
    }
}
