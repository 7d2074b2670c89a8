using System;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Featurizes the text trainer's input column: text as UTF-8 bytes or tokenizer ids, or a vector
    /// of keys or integers taken as token ids. Token id 0 is padding, so every real token is shifted
    /// up by one. Sequences longer than the maximum length are cut at the end, at the start, or in the
    /// middle (head and tail kept), as the options say; null or empty text gives an empty sequence.
    /// </summary>
    internal sealed class TextFeaturizer : InputFeaturizer
    {
        public const string Kind = "text";

        private enum Source
        {
            Utf8Bytes = 0,
            Tokenizer = 1,
            Keys = 2,
            Integers = 3,
        }

        private const int ByteVocabulary = 256;

        private readonly Source _source;
        private readonly TextTruncation _truncation;
        private readonly SavedTokenizer? _tokenizer;
        private readonly int _sourceVocabulary; // key count, integer vocabulary or tokenizer vocabulary

        private TextFeaturizer(string column, int maxPositions, Source source, TextTruncation truncation, SavedTokenizer? tokenizer, int sourceVocabulary)
            : base(column, maxPositions)
        {
            _source = source;
            _truncation = truncation;
            _tokenizer = tokenizer;
            _sourceVocabulary = sourceVocabulary;
        }

        public override int VocabularySize => _sourceVocabulary + 1;

        public override int Channels => 0;

        public override string Description => _source switch
        {
            Source.Utf8Bytes => $"UTF-8 bytes of text column '{ColumnName}'",
            Source.Tokenizer => $"Tiktoken ({_tokenizer!.EncodingName}) ids of text column '{ColumnName}'",
            Source.Keys => $"keys of column '{ColumnName}' ({_sourceVocabulary} values)",
            _ => $"integers of column '{ColumnName}' (vocabulary {_sourceVocabulary})",
        } + $", at most {MaxPositions} tokens, {_truncation switch { TextTruncation.KeepHead => "head", TextTruncation.KeepTail => "tail", _ => "head and tail" }} kept";

        private protected override string KindName => Kind;

        /// <summary>Makes the featurizer for the trainer's options and the training data's schema.</summary>
        public static TextFeaturizer Create(IExceptionContext ectx, DataViewSchema schema, HyenaTextClassificationTrainer.Options options)
        {
            string name = options.TextColumnName;
            var column = schema.GetColumnOrNull(name)
                ?? throw ectx.ExceptSchemaMismatch(nameof(schema), "text", name);
            var type = column.Type;
            if (type is TextDataViewType)
            {
                if (options.Tokenizer is null)
                    return new TextFeaturizer(name, options.MaxSequenceLength, Source.Utf8Bytes, options.Truncation, null, ByteVocabulary);
                var saved = SavedTokenizer.FromTokenizer(options.Tokenizer, "HyenaTextClassificationTrainer.Options.Tokenizer");
                return new TextFeaturizer(name, options.MaxSequenceLength, Source.Tokenizer, options.Truncation, saved, saved.VocabularySize);
            }
            if (type is VectorDataViewType vector && vector.ItemType is KeyDataViewType key)
            {
                if (key.Count == 0 || key.Count > int.MaxValue - 1)
                    throw new ArgumentOutOfRangeException(nameof(schema), $"Column '{name}' holds keys with no known count ({key}); a key vector needs a known number of values.");
                return new TextFeaturizer(name, options.MaxSequenceLength, Source.Keys, options.Truncation, null, (int)key.Count);
            }
            if (type is VectorDataViewType ints && IsInteger(ints.ItemType))
            {
                if (options.VocabularySize < 1)
                    throw new ArgumentOutOfRangeException(nameof(options.VocabularySize), options.VocabularySize,
                        $"Column '{name}' holds integer token ids: set HyenaTextClassificationTrainer.Options.VocabularySize to the number of distinct ids (values must be in [0, VocabularySize)).");
                return new TextFeaturizer(name, options.MaxSequenceLength, Source.Integers, options.Truncation, null, options.VocabularySize);
            }
            throw new ArgumentOutOfRangeException(nameof(schema),
                $"Column '{name}' has type {type}, but the Hyena text trainer needs text, a vector of keys, or a vector of integers.");
        }

        /// <summary>The estimator's schema check of the input column.</summary>
        public static SchemaShape.Column CheckColumn(IExceptionContext ectx, SchemaShape schema, HyenaTextClassificationTrainer.Options options)
        {
            string name = options.TextColumnName;
            if (!schema.TryFindColumn(name, out var column))
                throw ectx.ExceptSchemaMismatch(nameof(schema), "text", name);
            bool text = column.Kind == SchemaShape.Column.VectorKind.Scalar && column.ItemType is TextDataViewType;
            bool keys = column.Kind != SchemaShape.Column.VectorKind.Scalar && column.IsKey;
            bool integers = column.Kind != SchemaShape.Column.VectorKind.Scalar && IsInteger(column.ItemType);
            if (!text && !keys && !integers)
                throw ectx.ExceptSchemaMismatch(nameof(schema), "text", name, "text, a vector of keys, or a vector of integers", column.GetTypeString());
            return column;
        }

        public override void CheckColumn(DataViewSchema schema)
        {
            var type = FindColumn(schema).Type;
            bool ok = _source switch
            {
                Source.Utf8Bytes or Source.Tokenizer => type is TextDataViewType,
                Source.Keys => type is VectorDataViewType v && v.ItemType is KeyDataViewType k && (int)k.Count == _sourceVocabulary,
                _ => type is VectorDataViewType v && IsInteger(v.ItemType),
            };
            if (!ok)
            {
                string expected = _source switch
                {
                    Source.Utf8Bytes or Source.Tokenizer => "text",
                    Source.Keys => $"a vector of keys with {_sourceVocabulary} values",
                    _ => "a vector of integers",
                };
                throw new ArgumentOutOfRangeException(nameof(schema), $"Column '{ColumnName}' has type {type}, but the model was trained on {expected}.");
            }
        }

        public override Func<long, Sequence> MakeReader(DataViewRow row)
        {
            var column = row.Schema[ColumnName];
            switch (_source)
            {
                case Source.Utf8Bytes:
                case Source.Tokenizer:
                {
                    var getter = row.GetGetter<ReadOnlyMemory<char>>(column);
                    ReadOnlyMemory<char> text = default;
                    return _ =>
                    {
                        getter(ref text);
                        return Sequence.FromTokens(_source == Source.Utf8Bytes ? Bytes(text.Span) : TokenizerIds(text.Span));
                    };
                }
                case Source.Keys:
                {
                    var getter = row.GetGetter<VBuffer<uint>>(column);
                    VBuffer<uint> keys = default;
                    return rowNumber =>
                    {
                        getter(ref keys);
                        var dense = keys.DenseValues().ToArray();
                        for (int i = 0; i < dense.Length; i++)
                        {
                            if (dense[i] == 0)
                                throw new InvalidOperationException($"Column '{ColumnName}', row {rowNumber}: position {i} holds a missing key value; every position needs a token.");
                        }
                        return Sequence.FromTokens(Truncate(dense.Select(k => (int)k).ToArray()));
                    };
                }
                default:
                    return MakeIntegerReader(row, column);
            }
        }

        private Func<long, Sequence> MakeIntegerReader(DataViewRow row, DataViewSchema.Column column)
        {
            var raw = ((VectorDataViewType)column.Type).ItemType.RawType;
            if (raw == typeof(int)) return IntegerReader<int>(row, column, v => v);
            if (raw == typeof(long)) return IntegerReader<long>(row, column, v => v);
            if (raw == typeof(short)) return IntegerReader<short>(row, column, v => v);
            if (raw == typeof(sbyte)) return IntegerReader<sbyte>(row, column, v => v);
            if (raw == typeof(byte)) return IntegerReader<byte>(row, column, v => v);
            if (raw == typeof(ushort)) return IntegerReader<ushort>(row, column, v => v);
            if (raw == typeof(uint)) return IntegerReader<uint>(row, column, v => v);
            return IntegerReader<ulong>(row, column, v => v > long.MaxValue ? -1 : (long)v);
        }

        private Func<long, Sequence> IntegerReader<T>(DataViewRow row, DataViewSchema.Column column, Func<T, long> widen)
        {
            var getter = row.GetGetter<VBuffer<T>>(column);
            VBuffer<T> values = default;
            return rowNumber =>
            {
                getter(ref values);
                var dense = values.DenseValues().ToArray();
                var ids = new int[dense.Length];
                for (int i = 0; i < dense.Length; i++)
                {
                    long v = widen(dense[i]);
                    if (v < 0 || v >= _sourceVocabulary)
                        throw new InvalidOperationException(
                            $"Column '{ColumnName}', row {rowNumber}: token {dense[i]} at position {i} is outside [0, {_sourceVocabulary}) (VocabularySize).");
                    ids[i] = (int)v + 1;
                }
                return Sequence.FromTokens(Truncate(ids));
            };
        }

        private int[] Bytes(ReadOnlySpan<char> text)
        {
            // Each char gives at least one byte: n chars from an end give at least n bytes from that end,
            // so only the ends that can be kept are encoded.
            if (text.Length <= MaxPositions)
                return Truncate(Utf8Ids(text));
            return _truncation switch
            {
                TextTruncation.KeepHead => Truncate(Utf8Ids(Head(text, MaxPositions))),
                TextTruncation.KeepTail => Truncate(Utf8Ids(Tail(text, MaxPositions))),
                _ => Join(Utf8Ids(Head(text, HeadCount)), Utf8Ids(Tail(text, TailCount))),
            };
        }

        // The first 'count' chars, with a surrogate pair kept whole.
        private static ReadOnlySpan<char> Head(ReadOnlySpan<char> text, int count)
        {
            if (count < text.Length && char.IsHighSurrogate(text[count - 1]))
                count++;
            return text.Slice(0, count);
        }

        // The last 'count' chars, with a surrogate pair kept whole.
        private static ReadOnlySpan<char> Tail(ReadOnlySpan<char> text, int count)
        {
            int start = text.Length - count;
            if (start > 0 && start < text.Length && char.IsLowSurrogate(text[start]))
                start--;
            return text.Slice(start);
        }

        private static int[] Utf8Ids(ReadOnlySpan<char> text)
        {
            // Encoded from the span itself: no copy of the text into a char array on the scoring path.
            var bytes = new byte[Encoding.UTF8.GetByteCount(text)];
            Encoding.UTF8.GetBytes(text, bytes);
            var ids = new int[bytes.Length];
            for (int i = 0; i < bytes.Length; i++)
                ids[i] = bytes[i] + 1;
            return ids;
        }

        private int[] TokenizerIds(ReadOnlySpan<char> text)
        {
            var tokenizer = _tokenizer!.Tokenizer;
            if (text.IsEmpty)
                return Array.Empty<int>();
            var ids = _truncation switch
            {
                TextTruncation.KeepHead => tokenizer.EncodeToIds(text, MaxPositions, out _, out _),
                TextTruncation.KeepTail => tokenizer.EncodeToIds(text.Slice(tokenizer.GetIndexByTokenCountFromEnd(text, MaxPositions, out _, out _))),
                // The whole text, then cut: tokenizing the two ends apart can tokenize the words at the cuts
                // differently from the text's own tokenization (6 of the 6,046 SpamAssassin messages with GPT-2
                // at 1,024 tokens), so the ends are taken from the full encoding.
                _ => tokenizer.EncodeToIds(text),
            };
            var result = new int[ids.Count];
            for (int i = 0; i < result.Length; i++)
            {
                if (ids[i] < 0 || ids[i] >= _sourceVocabulary)
                    throw new InvalidOperationException($"Column '{ColumnName}': the tokenizer produced id {ids[i]}, outside its vocabulary of {_sourceVocabulary}.");
                result[i] = ids[i] + 1;
            }
            return Truncate(result);
        }

        // KeepHeadAndTail: the head gets the odd position.
        private int HeadCount => MaxPositions - TailCount;

        private int TailCount => MaxPositions / 2;

        private int[] Truncate(int[] ids)
        {
            if (ids.Length <= MaxPositions)
                return ids;
            return _truncation switch
            {
                TextTruncation.KeepHead => ids[..MaxPositions],
                TextTruncation.KeepTail => ids[^MaxPositions..],
                _ => Join(ids, ids),
            };
        }

        // The first HeadCount ids of 'head' followed by the last TailCount ids of 'tail'.
        private int[] Join(int[] head, int[] tail)
        {
            var ids = new int[MaxPositions];
            Array.Copy(head, ids, HeadCount);
            Array.Copy(tail, tail.Length - TailCount, ids, HeadCount, TailCount);
            return ids;
        }

        private protected override void SaveCore(BinaryWriter writer)
        {
            writer.Write((int)_source);
            writer.Write((int)_truncation);
            writer.Write(_sourceVocabulary);
            if (_source == Source.Tokenizer)
                _tokenizer!.Save(writer);
        }

        internal static TextFeaturizer LoadCore(BinaryReader reader, string column, int maxPositions)
        {
            var source = (Source)reader.ReadInt32();
            var truncation = (TextTruncation)reader.ReadInt32();
            int vocabulary = reader.ReadInt32();
            if (!Enum.IsDefined(source) || !Enum.IsDefined(truncation) || vocabulary < 1)
                throw new InvalidDataException("Corrupted model: invalid text featurizer settings.");
            var tokenizer = source == Source.Tokenizer ? SavedTokenizer.Load(reader) : null;
            return new TextFeaturizer(column, maxPositions, source, truncation, tokenizer, vocabulary);
        }

        private static bool IsInteger(DataViewType type)
            => type is NumberDataViewType n && n.RawType != typeof(float) && n.RawType != typeof(double);
    }
}
