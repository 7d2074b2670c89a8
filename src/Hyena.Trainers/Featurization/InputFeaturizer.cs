using System;
using System.IO;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Turns the input column of a row into a <see cref="Sequence"/>, the same way when training and
    /// when scoring; it is saved in model.zip so that a loaded model featurizes identically.
    /// </summary>
    internal abstract class InputFeaturizer
    {
        private protected InputFeaturizer(string columnName, int maxPositions)
        {
            ColumnName = columnName;
            MaxPositions = maxPositions;
        }

        /// <summary>The input column.</summary>
        public string ColumnName { get; }

        /// <summary>Longest sequence the network accepts (its operators' MaxLength).</summary>
        public int MaxPositions { get; }

        /// <summary>Token input: number of ids including padding id 0. 0 for value input.</summary>
        public abstract int VocabularySize { get; }

        /// <summary>Value input: floats per position. 0 for token input.</summary>
        public abstract int Channels { get; }

        /// <summary>Short description for logs, e.g. "UTF-8 bytes of column 'Text'".</summary>
        public abstract string Description { get; }

        /// <summary>Throws an exception naming the column and the expected type unless the schema has a usable input column.</summary>
        public abstract void CheckColumn(DataViewSchema schema);

        /// <summary>
        /// A function reading the current row of <paramref name="row"/> (whose schema passed
        /// <see cref="CheckColumn"/>). Its argument is the row number used in error messages.
        /// </summary>
        public abstract Func<long, Sequence> MakeReader(DataViewRow row);

        /// <summary>Writes the featurizer; <see cref="Load"/> reads it back.</summary>
        public void Save(BinaryWriter writer)
        {
            writer.Write(KindName);
            writer.Write(ColumnName);
            writer.Write(MaxPositions);
            SaveCore(writer);
        }

        /// <summary>Reads a featurizer written by <see cref="Save"/>.</summary>
        public static InputFeaturizer Load(BinaryReader reader)
        {
            string kind = reader.ReadString();
            string column = reader.ReadString();
            int maxPositions = reader.ReadInt32();
            if (maxPositions < 1)
                throw new InvalidDataException($"Corrupted model: the featurizer's maximum length is {maxPositions}.");
            return kind switch
            {
                TextFeaturizer.Kind => TextFeaturizer.LoadCore(reader, column, maxPositions),
                ImageFeaturizer.Kind => ImageFeaturizer.LoadCore(reader, column, maxPositions),
                _ => throw new InvalidDataException($"Corrupted model: unknown featurizer kind '{kind}'."),
            };
        }

        private protected abstract string KindName { get; }

        private protected abstract void SaveCore(BinaryWriter writer);

        /// <summary>The input column, or an error naming it when it is missing.</summary>
        private protected DataViewSchema.Column FindColumn(DataViewSchema schema)
        {
            var column = schema.GetColumnOrNull(ColumnName);
            if (column is null)
                throw new ArgumentOutOfRangeException(nameof(schema), $"Input column '{ColumnName}' not found in the data: {Describe(schema)}.");
            return column.Value;
        }

        private protected static string Describe(DataViewSchema schema)
        {
            var names = new System.Collections.Generic.List<string>();
            foreach (var c in schema)
                if (!c.IsHidden)
                    names.Add($"'{c.Name}' ({c.Type})");
            return names.Count == 0 ? "it has no columns" : "its columns are " + string.Join(", ", names);
        }
    }
}
