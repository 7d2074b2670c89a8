using System;
using System.IO;
using System.IO.Compression;

namespace Hyena.Samples.Tests
{
    public class IdxFileTests
    {
        [Theory]
        [InlineData("images.idx")]
        [InlineData("images.idx.gz")]
        public void WriteThenReadRoundTripsWithOrWithoutGzip(string name)
        {
            using var folder = new TemporaryFolder();
            var data = new byte[3 * 2 * 4];
            for (int i = 0; i < data.Length; i++)
                data[i] = (byte)(i * 7);
            string path = folder.Combine(name);

            IdxFile.Write(path, new IdxArray(new[] { 3, 2, 4 }, data));
            IdxArray read = IdxFile.Read(path);

            Assert.Equal(new[] { 3, 2, 4 }, read.Dimensions);
            Assert.Equal(data, read.Data);
            Assert.Equal(3, read.Count);
            Assert.Equal(8, read.ItemSize);
            Assert.Equal(new byte[] { data[8], data[9], data[10], data[11], data[12], data[13], data[14], data[15] }, read.GetItem(1).ToArray());
            byte[] raw = File.ReadAllBytes(path);
            Assert.Equal(name.EndsWith(".gz", StringComparison.Ordinal), raw[0] == 0x1F && raw[1] == 0x8B);
        }

        [Fact]
        public void HeaderIsBigEndian()
        {
            using var stream = new MemoryStream();
            IdxFile.Write(stream, new IdxArray(new[] { 258 }, new byte[258]));
            byte[] bytes = stream.ToArray();
            Assert.Equal(new byte[] { 0, 0, 8, 1, 0, 0, 1, 2 }, bytes[..8]);
        }

        [Fact]
        public void GzipIsRecognisedBySignatureNotByName()
        {
            using var folder = new TemporaryFolder();
            string path = folder.Combine("labels-without-extension");
            using (var file = File.Create(path))
            using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
                IdxFile.Write(gzip, new IdxArray(new[] { 4 }, new byte[] { 1, 2, 3, 4 }));

            Assert.Equal(new byte[] { 1, 2, 3, 4 }, IdxFile.Read(path).Data);
        }

        [Fact]
        public void CorruptMagicNumberIsRejectedWithAClearMessage()
        {
            var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(new MemoryStream(new byte[] { 0x12, 0x34, 0x08, 0x01, 0, 0, 0, 0 }), "bad.idx"));
            Assert.Contains("bad.idx", ex.Message);
            Assert.Contains("magic number", ex.Message);
        }

        [Fact]
        public void NonByteDataTypeIsRejected()
        {
            var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(new MemoryStream(new byte[] { 0, 0, 0x0D, 0x01, 0, 0, 0, 0 }), "floats.idx"));
            Assert.Contains("0x0D", ex.Message);
        }

        [Fact]
        public void TruncatedDataIsRejected()
        {
            var bytes = new byte[] { 0, 0, 8, 1, 0, 0, 0, 5, 1, 2, 3 };
            var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(new MemoryStream(bytes), "short.idx"));
            Assert.Contains("truncated", ex.Message);
        }

        [Fact]
        public void TrailingDataIsRejected()
        {
            var bytes = new byte[] { 0, 0, 8, 1, 0, 0, 0, 2, 1, 2, 3 };
            var ex = Assert.Throws<InvalidDataException>(() => IdxFile.Read(new MemoryStream(bytes), "long.idx"));
            Assert.Contains("more data", ex.Message);
        }

        [Fact]
        public void MissingFileNamesThePath()
        {
            var ex = Assert.Throws<FileNotFoundException>(() => IdxFile.Read("/no/such/file.idx"));
            Assert.Contains("/no/such/file.idx", ex.Message);
        }

        [Fact]
        public void ArrayRejectsDataOfTheWrongSize()
        {
            var ex = Assert.Throws<ArgumentException>(() => new IdxArray(new[] { 2, 3 }, new byte[5]));
            Assert.Equal("data", ex.ParamName);
        }
    }
}
