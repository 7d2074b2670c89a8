using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Hyena.Samples.Tests
{
    public class FashionMnistTests
    {
        [Fact]
        public void LoadsTinyGeneratedFiles()
        {
            using var folder = new TemporaryFolder();
            WriteSplit(folder.Path, "train", new byte[] { 0, 9, 3 }, gzip: true);
            WriteSplit(folder.Path, "t10k", new byte[] { 5, 1 }, gzip: false);

            FashionMnistDataset data = FashionMnist.Load(folder.Path);

            Assert.Equal(3, data.Train.Count);
            Assert.Equal(2, data.Test.Count);
            Assert.Equal(new[] { 0, 9, 3 }, data.Train.Select(i => i.ClassIndex));
            Assert.Equal(new[] { "T-shirt/top", "Ankle boot", "Dress" }, data.Train.Select(i => i.ClassName));
            Assert.Equal(new[] { "Sandal", "Trouser" }, data.Test.Select(i => i.ClassName));

            // Pixel p of image n was written as (n * 31 + p) % 256: raster order, scaled by 1/255.
            FashionMnistImage second = data.Train[1];
            Assert.Equal(FashionMnist.PixelCount, second.Pixels.Length);
            for (int p = 0; p < FashionMnist.PixelCount; p++)
                Assert.Equal(((31 + p) % 256) / 255f, second.Pixels[p]);
            Assert.All(data.Train.SelectMany(i => i.Pixels), v => Assert.InRange(v, 0f, 1f));
        }

        [Fact]
        public void MissingFolderSaysHowToGetTheData()
        {
            var ex = Assert.Throws<DirectoryNotFoundException>(() => FashionMnist.Load("/no/such/fashion-mnist"));
            Assert.Contains("/no/such/fashion-mnist", ex.Message);
            Assert.Contains("sudo apt-get install dataset-fashion-mnist", ex.Message);
            Assert.Contains("train-images-idx3-ubyte", ex.Message);
        }

        [Fact]
        public void MissingFileSaysWhichAndHowToGetTheData()
        {
            using var folder = new TemporaryFolder();
            WriteSplit(folder.Path, "train", new byte[] { 1 }, gzip: true);

            var ex = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(folder.Path));
            Assert.Contains("t10k-images-idx3-ubyte", ex.Message);
            Assert.Contains("apt-get install dataset-fashion-mnist", ex.Message);
        }

        [Fact]
        public void CorruptImagesHeaderIsRejected()
        {
            using var folder = new TemporaryFolder();
            WriteSplit(folder.Path, "train", new byte[] { 1, 2 }, gzip: false);
            string images = Path.Combine(folder.Path, "train-images-idx3-ubyte");
            byte[] bytes = File.ReadAllBytes(images);
            bytes[0] = 0xFF;
            File.WriteAllBytes(images, bytes);

            var ex = Assert.Throws<InvalidDataException>(() => FashionMnist.LoadTrain(folder.Path));
            Assert.Contains("magic number", ex.Message);
            Assert.Contains(images, ex.Message);
        }

        [Fact]
        public void LabelsFileInPlaceOfImagesIsRejected()
        {
            using var folder = new TemporaryFolder();
            IdxFile.Write(Path.Combine(folder.Path, "train-images-idx3-ubyte"), new IdxArray(new[] { 2 }, new byte[] { 1, 2 }));
            IdxFile.Write(Path.Combine(folder.Path, "train-labels-idx1-ubyte"), new IdxArray(new[] { 2 }, new byte[] { 1, 2 }));

            var ex = Assert.Throws<InvalidDataException>(() => FashionMnist.LoadTrain(folder.Path));
            Assert.Contains("0x00000803", ex.Message);
        }

        [Fact]
        public void CountMismatchIsRejected()
        {
            using var folder = new TemporaryFolder();
            WriteSplit(folder.Path, "train", new byte[] { 1, 2, 3 }, gzip: false);
            IdxFile.Write(Path.Combine(folder.Path, "train-labels-idx1-ubyte"), new IdxArray(new[] { 2 }, new byte[] { 1, 2 }));

            var ex = Assert.Throws<InvalidDataException>(() => FashionMnist.LoadTrain(folder.Path));
            Assert.Contains("3 images", ex.Message);
            Assert.Contains("2 labels", ex.Message);
        }

        [Fact]
        public void LabelOutOfRangeIsRejected()
        {
            using var folder = new TemporaryFolder();
            WriteSplit(folder.Path, "train", new byte[] { 1, 10 }, gzip: false);

            var ex = Assert.Throws<InvalidDataException>(() => FashionMnist.LoadTrain(folder.Path));
            Assert.Contains("label 10", ex.Message);
        }

        [Fact]
        public void WrongImageSizeIsRejected()
        {
            using var folder = new TemporaryFolder();
            IdxFile.Write(Path.Combine(folder.Path, "train-images-idx3-ubyte"), new IdxArray(new[] { 1, 27, 28 }, new byte[27 * 28]));
            IdxFile.Write(Path.Combine(folder.Path, "train-labels-idx1-ubyte"), new IdxArray(new[] { 1 }, new byte[] { 1 }));

            var ex = Assert.Throws<InvalidDataException>(() => FashionMnist.LoadTrain(folder.Path));
            Assert.Contains("27 x 28", ex.Message);
        }

        [Fact]
        public void CommittedSubsetHas600And200ImagesPerClass()
        {
            string? subset = FashionMnist.FindSubsetFolder();
            Assert.NotNull(subset);

            FashionMnistDataset data = FashionMnist.Load(subset);

            Assert.Equal(6000, data.Train.Count);
            Assert.Equal(2000, data.Test.Count);
            Assert.All(data.Train.GroupBy(i => i.ClassIndex), g => Assert.Equal(600, g.Count()));
            Assert.All(data.Test.GroupBy(i => i.ClassIndex), g => Assert.Equal(200, g.Count()));
            Assert.Equal(10, data.Train.Select(i => i.ClassIndex).Distinct().Count());
            Assert.Equal(10, data.Test.Select(i => i.ClassIndex).Distinct().Count());
            // The official order keeps the classes interleaved (the first training labels are 9, 0, 0, 3, 0, 2).
            Assert.Equal(new[] { 9, 0, 0, 3, 0, 2 }, data.Train.Take(6).Select(i => i.ClassIndex));
            Assert.Equal(new[] { 9, 2, 1, 1, 6, 1 }, data.Test.Take(6).Select(i => i.ClassIndex));
        }

        [Theory]
        [InlineData("train-images-idx3-ubyte.gz", "cf313073c7eb485392848071d5c433571d7166043e971e3345b095cc30518084")]
        [InlineData("train-labels-idx1-ubyte.gz", "097b93fbcf9bd5bc648b1a457ddc55c9e4ab49afb33f9ecae8ce068399a75e3a")]
        [InlineData("t10k-images-idx3-ubyte.gz", "15a92dd1e9b16ea361928086e77df4dfa890c255c00b5a8c8162c1040ce8eef1")]
        [InlineData("t10k-labels-idx1-ubyte.gz", "234596aeb6eb48133ec99a62541f90bc0728c9559a681f1e0638037462458f2c")]
        public void CommittedSubsetMatchesTheChecksumsOfItsReadme(string file, string sha256)
        {
            string subset = FashionMnist.FindSubsetFolder() ?? throw new DirectoryNotFoundException(FashionMnist.SubsetRelativePath);
            IdxArray array = IdxFile.Read(Path.Combine(subset, file));
            using var uncompressed = new MemoryStream();
            IdxFile.Write(uncompressed, array);

            Assert.Equal(sha256, Convert.ToHexStringLower(SHA256.HashData(uncompressed.ToArray())));
            Assert.Contains(sha256, File.ReadAllText(Path.Combine(subset, "README.md")));
        }

        [Fact]
        public void RowsLoadIntoMlNet()
        {
            var images = new[]
            {
                new FashionMnistImage(Enumerable.Repeat(0.5f, FashionMnist.PixelCount).ToArray(), 1),
                new FashionMnistImage(new float[FashionMnist.PixelCount], 8),
            };
            var ml = new MLContext(seed: 1);

            IDataView view = ml.Data.LoadFromEnumerable(FashionMnist.ToRows(images));

            var features = view.Schema["Features"];
            Assert.Equal(FashionMnist.PixelCount, Assert.IsType<VectorDataViewType>(features.Type).Size);
            Assert.Equal(new[] { "Trouser", "Bag" }, view.GetColumn<string>("Label").ToArray());
        }

        [Fact]
        public void ClassNamesMapBothWays()
        {
            Assert.Equal(10, FashionMnist.ClassNames.Count);
            for (int c = 0; c < 10; c++)
                Assert.Equal(c, FashionMnist.GetClassIndex(FashionMnist.ClassNames[c]));
            Assert.Throws<ArgumentException>(() => FashionMnist.GetClassIndex("Hat"));
        }

        private static void WriteSplit(string folder, string prefix, byte[] labels, bool gzip)
        {
            var pixels = new byte[labels.Length * FashionMnist.PixelCount];
            for (int n = 0; n < labels.Length; n++)
            {
                for (int p = 0; p < FashionMnist.PixelCount; p++)
                    pixels[(n * FashionMnist.PixelCount) + p] = (byte)(((n * 31) + p) % 256);
            }

            string extension = gzip ? ".gz" : string.Empty;
            IdxFile.Write(Path.Combine(folder, prefix + "-images-idx3-ubyte" + extension), new IdxArray(new[] { labels.Length, 28, 28 }, pixels));
            IdxFile.Write(Path.Combine(folder, prefix + "-labels-idx1-ubyte" + extension), new IdxArray(new[] { labels.Length }, labels));
        }
    }
}
