using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace Hyena.Samples
{
    /// <summary>
    /// Loads Fashion-MNIST (Zalando SE, MIT licence) from the four standard IDX files, gzip-compressed or not:
    /// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte
    /// (each optionally with ".gz"). Debian's package <c>dataset-fashion-mnist</c> puts them in
    /// <see cref="DefaultFolder"/>; the repository commits a small subset in the same format under
    /// <see cref="SubsetRelativePath"/> (see <see cref="FindSubsetFolder"/>).
    /// </summary>
    public static class FashionMnist
    {
        /// <summary>Where Debian's package <c>dataset-fashion-mnist</c> installs the files.</summary>
        public const string DefaultFolder = "/usr/share/datasets/fashion-mnist/";

        /// <summary>The folder of the committed subset, relative to the repository root.</summary>
        public const string SubsetRelativePath = "samples/data/fashion-mnist-subset";

        /// <summary>The width and height of an image, in pixels.</summary>
        public const int ImageSize = 28;

        /// <summary>The number of pixels of an image (28 x 28).</summary>
        public const int PixelCount = ImageSize * ImageSize;

        /// <summary>The number of classes.</summary>
        public const int ClassCount = 10;

        /// <summary>The training images file's name, without ".gz".</summary>
        public const string TrainImagesFileName = "train-images-idx3-ubyte";

        /// <summary>The training labels file's name, without ".gz".</summary>
        public const string TrainLabelsFileName = "train-labels-idx1-ubyte";

        /// <summary>The test images file's name, without ".gz".</summary>
        public const string TestImagesFileName = "t10k-images-idx3-ubyte";

        /// <summary>The test labels file's name, without ".gz".</summary>
        public const string TestLabelsFileName = "t10k-labels-idx1-ubyte";

        private static readonly string[] _classNames =
        {
            "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
        };

        /// <summary>The class names, indexed by class (0 "T-shirt/top" ... 9 "Ankle boot").</summary>
        public static IReadOnlyList<string> ClassNames => _classNames;

        /// <summary>Returns the class index of a class name.</summary>
        /// <param name="className">A name from <see cref="ClassNames"/> (exact, case-sensitive).</param>
        /// <returns>The class index, 0 to 9.</returns>
        public static int GetClassIndex(string className)
        {
            ArgumentNullException.ThrowIfNull(className);
            int index = Array.IndexOf(_classNames, className);
            if (index < 0)
                throw new ArgumentException($"'{className}' is not a Fashion-MNIST class; the classes are {string.Join(", ", _classNames)}.", nameof(className));
            return index;
        }

        /// <summary>Loads the training and test images from a folder.</summary>
        /// <param name="folder">The folder holding the four files; <see cref="DefaultFolder"/> when null.</param>
        /// <returns>The training and test images, in file order.</returns>
        /// <exception cref="DirectoryNotFoundException">The folder does not exist (the message says how to get the data).</exception>
        /// <exception cref="FileNotFoundException">A file is missing (the message says how to get the data).</exception>
        /// <exception cref="InvalidDataException">A file is not a valid Fashion-MNIST IDX file, or images and labels disagree.</exception>
        public static FashionMnistDataset Load(string? folder = null)
        {
            string resolved = ResolveFolder(folder);
            return new FashionMnistDataset(resolved, LoadTrain(resolved), LoadTest(resolved));
        }

        /// <summary>Loads the training images (train-images/train-labels) from a folder.</summary>
        /// <param name="folder">The folder holding the files; <see cref="DefaultFolder"/> when null.</param>
        /// <returns>The images, in file order.</returns>
        public static IReadOnlyList<FashionMnistImage> LoadTrain(string? folder = null)
        {
            string resolved = ResolveFolder(folder);
            return ReadImages(FindFile(resolved, TrainImagesFileName), FindFile(resolved, TrainLabelsFileName));
        }

        /// <summary>Loads the test images (t10k-images/t10k-labels) from a folder.</summary>
        /// <param name="folder">The folder holding the files; <see cref="DefaultFolder"/> when null.</param>
        /// <returns>The images, in file order.</returns>
        public static IReadOnlyList<FashionMnistImage> LoadTest(string? folder = null)
        {
            string resolved = ResolveFolder(folder);
            return ReadImages(FindFile(resolved, TestImagesFileName), FindFile(resolved, TestLabelsFileName));
        }

        /// <summary>Reads one pair of IDX files: 28 x 28 images and their labels (0 to 9).</summary>
        /// <param name="imagesPath">The images file (magic number 0x00000803, dimensions [n, 28, 28]).</param>
        /// <param name="labelsPath">The labels file (magic number 0x00000801, dimension [n]).</param>
        /// <returns>The n images, in file order.</returns>
        /// <exception cref="InvalidDataException">A header is wrong, a label is out of range, or the counts differ.</exception>
        public static IReadOnlyList<FashionMnistImage> ReadImages(string imagesPath, string labelsPath)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(imagesPath);
            ArgumentException.ThrowIfNullOrWhiteSpace(labelsPath);

            IdxArray images = IdxFile.Read(imagesPath);
            IdxArray labels = IdxFile.Read(labelsPath);
            if (images.Dimensions.Count != 3)
                throw new InvalidDataException($"'{imagesPath}' is not an IDX images file: it has {images.Dimensions.Count} dimensions (magic number 0x{0x800 + images.Dimensions.Count:X8}), not 3 (0x{IdxFile.ImagesMagicNumber:X8}).");
            if (images.Dimensions[1] != ImageSize || images.Dimensions[2] != ImageSize)
                throw new InvalidDataException($"'{imagesPath}' holds {images.Dimensions[1]} x {images.Dimensions[2]} images, not {ImageSize} x {ImageSize}.");
            if (labels.Dimensions.Count != 1)
                throw new InvalidDataException($"'{labelsPath}' is not an IDX labels file: it has {labels.Dimensions.Count} dimensions (magic number 0x{0x800 + labels.Dimensions.Count:X8}), not 1 (0x{IdxFile.LabelsMagicNumber:X8}).");
            if (images.Count != labels.Count)
                throw new InvalidDataException($"'{imagesPath}' holds {images.Count} images but '{labelsPath}' holds {labels.Count} labels.");

            var result = new FashionMnistImage[images.Count];
            byte[] data = images.Data;
            for (int i = 0; i < result.Length; i++)
            {
                int label = labels.Data[i];
                if (label >= ClassCount)
                    throw new InvalidDataException($"'{labelsPath}' has label {label} at index {i}; labels are 0 to {ClassCount - 1}.");

                var pixels = new float[PixelCount];
                int offset = i * PixelCount;
                for (int p = 0; p < PixelCount; p++)
                    pixels[p] = data[offset + p] / 255f;
                result[i] = new FashionMnistImage(pixels, label);
            }

            return result;
        }

        /// <summary>Converts images to rows for <c>MLContext.Data.LoadFromEnumerable</c>.</summary>
        /// <param name="images">The images.</param>
        /// <returns>One row per image, in order.</returns>
        public static IEnumerable<FashionMnistRow> ToRows(IEnumerable<FashionMnistImage> images)
        {
            ArgumentNullException.ThrowIfNull(images);
            return images.Select(image => image.ToRow());
        }

        /// <summary>
        /// Finds the committed subset (<see cref="SubsetRelativePath"/>) by walking up from a folder, by default the
        /// application's folder, to the repository that holds it.
        /// </summary>
        /// <param name="startDirectory">The folder to start from; <see cref="AppContext.BaseDirectory"/> when null.</param>
        /// <returns>The subset's full path, or null when no folder above holds it.</returns>
        public static string? FindSubsetFolder(string? startDirectory = null)
        {
            for (var dir = new DirectoryInfo(startDirectory ?? AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, SubsetRelativePath);
                if (Directory.Exists(candidate))
                    return candidate;
            }

            return null;
        }

        /// <summary>Returns the path of one of the four files in a folder: the name as given, or with ".gz".</summary>
        /// <param name="folder">The folder.</param>
        /// <param name="fileName">One of the four file names, without ".gz".</param>
        /// <returns>The path of the file found.</returns>
        /// <exception cref="FileNotFoundException">Neither name exists (the message says how to get the data).</exception>
        public static string FindFile(string folder, string fileName)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(folder);
            ArgumentException.ThrowIfNullOrWhiteSpace(fileName);

            string plain = Path.Combine(folder, fileName);
            if (File.Exists(plain))
                return plain;
            string gzip = plain + ".gz";
            if (File.Exists(gzip))
                return gzip;

            throw new FileNotFoundException(
                $"Fashion-MNIST file '{fileName}' (or '{fileName}.gz') is missing from '{folder}'. {HowToGetTheData}", gzip);
        }

        private static string HowToGetTheData =>
            "To get Fashion-MNIST, install Debian's package with 'sudo apt-get install dataset-fashion-mnist' "
            + $"(it puts the four files in {DefaultFolder}), or point to any folder holding "
            + $"{TrainImagesFileName}, {TrainLabelsFileName}, {TestImagesFileName} and {TestLabelsFileName} (each optionally .gz); "
            + $"a small subset is committed in this repository under {SubsetRelativePath}.";

        private static string ResolveFolder(string? folder)
        {
            string resolved = string.IsNullOrWhiteSpace(folder) ? DefaultFolder : folder;
            if (!Directory.Exists(resolved))
                throw new DirectoryNotFoundException($"Fashion-MNIST folder '{resolved}' does not exist. {HowToGetTheData}");
            return resolved;
        }
    }
}
