using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using TorchSharp;

namespace Hyena.Benchmarks
{
    /// <summary>
    /// A timed cell: status (ok, OOM, ERR, SKIP), median and minimum in ms, repetitions, and the median time the host took to
    /// issue a repetition (until the call returned, before the device synchronisation; NaN where not measured): where it
    /// is close to the median, the host's issue of the work bounds the cell, not the device.
    /// </summary>
    internal sealed record Measurement(string Status, double MedianMs, double MinMs, int Reps, string Note = "", double IssueMedianMs = double.NaN)
    {
        public bool Ok => Status == "ok";

        public static Measurement Failed(string status, string note) => new(status, double.NaN, double.NaN, 0, note);
    }

    internal static class Timing
    {
        public static void Synchronize(torch.Device device)
        {
            if (device.type == DeviceType.CUDA)
                torch.cuda.synchronize(device);
        }

        /// <summary>Whether <paramref name="e"/> is the device (or host) running out of memory.</summary>
        public static bool IsOutOfMemory(Exception e)
        {
            for (var x = e; x is not null; x = x.InnerException)
            {
                string m = x.Message;
                if (x is OutOfMemoryException
                    || m.Contains("out of memory", StringComparison.OrdinalIgnoreCase)
                    || m.Contains("CUBLAS_STATUS_ALLOC_FAILED", StringComparison.Ordinal)
                    || m.Contains("CUFFT_ALLOC_FAILED", StringComparison.Ordinal)
                    || m.Contains("CUDNN_STATUS_ALLOC_FAILED", StringComparison.Ordinal)
                    || m.Contains("DefaultCPUAllocator: can't allocate", StringComparison.Ordinal))
                    return true;
            }
            return false;
        }

        private static double Median(List<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }

        public static string FirstLine(string message)
        {
            string line = message.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
            return line.Length > 160 ? line.Substring(0, 160) + "..." : line;
        }

        /// <summary>
        /// Runs <paramref name="run"/> <paramref name="warmup"/> times, then up to <paramref name="reps"/>
        /// timed times (stopping early once <paramref name="maxSeconds"/> have passed and at least
        /// <paramref name="minReps"/> were timed), each between device synchronisations. Out of memory and
        /// other errors come back as a status, never as an exception.
        /// </summary>
        public static Measurement Time(Action run, torch.Device device, int warmup, int reps, double maxSeconds, int minReps = 3)
        {
            try
            {
                var budget = Stopwatch.StartNew();
                for (int i = 0; i < warmup; i++)
                {
                    run();
                    Synchronize(device);
                    if (budget.Elapsed.TotalSeconds > maxSeconds / 2)
                        break; // a slow cell: the first run (allocator, cuFFT plans, cuDNN choice) was warm-up enough
                }
                var times = new List<double>();
                var issued = new List<double>();
                budget.Restart();
                for (int i = 0; i < reps; i++)
                {
                    Synchronize(device);
                    var watch = Stopwatch.StartNew();
                    run();
                    issued.Add(watch.Elapsed.TotalMilliseconds);
                    Synchronize(device);
                    times.Add(watch.Elapsed.TotalMilliseconds);
                    if (budget.Elapsed.TotalSeconds > maxSeconds && times.Count >= Math.Min(minReps, reps))
                        break;
                }
                return new Measurement("ok", Median(times), times.Min(), times.Count, IssueMedianMs: Median(issued));
            }
            catch (Exception e) when (IsOutOfMemory(e))
            {
                return Measurement.Failed("OOM", FirstLine(e.Message));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return Measurement.Failed("ERR", e.GetType().Name + ": " + FirstLine(e.Message));
            }
            finally
            {
                // Releases the native tensors of wrappers that were not disposed, so that the next cell
                // starts with the memory of this one back in the caching allocator.
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        }
    }
}
