using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.ML.Data;
using Microsoft.ML.Data.IO;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// The label column a model was trained on: its key type (the number of classes) and, when the
    /// key carries them, its KeyValues (the original labels), so that PredictedLabel can carry them
    /// too and MapKeyToValue restores the original labels. Saved in model.zip.
    /// </summary>
    internal sealed class LabelDescription
    {
        private static readonly MethodInfo _readKeyValues = typeof(LabelDescription).GetMethod(nameof(ReadKeyValues), BindingFlags.NonPublic | BindingFlags.Static)!;
        private static readonly MethodInfo _getterFor = typeof(LabelDescription).GetMethod(nameof(GetterFor), BindingFlags.NonPublic | BindingFlags.Static)!;

        private LabelDescription(string name, KeyDataViewType keyType, VectorDataViewType? keyValuesType, object? keyValues)
        {
            Name = name;
            KeyType = keyType;
            KeyValuesType = keyValuesType;
            KeyValues = keyValues;
            ClassNames = keyValues is null
                ? Enumerable.Range(0, ClassCount).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray()
                : ((System.Collections.IEnumerable)keyValues.GetType().GetMethod("DenseValues")!.Invoke(keyValues, null)!)
                    .Cast<object>().Select(v => v?.ToString() ?? string.Empty).ToArray();
        }

        public string Name { get; }

        public KeyDataViewType KeyType { get; }

        public int ClassCount => (int)KeyType.Count;

        /// <summary>Type of the KeyValues annotation (a vector), or null when the key has none.</summary>
        public VectorDataViewType? KeyValuesType { get; }

        /// <summary>The KeyValues as a boxed VBuffer, or null.</summary>
        public object? KeyValues { get; }

        /// <summary>The class names in key order (the KeyValues as text, or "0", "1", ...).</summary>
        public string[] ClassNames { get; }

        /// <summary>Reads the label column of a training schema, refusing anything but a key type with a known count.</summary>
        public static LabelDescription FromSchema(DataViewSchema schema, string name)
        {
            var column = schema.GetColumnOrNull(name)
                ?? throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{name}' not found in the training data.");
            if (column.Type is not KeyDataViewType key || key.RawType != typeof(uint) || key.Count == 0)
                throw new ArgumentOutOfRangeException(nameof(schema),
                    $"Label column '{name}' has type {column.Type}, but the Hyena trainers need a key type: add " +
                    $"mlContext.Transforms.Conversion.MapValueToKey(\"{name}\") before the trainer (and MapKeyToValue(\"PredictedLabel\") after it).");
            if (key.Count > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(schema), $"Label column '{name}' has {key.Count} classes; at most {int.MaxValue} are supported.");
            var annotation = column.Annotations.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
            if (annotation?.Type is not VectorDataViewType valuesType)
                return new LabelDescription(name, key, null, null);
            var values = _readKeyValues.MakeGenericMethod(valuesType.ItemType.RawType).Invoke(null, new object[] { column.Annotations, annotation.Value })!;
            return new LabelDescription(name, key, valuesType, values);
        }

        /// <summary>The KeyValues annotation for an output column, when the label has one.</summary>
        public void AddKeyValues(DataViewSchema.Annotations.Builder builder)
        {
            if (KeyValuesType is not null)
                builder.Add(AnnotationUtils.Kinds.KeyValues, KeyValuesType, (Delegate)_getterFor.MakeGenericMethod(KeyValuesType.ItemType.RawType).Invoke(null, new[] { KeyValues! })!);
        }

        /// <summary>The original labels as a training-label-values annotation of a score column.</summary>
        public void AddTrainingLabelValues(DataViewSchema.Annotations.Builder builder)
        {
            if (KeyValuesType is not null)
                builder.Add(AnnotationUtils.Kinds.TrainingLabelValues, KeyValuesType, (Delegate)_getterFor.MakeGenericMethod(KeyValuesType.ItemType.RawType).Invoke(null, new[] { KeyValues! })!);
        }

        // *** Binary format ***
        // string: label column name
        // ulong: key count
        // bool: has KeyValues; then the KeyValues type and value (BinarySaver's format)
        public void Save(IHostEnvironment env, BinaryWriter writer)
        {
            writer.Write(Name);
            writer.Write(KeyType.Count);
            writer.Write(KeyValuesType is not null);
            if (KeyValuesType is null)
                return;
            var saver = new BinarySaver(env, new BinarySaver.Arguments());
            var write = typeof(LabelDescription).GetMethod(nameof(WriteKeyValues), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(KeyValuesType.ItemType.RawType);
            if (!(bool)write.Invoke(null, new object[] { saver, writer.BaseStream, KeyValuesType, KeyValues! })!)
                throw new InvalidOperationException($"The labels of column '{Name}' are of type {KeyValuesType.ItemType}, which cannot be saved.");
        }

        public static LabelDescription Load(IHostEnvironment env, BinaryReader reader)
        {
            string name = reader.ReadString();
            ulong count = reader.ReadUInt64();
            if (count < 2 || count > int.MaxValue)
                throw new InvalidDataException($"Corrupted model: {count} classes.");
            var key = new KeyDataViewType(typeof(uint), count);
            if (!reader.ReadBoolean())
                return new LabelDescription(name, key, null, null);
            var saver = new BinarySaver(env, new BinarySaver.Arguments());
            if (!saver.TryLoadTypeAndValue(reader.BaseStream, out var type, out var value) || type is not VectorDataViewType vector || value is null)
                throw new InvalidDataException("Corrupted model: the label values could not be read.");
            return new LabelDescription(name, key, vector, value);
        }

        private static object ReadKeyValues<T>(DataViewSchema.Annotations annotations, DataViewSchema.Column column)
        {
            VBuffer<T> values = default;
            annotations.GetValue(column.Name, ref values);
            VBuffer<T> copy = default;
            values.CopyTo(ref copy);
            return copy;
        }

        private static Delegate GetterFor<T>(object boxed)
        {
            var values = (VBuffer<T>)boxed;
            return (ValueGetter<VBuffer<T>>)((ref VBuffer<T> destination) => values.CopyTo(ref destination));
        }

        private static bool WriteKeyValues<T>(BinarySaver saver, Stream stream, VectorDataViewType type, object boxed)
        {
            var values = (VBuffer<T>)boxed;
            return saver.TryWriteTypeAndValue(stream, type, ref values, out _);
        }
    }
}
