using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Security.Cryptography;

namespace Hyena.Samples.Tools
{
    /// <summary>
    /// Makes the committed Fashion-MNIST subset: the first N images of each class of the official training set and
    /// the first M of each class of the official test set, in their official order, written as the same four
    /// gzip-compressed IDX files.
    /// </summary>
    /// <remarks>
    /// Usage: <c>dotnet run --project samples/tools/MakeFashionMnistSubset -- [--source DIR] [--output DIR]
    /// [--train-per-class 600] [--test-per-class 200]</c>. The source defaults to Debian's
    /// /usr/share/datasets/fashion-mnist/, the output to samples/data/fashion-mnist-subset of the repository
    /// that holds the current folder.
    /// </remarks>
    internal static class Program
    {
        private static int Main(string[] args)
        {
            string source = FashionMnist.DefaultFolder;
            string? output = null;
            int trainPerClass = 600;
            int testPerClass = 200;
            for (int i = 0; i < args.Length; i++)
            {
                string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"'{args[i]}' needs a value.", nameof(args));
                switch (args[i])
                {
                    case "--source": source = value; break;
                    case "--output": output = value; break;
                    case "--train-per-class": trainPerClass = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--test-per-class": testPerClass = int.Parse(value, CultureInfo.InvariantCulture); break;
                    default:
                        Console.Error.WriteLine($"Unknown option '{args[i]}'. Options: --source DIR, --output DIR, --train-per-class N, --test-per-class N.");
                        return 2;
                }

                i++;
            }

            output ??= DefaultOutput();
            Directory.CreateDirectory(output);
            Console.WriteLine($"Source: {Path.GetFullPath(source)}");
            Console.WriteLine($"Output: {Path.GetFullPath(output)}");

            MakeSplit(source, output, FashionMnist.TrainImagesFileName, FashionMnist.TrainLabelsFileName, trainPerClass);
            MakeSplit(source, output, FashionMnist.TestImagesFileName, FashionMnist.TestLabelsFileName, testPerClass);
            return 0;
        }

        private static void MakeSplit(string source, string output, string imagesName, string labelsName, int perClass)
        {
            string imagesPath = FashionMnist.FindFile(source, imagesName);
            string labelsPath = FashionMnist.FindFile(source, labelsName);

            // Validates the headers, sizes and labels before anything is written.
            _ = FashionMnist.ReadImages(imagesPath, labelsPath);
            IdxArray images = IdxFile.Read(imagesPath);
            IdxArray labels = IdxFile.Read(labelsPath);

            var taken = new int[FashionMnist.ClassCount];
            var keep = new List<int>();
            for (int i = 0; i < labels.Count; i++)
            {
                int label = labels.Data[i];
                if (taken[label] < perClass)
                {
                    taken[label]++;
                    keep.Add(i);
                }
            }

            for (int c = 0; c < taken.Length; c++)
            {
                if (taken[c] < perClass)
                    throw new InvalidDataException($"'{labelsPath}' has only {taken[c]} images of class {c}, fewer than {perClass}.");
            }

            int itemSize = images.ItemSize;
            var imageData = new byte[keep.Count * itemSize];
            var labelData = new byte[keep.Count];
            for (int k = 0; k < keep.Count; k++)
            {
                images.GetItem(keep[k]).CopyTo(imageData.AsSpan(k * itemSize, itemSize));
                labelData[k] = labels.Data[keep[k]];
            }

            var subsetImages = new IdxArray(new[] { keep.Count, images.Dimensions[1], images.Dimensions[2] }, imageData);
            var subsetLabels = new IdxArray(new[] { keep.Count }, labelData);
            Write(Path.Combine(output, imagesName + ".gz"), subsetImages);
            Write(Path.Combine(output, labelsName + ".gz"), subsetLabels);
        }

        private static void Write(string path, IdxArray array)
        {
            IdxFile.Write(path, array);
            using var uncompressed = new MemoryStream();
            IdxFile.Write(uncompressed, array);
            string sha256 = Convert.ToHexStringLower(SHA256.HashData(uncompressed.ToArray()));
            Console.WriteLine($"{Path.GetFileName(path)}: {array.Count} items, {new FileInfo(path).Length} bytes, SHA-256 of the uncompressed IDX {sha256}");
        }

        private static string DefaultOutput()
        {
            for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Hyena.MLNet.sln")))
                    return Path.Combine(dir.FullName, FashionMnist.SubsetRelativePath);
            }

            throw new DirectoryNotFoundException("Run this from inside the repository, or pass --output DIR.");
        }
    }
}
