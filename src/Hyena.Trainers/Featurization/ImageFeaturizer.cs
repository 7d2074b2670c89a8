using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms.Image;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// Featurizes the image trainer's input column into a sequence of pixels in raster order:
    /// a float vector of ImageHeight x ImageWidth x ImageChannels values, or an image column resized
    /// (bilinear) and converted to gray or RGB in [0, 1]. Each channel is standardised with the
    /// training set's mean and deviation; PixelsPerPosition consecutive pixels form one position.
    /// </summary>
    internal sealed class ImageFeaturizer : InputFeaturizer
    {
        public const string Kind = "image";

        private enum Source
        {
            FloatVector = 0,
            Image = 1,
        }

        private readonly Source _source;
        private readonly int _height;
        private readonly int _width;
        private readonly int _channels;
        private readonly int _pixelsPerPosition;
        private float[]? _mean;
        private float[]? _inverseStd;

        private ImageFeaturizer(string column, Source source, int height, int width, int channels, int pixelsPerPosition)
            : base(column, height * width / pixelsPerPosition)
        {
            _source = source;
            _height = height;
            _width = width;
            _channels = channels;
            _pixelsPerPosition = pixelsPerPosition;
        }

        public override int VocabularySize => 0;

        public override int Channels => _channels * _pixelsPerPosition;

        public override string Description =>
            $"{(_source == Source.Image ? "image" : "pixel vector")} column '{ColumnName}' as {_height} x {_width} x {_channels}, " +
            $"{MaxPositions} positions of {_pixelsPerPosition} pixel(s){(_mean is null ? "" : ", standardised")}";

        private protected override string KindName => Kind;

        private int ValueCount => _height * _width * _channels;

        /// <summary>Makes the featurizer for the trainer's options and the training data's schema.</summary>
        public static ImageFeaturizer Create(IExceptionContext ectx, DataViewSchema schema, HyenaImageClassificationTrainer.Options options)
        {
            string name = options.FeatureColumnName;
            var column = schema.GetColumnOrNull(name) ?? throw ectx.ExceptSchemaMismatch(nameof(schema), "feature", name);
            var featurizer = new ImageFeaturizer(name, column.Type is ImageDataViewType ? Source.Image : Source.FloatVector,
                options.ImageHeight, options.ImageWidth, options.ImageChannels, options.PixelsPerPosition);
            featurizer.CheckColumn(schema);
            return featurizer;
        }

        /// <summary>The estimator's schema check of the input column.</summary>
        public static SchemaShape.Column CheckColumn(IExceptionContext ectx, SchemaShape schema, HyenaImageClassificationTrainer.Options options)
        {
            string name = options.FeatureColumnName;
            if (!schema.TryFindColumn(name, out var column))
                throw ectx.ExceptSchemaMismatch(nameof(schema), "feature", name);
            bool vector = column.Kind != SchemaShape.Column.VectorKind.Scalar && column.ItemType == NumberDataViewType.Single;
            bool image = column.Kind == SchemaShape.Column.VectorKind.Scalar && column.ItemType is ImageDataViewType;
            if (!vector && !image)
                throw ectx.ExceptSchemaMismatch(nameof(schema), "feature", name, "a vector of Single (flattened pixels) or an image", column.GetTypeString());
            return column;
        }

        public override void CheckColumn(DataViewSchema schema)
        {
            var type = FindColumn(schema).Type;
            if (_source == Source.Image)
            {
                if (type is not ImageDataViewType)
                    throw new ArgumentOutOfRangeException(nameof(schema), $"Column '{ColumnName}' has type {type}, but the model was trained on an image column.");
                if (_channels != 1 && _channels != 3)
                    throw new ArgumentOutOfRangeException(nameof(HyenaImageClassificationTrainer.Options.ImageChannels), _channels,
                        $"Column '{ColumnName}' holds images: ImageChannels must be 1 (gray) or 3 (RGB); got {_channels}.");
                return;
            }
            if (type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
                throw new ArgumentOutOfRangeException(nameof(schema),
                    $"Column '{ColumnName}' has type {type}, but the Hyena image trainer needs a vector of Single (flattened pixels) or an image column.");
            if (vector.IsKnownSize && vector.Size != ValueCount)
                throw new ArgumentOutOfRangeException(nameof(schema),
                    $"Column '{ColumnName}' holds vectors of {vector.Size} values, but ImageHeight x ImageWidth x ImageChannels = {_height} x {_width} x {_channels} = {ValueCount}.");
        }

        public override Func<long, Sequence> MakeReader(DataViewRow row)
        {
            var column = row.Schema[ColumnName];
            if (_source == Source.Image)
            {
                var getter = row.GetGetter<MLImage>(column);
                MLImage image = null!;
                return rowNumber =>
                {
                    getter(ref image);
                    if (image is null)
                        throw new InvalidOperationException($"Column '{ColumnName}', row {rowNumber}: the image is missing.");
                    var values = ImageResampler.ToPixels(image, _height, _width, _channels);
                    return Finish(values);
                };
            }
            var vectorGetter = row.GetGetter<VBuffer<float>>(column);
            VBuffer<float> buffer = default;
            return rowNumber =>
            {
                vectorGetter(ref buffer);
                if (buffer.Length != ValueCount)
                    throw new InvalidOperationException(
                        $"Column '{ColumnName}', row {rowNumber}: the pixel vector has {buffer.Length} values, but ImageHeight x ImageWidth x ImageChannels = {_height} x {_width} x {_channels} = {ValueCount}.");
                var values = new float[ValueCount];
                buffer.CopyTo(values);
                for (int i = 0; i < values.Length; i++)
                {
                    if (!float.IsFinite(values[i]))
                        throw new InvalidOperationException(
                            $"Column '{ColumnName}', row {rowNumber}: pixel value {values[i]} at index {i} is not finite (NaN or infinite pixels are not accepted).");
                }
                return Finish(values);
            };
        }

        private Sequence Finish(float[] values)
        {
            if (_mean is not null)
                Standardize(values);
            return Sequence.FromValues(values, Channels);
        }

        /// <summary>
        /// Computes each channel's mean and deviation from raw (not yet standardised) training
        /// sequences, then standardises those sequences in place; later reads are standardised too.
        /// </summary>
        public void FitStandardization(IReadOnlyList<Sequence> rawTrainingRows)
        {
            var sum = new double[_channels];
            var sumSquares = new double[_channels];
            long perChannel = 0;
            foreach (var row in rawTrainingRows)
            {
                var values = row.Values!;
                for (int i = 0; i < values.Length; i++)
                {
                    int c = i % _channels;
                    sum[c] += values[i];
                    sumSquares[c] += (double)values[i] * values[i];
                }
                perChannel += values.Length / _channels;
            }
            _mean = new float[_channels];
            _inverseStd = new float[_channels];
            for (int c = 0; c < _channels; c++)
            {
                double mean = perChannel == 0 ? 0 : sum[c] / perChannel;
                double variance = perChannel == 0 ? 0 : Math.Max(0, sumSquares[c] / perChannel - mean * mean);
                _mean[c] = (float)mean;
                _inverseStd[c] = variance > 1e-12 ? (float)(1 / Math.Sqrt(variance)) : 1f;
            }
            foreach (var row in rawTrainingRows)
                Standardize(row.Values!);
        }

        private void Standardize(float[] values)
        {
            for (int i = 0; i < values.Length; i++)
            {
                int c = i % _channels;
                values[i] = (values[i] - _mean![c]) * _inverseStd![c];
            }
        }

        private protected override void SaveCore(BinaryWriter writer)
        {
            writer.Write((int)_source);
            writer.Write(_height);
            writer.Write(_width);
            writer.Write(_channels);
            writer.Write(_pixelsPerPosition);
            writer.Write(_mean is not null);
            if (_mean is not null)
            {
                for (int c = 0; c < _channels; c++)
                {
                    writer.Write(_mean[c]);
                    writer.Write(_inverseStd![c]);
                }
            }
        }

        internal static ImageFeaturizer LoadCore(BinaryReader reader, string column, int maxPositions)
        {
            var source = (Source)reader.ReadInt32();
            int height = reader.ReadInt32(), width = reader.ReadInt32(), channels = reader.ReadInt32(), pixelsPerPosition = reader.ReadInt32();
            if (!Enum.IsDefined(source) || height < 1 || width < 1 || channels < 1 || pixelsPerPosition < 1
                || (long)height * width % pixelsPerPosition != 0 || (long)height * width / pixelsPerPosition != maxPositions)
                throw new InvalidDataException("Corrupted model: invalid image featurizer settings.");
            var featurizer = new ImageFeaturizer(column, source, height, width, channels, pixelsPerPosition);
            if (reader.ReadBoolean())
            {
                featurizer._mean = new float[channels];
                featurizer._inverseStd = new float[channels];
                for (int c = 0; c < channels; c++)
                {
                    featurizer._mean[c] = reader.ReadSingle();
                    featurizer._inverseStd[c] = reader.ReadSingle();
                }
            }
            return featurizer;
        }
    }
}
