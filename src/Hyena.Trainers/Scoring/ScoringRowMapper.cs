using System;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Scores one row at a time, for PredictionEngine and other row-to-row use: the row's input
    /// column is featurized and run through the model once per row, whichever output is read.
    /// </summary>
    internal sealed class ScoringRowMapper : IRowMapper
    {
        private readonly HyenaClassificationTransformer _parent;
        private readonly DataViewSchema _inputSchema;
        private readonly DataViewSchema.DetachedColumn[] _outputColumns;

        public ScoringRowMapper(HyenaClassificationTransformer parent, DataViewSchema inputSchema)
        {
            parent.Featurizer.CheckColumn(inputSchema);
            _parent = parent;
            _inputSchema = inputSchema;
            _outputColumns = parent.OutputColumns(inputSchema);
        }

        public DataViewSchema.DetachedColumn[] GetOutputColumns() => _outputColumns;

        public Func<int, bool> GetDependencies(Func<int, bool> activeOutput)
        {
            bool any = activeOutput(ClassificationOutput.PredictedLabelIndex) || activeOutput(ClassificationOutput.ScoreIndex);
            int input = _inputSchema[_parent.Featurizer.ColumnName].Index;
            return column => any && column == input;
        }

        public Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput, out Action disposer)
        {
            disposer = null!;
            var getters = new Delegate[_outputColumns.Length];
            if (!activeOutput(ClassificationOutput.PredictedLabelIndex) && !activeOutput(ClassificationOutput.ScoreIndex))
                return getters;

            var read = _parent.Featurizer.MakeReader(input);
            long cachedPosition = -1;
            float[] probabilities = Array.Empty<float>();
            float[] Current()
            {
                if (cachedPosition != input.Position)
                {
                    probabilities = _parent.Score(new[] { read(input.Position) })[0];
                    cachedPosition = input.Position;
                }
                return probabilities;
            }

            if (activeOutput(ClassificationOutput.PredictedLabelIndex))
                getters[ClassificationOutput.PredictedLabelIndex] = (ValueGetter<uint>)((ref uint key) => key = ClassificationOutput.PredictedKey(Current()));
            if (activeOutput(ClassificationOutput.ScoreIndex))
                getters[ClassificationOutput.ScoreIndex] = (ValueGetter<VBuffer<float>>)((ref VBuffer<float> scores) => ClassificationOutput.CopyScores(Current(), ref scores));
            return getters;
        }

        public ITransformer GetTransformer() => _parent;

        void ICanSaveModel.Save(ModelSaveContext ctx) => _parent.SaveModel(ctx);
    }
}
