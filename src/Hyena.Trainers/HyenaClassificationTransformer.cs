using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Hyena;
using Microsoft.ML.Hyena.Serialization;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

[assembly: LoadableClass(typeof(HyenaClassificationTransformer), null, typeof(SignatureLoadModel),
    HyenaClassificationTransformer.UserName, HyenaClassificationTransformer.LoaderSignature)]
[assembly: LoadableClass(typeof(IRowMapper), typeof(HyenaClassificationTransformer), null, typeof(SignatureLoadRowMapper),
    HyenaClassificationTransformer.UserName, HyenaClassificationTransformer.LoaderSignature)]

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// A fitted Hyena classifier: adds <c>Score</c> (class probabilities) and <c>PredictedLabel</c>
    /// (a key of the label's type) to the data. <see cref="Transform"/> scores rows in batches;
    /// PredictionEngine scores single rows. Saved into and loaded from model.zip by
    /// <c>mlContext.Model.Save</c>/<c>Load</c>. Holds native memory: dispose it (disposing a
    /// TransformerChain or PredictionEngine that holds it does).
    /// </summary>
    public sealed class HyenaClassificationTransformer : ITransformer, ICanSaveModel, IDisposable
    {
        internal const string UserName = "Hyena Classification Transformer";
        internal const string LoaderSignature = "HyenaClassifier";

        private readonly IHost _host;
        private readonly HyenaSequenceClassifier _model;
        private readonly Device _device;
        private readonly object _gate = new object();
        private bool _disposed;

        internal HyenaClassificationTransformer(IHostEnvironment env, HyenaSequenceClassifier model, InputFeaturizer featurizer,
            LabelDescription label, string scoreColumnName, string predictedLabelColumnName, int scoringBatchSize,
            HyenaDevice deviceOption, bool mixedPrecision, Device device)
        {
            _host = env.Register(nameof(HyenaClassificationTransformer));
            _model = model;
            Featurizer = featurizer;
            Label = label;
            ScoreColumnName = scoreColumnName;
            PredictedLabelColumnName = predictedLabelColumnName;
            ScoringBatchSize = scoringBatchSize;
            DeviceOption = deviceOption;
            MixedPrecision = mixedPrecision;
            _device = device;
            _model.eval();
            _model.ComputeDtype = mixedPrecision && device.type == DeviceType.CUDA ? ScalarType.BFloat16 : null;
            _model.CacheFilterSpectrum = true; // scoring runs in eval mode without gradients
        }

        /// <summary>Name of the input column the model reads.</summary>
        public string InputColumnName => Featurizer.ColumnName;

        /// <summary>Name of the label column the model was trained on.</summary>
        public string LabelColumnName => Label.Name;

        /// <summary>Name of the Score output column.</summary>
        public string ScoreColumnName { get; }

        /// <summary>Name of the PredictedLabel output column.</summary>
        public string PredictedLabelColumnName { get; }

        /// <summary>Rows scored per forward pass by <see cref="Transform"/>.</summary>
        public int ScoringBatchSize { get; }

        /// <summary>The device option the model scores with (resolved when the model was fitted or loaded).</summary>
        public HyenaDevice DeviceOption { get; }

        /// <summary>Whether the model scores in bfloat16 mixed precision when it runs on CUDA.</summary>
        public bool MixedPrecision { get; }

        /// <summary>The class names in key order (the label's KeyValues as text).</summary>
        public IReadOnlyList<string> ClassNames => Label.ClassNames;

        /// <summary>The shape of the network.</summary>
        public HyenaClassifierConfig ModelConfig => _model.Config;

        /// <summary>How the input column is read (for logs and diagnostics).</summary>
        public string InputDescription => Featurizer.Description;

        internal InputFeaturizer Featurizer { get; }

        /// <summary>The network (tests and diagnostics; scoring goes through <see cref="Score"/>).</summary>
        internal HyenaSequenceClassifier Network => _model;

        internal LabelDescription Label { get; }

        /// <inheritdoc />
        public bool IsRowToRowMapper => true;

        /// <inheritdoc />
        public DataViewSchema GetOutputSchema(DataViewSchema inputSchema)
        {
            _host.CheckValue(inputSchema, nameof(inputSchema));
            Featurizer.CheckColumn(inputSchema);
            return new ColumnBindings(inputSchema, OutputColumns(inputSchema)).Schema;
        }

        /// <inheritdoc />
        public IDataView Transform(IDataView input)
        {
            _host.CheckValue(input, nameof(input));
            ThrowIfDisposed();
            return new BatchScoringDataView(this, input);
        }

        /// <inheritdoc />
        public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema)
        {
            _host.CheckValue(inputSchema, nameof(inputSchema));
            ThrowIfDisposed();
            return new RowToRowMapperTransform(_host, new EmptyDataView(_host, inputSchema), MakeRowMapper(inputSchema), MakeRowMapper);
        }

        private IRowMapper MakeRowMapper(DataViewSchema schema) => new ScoringRowMapper(this, schema);

        internal DataViewSchema.DetachedColumn[] OutputColumns(DataViewSchema inputSchema)
            => ClassificationOutput.Columns(inputSchema, Label, ScoreColumnName, PredictedLabelColumnName);

        /// <summary>Class probabilities of each row, computed at most ScoringBatchSize rows per forward pass (fewer for long rows, and on the CPU for all but short ones, see <see cref="ScoringChunks"/>).</summary>
        internal float[][] Score(IReadOnlyList<Sequence> rows)
        {
            var result = new float[rows.Count][];
            lock (_gate)
            {
                ThrowIfDisposed();
                using var noGrad = no_grad();
                long budget = ScoringChunks.PositionBudget(_device.type, _model.Config.Operator.ModelDimension);
                foreach (var chunk in ScoringChunks.ByLength(rows.Count, i => rows[i].Length, ScoringBatchSize, budget))
                {
                    using var scope = NewDisposeScope();
                    var (inputs, lengths) = SequenceBatcher.Stack(chunk.Select(i => rows[i]).ToList(), _model.Config.InputChannels, _device);
                    var probabilities = nn.functional.softmax(_model.call(inputs, lengths).to_type(ScalarType.Float32), 1).cpu();
                    var flat = probabilities.data<float>().ToArray();
                    int classes = (int)probabilities.size(1);
                    for (int k = 0; k < chunk.Length; k++)
                        result[chunk[k]] = flat.AsSpan(k * classes, classes).ToArray();
                }
            }
            return result;
        }

        /// <summary>A new network of the same shape holding a copy of this model's weights, on the CPU, in training mode.</summary>
        internal HyenaSequenceClassifier CopyNetwork()
        {
            var copy = new HyenaSequenceClassifier(_model.Config);
            try
            {
                lock (_gate)
                {
                    ThrowIfDisposed();
                    using var scope = NewDisposeScope();
                    StateDict.Load(copy, StateDict.Export(_model));
                }
                copy.train();
                return copy;
            }
            catch
            {
                copy.Dispose();
                throw;
            }
        }

        /// <summary>Frees the model's native memory. The transformer cannot score afterwards.</summary>
        public void Dispose()
        {
            lock (_gate)
            {
                if (_disposed)
                    return;
                _model.Dispose();
                _disposed = true;
            }
        }

        private void ThrowIfDisposed()
        {
            if (_disposed)
                throw new ObjectDisposedException(nameof(HyenaClassificationTransformer), "This Hyena model was disposed (directly, or by the TransformerChain or PredictionEngine that held it).");
        }

        private static VersionInfo GetVersionInfo() => new VersionInfo(
            modelSignature: "HYENACLS",
            verWrittenCur: 0x00010001, // Initial
            verReadableCur: 0x00010001,
            verWeCanReadBack: 0x00010001,
            loaderSignature: LoaderSignature,
            loaderAssemblyName: typeof(HyenaClassificationTransformer).Assembly.FullName);

        void ICanSaveModel.Save(ModelSaveContext ctx) => SaveModel(ctx);

        internal void SaveModel(ModelSaveContext ctx)
        {
            _host.CheckValue(ctx, nameof(ctx));
            ThrowIfDisposed();
            ctx.CheckAtModel();
            ctx.SetVersionInfo(GetVersionInfo());

            // *** Binary format ***
            // string: score column name
            // string: predicted label column name
            // int: scoring batch size
            // string: device option (auto, cpu, cuda:N)
            // bool: mixed precision on CUDA
            // string: network configuration (JSON of HyenaClassifierConfig)
            // stream "Label": LabelDescription (name, key count, KeyValues)
            // stream "Featurizer": InputFeaturizer
            // stream "Weights": the network's state dict in safetensors format
            ctx.SaveNonEmptyString(ScoreColumnName);
            ctx.SaveNonEmptyString(PredictedLabelColumnName);
            ctx.Writer.Write(ScoringBatchSize);
            ctx.SaveNonEmptyString(DeviceOption.ToString());
            ctx.Writer.Write(MixedPrecision);
            ctx.SaveNonEmptyString(JsonSerializer.Serialize(_model.Config));
            ctx.SaveBinaryStream("Label", writer => Label.Save(_host, writer));
            ctx.SaveBinaryStream("Featurizer", writer => Featurizer.Save(writer));
            lock (_gate)
            {
                ctx.SaveBinaryStream("Weights", writer => Safetensors.Write(writer.BaseStream, StateDict.Export(_model),
                    new Dictionary<string, string> { ["format"] = "hyena-mlnet classifier", ["version"] = "1" }));
            }
        }

        // Factory method for SignatureLoadModel.
        private static HyenaClassificationTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
        {
            Contracts.CheckValue(env, nameof(env));
            env.CheckValue(ctx, nameof(ctx));
            ctx.CheckAtModel(GetVersionInfo());
            try
            {
                string scoreName = ctx.LoadNonEmptyString();
                string predictedName = ctx.LoadNonEmptyString();
                int batchSize = ctx.Reader.ReadInt32();
                if (batchSize < 1)
                    throw new InvalidDataException($"scoring batch size {batchSize}");
                var deviceOption = HyenaDevice.Parse(ctx.LoadNonEmptyString());
                bool mixedPrecision = ctx.Reader.ReadBoolean();
                var config = (JsonSerializer.Deserialize<HyenaClassifierConfig>(ctx.LoadNonEmptyString())
                    ?? throw new InvalidDataException("empty network configuration")).Validate();

                LabelDescription? label = null;
                InputFeaturizer? featurizer = null;
                if (!ctx.TryLoadBinaryStream("Label", reader => label = LabelDescription.Load(env, reader)))
                    throw new InvalidDataException("the label description is missing");
                if (!ctx.TryLoadBinaryStream("Featurizer", reader => featurizer = InputFeaturizer.Load(reader)))
                    throw new InvalidDataException("the featurizer is missing");
                if (label!.ClassCount != config.ClassCount)
                    throw new InvalidDataException($"{label.ClassCount} labels but {config.ClassCount} classes");

                var device = ResolveForLoading(env, deviceOption);
                var model = new HyenaSequenceClassifier(config);
                try
                {
                    if (!ctx.TryLoadBinaryStream("Weights", reader =>
                    {
                        using var content = Safetensors.Read(reader.BaseStream, "model.zip weights");
                        StateDict.Load(model, content.Tensors);
                    }))
                        throw new InvalidDataException("the weights are missing");
                    model.to(device);
                    return new HyenaClassificationTransformer(env, model, featurizer!, label, scoreName, predictedName, batchSize, deviceOption, mixedPrecision, device);
                }
                catch
                {
                    model.Dispose();
                    throw;
                }
            }
            catch (Exception e) when (e is InvalidDataException || e is EndOfStreamException || e is JsonException || e is FormatException
                || e is ArgumentOutOfRangeException || e is IOException)
            {
                throw new InvalidDataException($"The Hyena model in this model.zip is corrupted or truncated: {e.Message}", e);
            }
        }

        // Factory method for SignatureLoadRowMapper.
        private static IRowMapper Create(IHostEnvironment env, ModelLoadContext ctx, DataViewSchema inputSchema)
            => Create(env, ctx).MakeRowMapper(inputSchema);

        // A model trained on a CUDA device still loads on a machine without one: it falls back to the CPU.
        private static Device ResolveForLoading(IHostEnvironment env, HyenaDevice option)
        {
            try
            {
                return option.Resolve();
            }
            catch (InvalidOperationException e)
            {
                using var channel = env.Start(nameof(HyenaClassificationTransformer));
                channel.Warning($"The model was trained for device {option}, which is not available here ({e.Message}); scoring on the CPU.");
                return torch.CPU;
            }
        }
    }
}
