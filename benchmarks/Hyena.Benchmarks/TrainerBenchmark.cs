using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Hyena;
using TorchSharp;

namespace Hyena.Benchmarks
{
    /// <summary>
    /// The ML.NET trainer end to end, by text length: training tokens per second, single-row
    /// PredictionEngine latency (median and 90th percentile), and batched Transform rows per second.
    /// Text is generated (random letters with a marker word) so that nothing needs downloading.
    /// </summary>
    internal static class TrainerBenchmark
    {
        public sealed class TextRow
        {
            public string Text { get; set; } = "";
            public string Label { get; set; } = "";
        }

        private sealed class Prediction
        {
            public uint PredictedLabel { get; set; }
            public float[] Score { get; set; } = Array.Empty<float>();
        }

        public static int Run(Options options, torch.Device device, string deviceText)
        {
            var lengths = options.Lengths("lengths", new long[] { 256, 1024, 4096 });
            int rows = options.Int("rows", 512);
            int width = options.Int("width", 64);
            int depth = options.Int("depth", 2);
            int batch = options.Int("batch", 16);
            int scoringBatch = options.Int("scoring-batch", 64);
            int predictions = options.Int("predictions", 50);
            string outDir = options.Get("out", "bench-out");
            options.CheckAllUsed();

            var header = Machine.Header("trainer", device, "not measured in this verb")
                .Append($"setup: text classifier, {rows} generated rows per length, width {width}, depth {depth}, batch {batch}, 1 epoch; " +
                        $"PredictionEngine: median of {predictions} single rows after 5 warm-up; Transform: {rows} rows, scoring batch {scoringBatch}");
            using var report = new Report(Path.Combine(outDir, "trainer.csv"), header,
                "length", "train_tokens_per_s", "predict_median_ms", "predict_p90_ms", "transform_rows_per_s", "transform_tokens_per_s");
            foreach (long length in lengths)
            {
                var ml = new MLContext(seed: 1);
                var data = ml.Data.LoadFromEnumerable(Rows(rows, (int)length, seed: 1));
                double trainTokensPerSecond = 0;
                var trainer = ml.MulticlassClassification.Trainers.HyenaTextClassification(new HyenaTextClassificationTrainer.Options
                {
                    MaxSequenceLength = (int)length,
                    ModelDimension = width,
                    Depth = depth,
                    MaxEpochs = 1,
                    BatchSize = batch,
                    ScoringBatchSize = scoringBatch,
                    Seed = 1,
                    Device = HyenaDevice.Parse(deviceText),
                    ShouldContinue = p => { trainTokensPerSecond = p.TokensPerSecond; return true; },
                });
                using var model = ml.Transforms.Conversion.MapValueToKey("Label").Append(trainer).Fit(data);

                // Single rows through a PredictionEngine.
                var engine = ml.Model.CreatePredictionEngine<TextRow, Prediction>(model, new PredictionEngineOptions { OwnsTransformer = false });
                var samples = Rows(predictions + 5, (int)length, seed: 2);
                var times = new List<double>();
                for (int i = 0; i < samples.Count; i++)
                {
                    var watch = Stopwatch.StartNew();
                    engine.Predict(samples[i]);
                    if (i >= 5)
                        times.Add(watch.Elapsed.TotalMilliseconds);
                }
                engine.Dispose();
                times.Sort();

                // Batched scoring of the whole set.
                var clock = Stopwatch.StartNew();
                long scored = model.Transform(data).GetColumn<float[]>("Score").LongCount();
                double seconds = clock.Elapsed.TotalSeconds;

                report.Add(Options.FormatLength(length), trainTokensPerSecond, times[times.Count / 2], times[(int)(times.Count * 0.9)],
                    scored / seconds, scored * length / seconds);
            }
            Console.WriteLine();
            Console.WriteLine(report.Table());
            Console.WriteLine($"CSV: {report.Path}");
            return 0;
        }

        // Random lowercase letters of the given length with one of three marker words at a random place.
        private static List<TextRow> Rows(int count, int length, int seed)
        {
            string[] markers = { "alpha", "bravo", "charlie" };
            var random = new Random(seed);
            var rows = new List<TextRow>(count);
            for (int i = 0; i < count; i++)
            {
                int cls = random.Next(markers.Length);
                var text = new StringBuilder(length);
                while (text.Length < length)
                    text.Append((char)('d' + random.Next(20)));
                string marker = " " + markers[cls] + " ";
                int at = random.Next(Math.Max(1, length - marker.Length));
                text.Remove(at, Math.Min(marker.Length, text.Length - at)).Insert(at, marker);
                rows.Add(new TextRow { Text = text.ToString(0, length), Label = markers[cls] });
            }
            return rows;
        }
    }
}
