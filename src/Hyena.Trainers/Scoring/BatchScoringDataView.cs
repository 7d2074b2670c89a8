using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// The output of <see cref="HyenaClassificationTransformer.Transform"/>: the input columns plus
    /// Score and PredictedLabel, scored ScoringBatchSize rows per forward pass. A second cursor over
    /// the input reads ahead the input column of the next rows; the main cursor serves the
    /// pass-through columns. Rows are scored only when an output column is read.
    /// </summary>
    internal sealed class BatchScoringDataView : IDataView
    {
        private readonly HyenaClassificationTransformer _parent;
        private readonly IDataView _input;
        private readonly ColumnBindings _bindings;

        public BatchScoringDataView(HyenaClassificationTransformer parent, IDataView input)
        {
            parent.Featurizer.CheckColumn(input.Schema);
            _parent = parent;
            _input = input;
            _bindings = new ColumnBindings(input.Schema, parent.OutputColumns(input.Schema));
        }

        public bool CanShuffle => false;

        public DataViewSchema Schema => _bindings.Schema;

        public long? GetRowCount() => _input.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null)
        {
            var active = new bool[Schema.Count];
            foreach (var column in columnsNeeded)
                active[column.Index] = true;
            return new Cursor(this, active);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
            => new[] { GetRowCursor(columnsNeeded, rand) };

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly BatchScoringDataView _view;
            private readonly bool[] _active;
            private readonly DataViewRowCursor _input;
            private readonly DataViewRowCursor? _ahead;
            private readonly Func<long, Sequence>? _readAhead;
            private readonly int _batchSize;
            private float[][] _batch = Array.Empty<float[]>();
            private long _batchStart;
            private long _aheadRow = -1; // row the look-ahead cursor is on
            private long _row = -1;
            private bool _disposed;

            public Cursor(BatchScoringDataView view, bool[] active)
            {
                _view = view;
                _active = active;
                _batchSize = view._parent.ScoringBatchSize;
                bool scoring = view._bindings.AddedColumnIndices.Any(i => active[i]);
                var inputActive = view._bindings.GetActiveInput(i => active[i]);
                var inputColumns = view._input.Schema.Where(c => inputActive[c.Index]);
                _input = view._input.GetRowCursor(inputColumns);
                if (scoring)
                {
                    _ahead = view._input.GetRowCursor(new[] { view._input.Schema[view._parent.Featurizer.ColumnName] });
                    _readAhead = view._parent.Featurizer.MakeReader(_ahead);
                }
            }

            public override DataViewSchema Schema => _view.Schema;

            public override long Position => _input.Position;

            public override long Batch => _input.Batch;

            public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

            public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

            public override bool MoveNext()
            {
                if (_disposed || !_input.MoveNext())
                    return false;
                _row++;
                return true;
            }

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                if (!_active[column.Index])
                    throw new InvalidOperationException($"Column '{column.Name}' was not requested when the cursor was made.");
                int index = _view._bindings.MapColumnIndex(out bool isInput, column.Index);
                if (isInput)
                    return _input.GetGetter<TValue>(_input.Schema[index]);
                Delegate getter = index == ClassificationOutput.PredictedLabelIndex
                    ? (ValueGetter<uint>)((ref uint key) => key = ClassificationOutput.PredictedKey(Current()))
                    : (ValueGetter<VBuffer<float>>)((ref VBuffer<float> scores) => ClassificationOutput.CopyScores(Current(), ref scores));
                return getter as ValueGetter<TValue>
                    ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}, not {typeof(TValue).Name}.");
            }

            private float[] Current()
            {
                if (_row < 0)
                    throw new InvalidOperationException("The cursor is not on a row.");
                if (_row < _batchStart || _row >= _batchStart + _batch.Length)
                    ScoreBatchFrom(_row);
                return _batch[_row - _batchStart];
            }

            // Scores rows [row, row + batch size) read by the look-ahead cursor.
            private void ScoreBatchFrom(long row)
            {
                if (row <= _aheadRow)
                    throw new InvalidOperationException("Rows must be read in order.");
                while (_aheadRow < row - 1)
                {
                    if (!_ahead!.MoveNext())
                        throw new InvalidOperationException("The input data gave fewer rows to a second cursor than to the first; it must give the same rows in the same order.");
                    _aheadRow++;
                }
                var rows = new List<Sequence>(_batchSize);
                while (rows.Count < _batchSize && _ahead!.MoveNext())
                {
                    _aheadRow++;
                    rows.Add(_readAhead!(_aheadRow));
                }
                if (rows.Count == 0)
                    throw new InvalidOperationException("The input data gave fewer rows to a second cursor than to the first; it must give the same rows in the same order.");
                _batch = _view._parent.Score(rows);
                _batchStart = row;
            }

            protected override void Dispose(bool disposing)
            {
                if (_disposed)
                    return;
                if (disposing)
                {
                    _input.Dispose();
                    _ahead?.Dispose();
                }
                _disposed = true;
                base.Dispose(disposing);
            }
        }
    }
}
