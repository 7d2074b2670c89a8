using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Hyena
{
    /// <summary>Featurized rows held in memory for training or validation, with 0-based class labels.</summary>
    internal sealed class SequenceDataset
    {
        internal SequenceDataset(List<Sequence> rows, List<int> labels)
        {
            Rows = rows;
            Labels = labels;
        }

        public List<Sequence> Rows { get; }

        public List<int> Labels { get; }

        public int Count => Rows.Count;

        /// <summary>Sum of all rows' lengths (tokens or pixel positions).</summary>
        public long TotalPositions => Rows.Sum(r => (long)r.Length);

        /// <summary>
        /// Reads every row of <paramref name="data"/>: the input column through <paramref name="featurizer"/>
        /// and the key-typed label column. Rows whose label is missing (key 0) are skipped and counted
        /// in the log. Checks cancellation as it goes.
        /// </summary>
        public static SequenceDataset Read(IHost host, IChannel channel, IDataView data, InputFeaturizer featurizer,
            string labelColumnName, string role, Action checkCanceled)
        {
            featurizer.CheckColumn(data.Schema);
            var labelColumn = data.Schema[labelColumnName];
            var rows = new List<Sequence>();
            var labels = new List<int>();
            long skipped = 0, rowNumber = 0;
            using (var cursor = data.GetRowCursor(new[] { data.Schema[featurizer.ColumnName], labelColumn }))
            {
                var read = featurizer.MakeReader(cursor);
                var labelGetter = cursor.GetGetter<uint>(labelColumn);
                uint label = 0;
                while (cursor.MoveNext())
                {
                    if ((rowNumber & 255) == 0)
                        checkCanceled();
                    labelGetter(ref label);
                    if (label == 0)
                    {
                        skipped++;
                    }
                    else
                    {
                        rows.Add(read(rowNumber));
                        labels.Add((int)label - 1);
                    }
                    rowNumber++;
                }
            }
            if (skipped > 0)
                channel.Warning($"{role} data: skipped {skipped} of {rowNumber} rows whose label '{labelColumnName}' is missing.");
            return new SequenceDataset(rows, labels);
        }
    }
}
