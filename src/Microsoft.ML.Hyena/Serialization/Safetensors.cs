using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Serialization
{
    /// <summary>
    /// Reader and writer of the safetensors format (https://github.com/huggingface/safetensors):
    /// an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and
    /// byte range, an optional string-to-string <c>__metadata__</c>, then the raw little-endian data.
    /// </summary>
    public static class Safetensors
    {
        private const string MetadataKey = "__metadata__";
        private const long MaxHeaderBytes = 100L * 1024 * 1024;

        /// <summary>The tensors and metadata of a safetensors file.</summary>
        /// <param name="Tensors">Tensors by name, on the CPU.</param>
        /// <param name="Metadata">The <c>__metadata__</c> entries (empty when absent).</param>
        public sealed record Content(IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) : IDisposable
        {
            /// <summary>Disposes every tensor.</summary>
            public void Dispose()
            {
                foreach (var tensor in Tensors.Values)
                    tensor.Dispose();
            }
        }

        /// <summary>Reads a safetensors file.</summary>
        /// <exception cref="InvalidDataException">The file is truncated or malformed; the message says where.</exception>
        public static Content Read(string path)
        {
            using var stream = File.OpenRead(path ?? throw new ArgumentNullException(nameof(path)));
            return Read(stream, path);
        }

        /// <summary>Reads safetensors content from a stream; <paramref name="sourceName"/> is used in error messages.</summary>
        public static Content Read(Stream stream, string sourceName = "stream")
        {
            var lengthBytes = ReadExactly(stream, 8, sourceName, "the header length");
            long headerLength = BitConverter.ToInt64(lengthBytes, 0);
            if (headerLength <= 0 || headerLength > MaxHeaderBytes)
                throw new InvalidDataException($"{sourceName}: header length {headerLength} is not valid; not a safetensors file?");
            var header = ReadExactly(stream, (int)headerLength, sourceName, "the JSON header");

            var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            try
            {
                using var json = JsonDocument.Parse(header);
                var entries = new List<(string Name, ScalarType Type, long[] Shape, long Begin, long End)>();
                foreach (var property in json.RootElement.EnumerateObject())
                {
                    if (property.Name == MetadataKey)
                    {
                        foreach (var item in property.Value.EnumerateObject())
                            metadata[item.Name] = item.Value.GetString() ?? string.Empty;
                        continue;
                    }
                    var dtype = ParseDtype(property.Value.GetProperty("dtype").GetString(), sourceName, property.Name);
                    var shape = property.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                    var offsets = property.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                    if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0])
                        throw new InvalidDataException($"{sourceName}: tensor '{property.Name}' has invalid data_offsets.");
                    long expected = shape.Aggregate(1L, (a, b) => a * b) * ElementSize(dtype);
                    if (offsets[1] - offsets[0] != expected)
                        throw new InvalidDataException($"{sourceName}: tensor '{property.Name}' spans {offsets[1] - offsets[0]} bytes but its shape and dtype need {expected}.");
                    entries.Add((property.Name, dtype, shape, offsets[0], offsets[1]));
                }

                long position = 0;
                foreach (var entry in entries.OrderBy(e => e.Begin))
                {
                    if (entry.Begin < position)
                        throw new InvalidDataException($"{sourceName}: tensor '{entry.Name}' overlaps the previous one.");
                    if (entry.Begin > position)
                        ReadExactly(stream, (int)(entry.Begin - position), sourceName, $"padding before '{entry.Name}'");
                    var bytes = ReadExactly(stream, checked((int)(entry.End - entry.Begin)), sourceName, $"the data of '{entry.Name}'");
                    var tensor = empty(entry.Shape, entry.Type);
                    if (bytes.Length > 0)
                        tensor.bytes = bytes;
                    tensors[entry.Name] = tensor;
                    position = entry.End;
                }
            }
            catch (Exception e) when (e is JsonException || e is KeyNotFoundException || e is InvalidOperationException || e is FormatException)
            {
                foreach (var tensor in tensors.Values)
                    tensor.Dispose();
                throw new InvalidDataException($"{sourceName}: malformed safetensors header: {e.Message}", e);
            }
            catch
            {
                foreach (var tensor in tensors.Values)
                    tensor.Dispose();
                throw;
            }
            return new Content(tensors, metadata);
        }

        /// <summary>Writes <paramref name="tensors"/> (any device; copied to the CPU) and optional metadata to a file.</summary>
        public static void Write(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        {
            string temporary = path + ".tmp";
            using (var stream = File.Create(temporary))
                Write(stream, tensors, metadata);
            File.Move(temporary, path, overwrite: true);
        }

        /// <summary>Writes <paramref name="tensors"/> and optional metadata to a stream, tensors in name order.</summary>
        public static void Write(Stream stream, IEnumerable<KeyValuePair<string, Tensor>> tensors, IReadOnlyDictionary<string, string>? metadata = null)
        {
            var ordered = tensors.OrderBy(t => t.Key, StringComparer.Ordinal).ToList();
            using var headerBuffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(headerBuffer))
            {
                writer.WriteStartObject();
                if (metadata is { Count: > 0 })
                {
                    writer.WriteStartObject(MetadataKey);
                    foreach (var (key, value) in metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
                        writer.WriteString(key, value);
                    writer.WriteEndObject();
                }
                long offset = 0;
                foreach (var (name, tensor) in ordered)
                {
                    long size = tensor.NumberOfElements * ElementSize(tensor.dtype);
                    writer.WriteStartObject(name);
                    writer.WriteString("dtype", DtypeName(tensor.dtype, name));
                    writer.WriteStartArray("shape");
                    foreach (long d in tensor.shape)
                        writer.WriteNumberValue(d);
                    writer.WriteEndArray();
                    writer.WriteStartArray("data_offsets");
                    writer.WriteNumberValue(offset);
                    writer.WriteNumberValue(offset + size);
                    writer.WriteEndArray();
                    writer.WriteEndObject();
                    offset += size;
                }
                writer.WriteEndObject();
            }
            // The header is padded with spaces to a multiple of 8 bytes, as the reference writer does.
            var header = headerBuffer.ToArray();
            int padded = (header.Length + 7) / 8 * 8;
            stream.Write(BitConverter.GetBytes((long)padded));
            stream.Write(header);
            for (int i = header.Length; i < padded; i++)
                stream.WriteByte((byte)' ');
            foreach (var (_, tensor) in ordered)
            {
                using var cpu = tensor.detach().cpu().contiguous();
                if (cpu.NumberOfElements > 0)
                    stream.Write(cpu.bytes);
            }
        }

        private static byte[] ReadExactly(Stream stream, int count, string sourceName, string what)
        {
            var buffer = new byte[count];
            int read = 0;
            while (read < count)
            {
                int n = stream.Read(buffer, read, count - read);
                if (n == 0)
                    throw new InvalidDataException($"{sourceName}: truncated while reading {what} ({read} of {count} bytes).");
                read += n;
            }
            return buffer;
        }

        private static ScalarType ParseDtype(string? name, string sourceName, string tensor) => name switch
        {
            "F64" => ScalarType.Float64,
            "F32" => ScalarType.Float32,
            "F16" => ScalarType.Float16,
            "BF16" => ScalarType.BFloat16,
            "I64" => ScalarType.Int64,
            "I32" => ScalarType.Int32,
            "I16" => ScalarType.Int16,
            "I8" => ScalarType.Int8,
            "U8" => ScalarType.Byte,
            "BOOL" => ScalarType.Bool,
            _ => throw new InvalidDataException($"{sourceName}: tensor '{tensor}' has unsupported dtype '{name}'."),
        };

        private static string DtypeName(ScalarType type, string tensor) => type switch
        {
            ScalarType.Float64 => "F64",
            ScalarType.Float32 => "F32",
            ScalarType.Float16 => "F16",
            ScalarType.BFloat16 => "BF16",
            ScalarType.Int64 => "I64",
            ScalarType.Int32 => "I32",
            ScalarType.Int16 => "I16",
            ScalarType.Int8 => "I8",
            ScalarType.Byte => "U8",
            ScalarType.Bool => "BOOL",
            _ => throw new NotSupportedException($"Tensor '{tensor}' has dtype {type}, which safetensors cannot store."),
        };

        private static long ElementSize(ScalarType type) => type switch
        {
            ScalarType.Float64 or ScalarType.Int64 => 8,
            ScalarType.Float32 or ScalarType.Int32 => 4,
            ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
            _ => 1,
        };
    }
}
