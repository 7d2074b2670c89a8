using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML.Hyena;
using TorchSharp;

namespace Hyena.Benchmarks
{
    /// <summary>What the CSV files record about the run: machine, command, date.</summary>
    internal static class Machine
    {
        /// <summary>Whether float32 matrix products run in TF32 (--tf32).</summary>
        public static bool Tf32 { get; set; }

        public static string Command()
        {
            var args = Environment.GetCommandLineArgs();
            var parts = new[] { Environment.ProcessPath ?? args[0] }.Concat(args.Skip(1));
            // Under `dotnet app.dll` the first argument is the dll: keep it.
            if (Environment.ProcessPath is string host && Path.GetFileNameWithoutExtension(host) == "dotnet")
                parts = new[] { host, args[0] }.Concat(args.Skip(1));
            return string.Join(" ", parts.Select(Quote));
        }

        private static string Quote(string s) => s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_./:=,+@%".Contains(c)) ? s : "'" + s.Replace("'", "'\\''") + "'";

        public static string CpuModel()
        {
            try
            {
                var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                return line is null ? "unknown CPU" : line.Substring(line.IndexOf(':') + 1).Trim();
            }
            catch (IOException)
            {
                return "unknown CPU";
            }
        }

        /// <summary>GPU name from NVML, else nvidia-smi, else null.</summary>
        public static string? GpuName(int index)
        {
            if (Nvml.Name(index) is string name)
            {
                var memory = Nvml.MemoryInfo(index);
                string total = memory is { } m ? $", {m.Total / (1024.0 * 1024 * 1024):0.#} GiB" : "";
                string driver = Nvml.DriverVersion() is string d ? $", driver {d}" : "";
                return name + total + driver;
            }
            try
            {
                var start = new ProcessStartInfo("nvidia-smi", "--query-gpu=name,memory.total,driver_version --format=csv,noheader")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                using var process = Process.Start(start);
                if (process is null)
                    return null;
                var output = process.StandardOutput.ReadToEndAsync();
                if (!process.WaitForExit(5000))
                {
                    process.Kill(true);
                    return null;
                }
                var lines = output.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                return lines.Length > index ? lines[index] : lines.FirstOrDefault();
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException)
            {
                return null;
            }
        }

        public static string Describe(torch.Device device)
        {
            var sb = new StringBuilder();
            sb.Append($"host {Environment.MachineName}; CPU {CpuModel()} x {Environment.ProcessorCount} logical cores");
            if (device.type == DeviceType.CUDA)
                sb.Append($"; GPU {GpuName(device.index < 0 ? 0 : device.index) ?? "unknown"}");
            else
                sb.Append("; device cpu");
            return sb.ToString();
        }

        public static string[] Header(string verb, torch.Device device, string memoryMethod)
        {
            return new[]
            {
                $"verb: {verb}",
                $"command: {Command()}",
                $"utc: {DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)}",
                $"machine: {Describe(device)}",
                $"device: {device}; float32 matmul in TF32: {(Tf32 ? "yes" : "no")}",
                $"cuda: {TorchBackend.CudaReport}",
                $"torchsharp: {typeof(torch).Assembly.GetName().Version}; libtorch {torch.__version__} (TorchSharp build target)",
                $"memory: {memoryMethod}",
            };
        }

        /// <summary>Peak resident set size of this process (VmHWM), in MiB.</summary>
        public static double PeakRssMiB()
        {
            try
            {
                var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is null)
                    return double.NaN;
                var kb = double.Parse(line.Substring(6).Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
            catch (IOException)
            {
                return double.NaN;
            }
        }
    }
}
