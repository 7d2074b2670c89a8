using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace Hyena.Samples
{
    /// <summary>
    /// Reads and writes IDX files of unsigned bytes (MNIST's format): a big-endian header
    /// <c>00 00 08 n</c> (magic number), then n big-endian 32-bit dimensions, then the data.
    /// Files may be gzip-compressed; compression is recognised by its signature, not by the file name.
    /// </summary>
    public static class IdxFile
    {
        /// <summary>The magic number of an IDX file of unsigned-byte images (three dimensions).</summary>
        public const int ImagesMagicNumber = 0x00000803;

        /// <summary>The magic number of an IDX file of unsigned-byte labels (one dimension).</summary>
        public const int LabelsMagicNumber = 0x00000801;

        private const byte UnsignedByteType = 0x08;

        /// <summary>Reads an IDX file of unsigned bytes, gzip-compressed or not.</summary>
        /// <param name="path">The file to read.</param>
        /// <returns>The file's dimensions and data.</returns>
        /// <exception cref="FileNotFoundException">The file does not exist.</exception>
        /// <exception cref="InvalidDataException">The header is not an IDX header of unsigned bytes, or the data is truncated or too long.</exception>
        public static IdxArray Read(string path)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(path);
            if (!File.Exists(path))
                throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);

            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            return Read(file, path);
        }

        /// <summary>Reads an IDX stream of unsigned bytes, gzip-compressed or not.</summary>
        /// <param name="stream">The stream, positioned at the start of the file; it is read to its end and not closed.</param>
        /// <param name="sourceName">A name for error messages, such as the file's path.</param>
        /// <returns>The dimensions and data.</returns>
        /// <exception cref="InvalidDataException">The header is not an IDX header of unsigned bytes, or the data is truncated or too long.</exception>
        public static IdxArray Read(Stream stream, string sourceName)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentNullException.ThrowIfNull(sourceName);

            var buffered = new BufferedStream(stream, 1 << 16);
            int first = buffered.ReadByte();
            int second = buffered.ReadByte();
            if (first < 0 || second < 0)
                throw new InvalidDataException($"'{sourceName}' is not an IDX file: it is empty or shorter than its header.");

            var prefix = new PrefixedStream(new[] { (byte)first, (byte)second }, buffered);
            if (first == 0x1F && second == 0x8B)
            {
                using var gzip = new GZipStream(prefix, CompressionMode.Decompress, leaveOpen: true);
                return ReadUncompressed(new BufferedStream(gzip, 1 << 16), sourceName);
            }

            return ReadUncompressed(prefix, sourceName);
        }

        /// <summary>
        /// Writes an IDX file of unsigned bytes; it is gzip-compressed (at the smallest size) when the path ends
        /// with ".gz". The gzip header carries no time stamp, so equal content gives an equal file with the same
        /// compression library.
        /// </summary>
        /// <param name="path">The file to write; its folder must exist.</param>
        /// <param name="array">The dimensions and data to write.</param>
        public static void Write(string path, IdxArray array)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(path);
            ArgumentNullException.ThrowIfNull(array);

            using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None);
            if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
            {
                using var gzip = new GZipStream(file, CompressionLevel.SmallestSize, leaveOpen: true);
                Write(gzip, array);
            }
            else
            {
                Write(file, array);
            }
        }

        /// <summary>Writes an uncompressed IDX file of unsigned bytes to a stream.</summary>
        /// <param name="stream">The stream to write to; it is not closed.</param>
        /// <param name="array">The dimensions and data to write.</param>
        public static void Write(Stream stream, IdxArray array)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentNullException.ThrowIfNull(array);

            var header = new byte[4 + (4 * array.Dimensions.Count)];
            header[2] = UnsignedByteType;
            header[3] = (byte)array.Dimensions.Count;
            for (int i = 0; i < array.Dimensions.Count; i++)
                BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + (4 * i)), array.Dimensions[i]);

            stream.Write(header);
            stream.Write(array.Data);
        }

        private static IdxArray ReadUncompressed(Stream stream, string sourceName)
        {
            Span<byte> magic = stackalloc byte[4];
            ReadHeader(stream, magic, sourceName);
            int magicNumber = BinaryPrimitives.ReadInt32BigEndian(magic);
            if (magic[0] != 0 || magic[1] != 0 || magic[3] is < 1 or > 4)
                throw new InvalidDataException($"'{sourceName}' is not an IDX file: its magic number is 0x{magicNumber:X8}, not 0x000008nn with 1 to 4 dimensions (0x{ImagesMagicNumber:X8} for images, 0x{LabelsMagicNumber:X8} for labels).");
            if (magic[2] != UnsignedByteType)
                throw new InvalidDataException($"'{sourceName}' holds IDX data of type 0x{magic[2]:X2}; only unsigned bytes (0x08) are supported.");

            int rank = magic[3];
            var dimensions = new int[rank];
            Span<byte> dimension = stackalloc byte[4];
            long total = 1;
            for (int i = 0; i < rank; i++)
            {
                ReadHeader(stream, dimension, sourceName);
                dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(dimension);
                if (dimensions[i] < 0)
                    throw new InvalidDataException($"'{sourceName}' has a negative dimension {i} ({dimensions[i]}) in its IDX header.");
                total *= dimensions[i];
                if (total > Array.MaxLength)
                    throw new InvalidDataException($"'{sourceName}' declares more data ([{string.Join(" x ", dimensions, 0, i + 1)}]...) than this reader supports.");
            }

            var data = new byte[total];
            int read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
            if (read < data.Length)
                throw new InvalidDataException($"'{sourceName}' is truncated: its header [{string.Join(" x ", dimensions)}] declares {data.Length} bytes of data but only {read} follow.");
            if (stream.ReadByte() >= 0)
                throw new InvalidDataException($"'{sourceName}' has more data than its header [{string.Join(" x ", dimensions)}] declares ({data.Length} bytes).");

            return new IdxArray(dimensions, data);
        }

        private static void ReadHeader(Stream stream, Span<byte> buffer, string sourceName)
        {
            if (stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) < buffer.Length)
                throw new InvalidDataException($"'{sourceName}' is not an IDX file: it ends inside its header.");
        }
    }
}
