using System;
using System.Globalization;

namespace Microsoft.ML.Hyena.AutoML
{
    /// <summary>Which kind of device a <see cref="SweepDevice"/> names.</summary>
    public enum SweepDeviceKind
    {
        /// <summary>Whatever the trial runner picks (for Hyena: the first CUDA device when present, else the CPU).</summary>
        Auto,
        /// <summary>The CPU.</summary>
        Cpu,
        /// <summary>A CUDA device, by index.</summary>
        Cuda,
    }

    /// <summary>
    /// A place where one trial runs at a time. A sweep runs as many trials at once as it has devices
    /// (see <see cref="SweepExperiment{TModel}.SetDevices(SweepDevice[])"/>); a device may be listed several
    /// times (for example the CPU, to run several CPU trials at once). The sweep engine does not interpret
    /// devices: it hands one to each trial, and the trial runner maps it to its own device type.
    /// </summary>
    public readonly record struct SweepDevice
    {
        private SweepDevice(SweepDeviceKind kind, int index)
        {
            Kind = kind;
            Index = index;
        }

        /// <summary>The kind of device.</summary>
        public SweepDeviceKind Kind { get; }

        /// <summary>The CUDA device index (0 for other kinds).</summary>
        public int Index { get; }

        /// <summary>Whatever the trial runner picks.</summary>
        public static SweepDevice Auto => new(SweepDeviceKind.Auto, 0);

        /// <summary>The CPU.</summary>
        public static SweepDevice Cpu => new(SweepDeviceKind.Cpu, 0);

        /// <summary>The CUDA device with the given index.</summary>
        public static SweepDevice Cuda(int index = 0)
        {
            if (index < 0)
                throw new ArgumentOutOfRangeException(nameof(index), index, "A CUDA device index must be at least 0.");
            return new(SweepDeviceKind.Cuda, index);
        }

        /// <summary>Parses "auto", "cpu", "cuda" or "cuda:N" (case-insensitive), as written by <see cref="ToString"/>.</summary>
        public static SweepDevice Parse(string text)
        {
            string value = (text ?? throw new ArgumentNullException(nameof(text))).Trim().ToLowerInvariant();
            if (value == "auto") return Auto;
            if (value == "cpu") return Cpu;
            if (value == "cuda") return Cuda();
            if (value.StartsWith("cuda:", StringComparison.Ordinal)
                && int.TryParse(value.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out int index))
                return Cuda(index);
            throw new FormatException($"'{text}' is not a device: use auto, cpu, cuda or cuda:N.");
        }

        /// <summary>"auto", "cpu" or "cuda:N".</summary>
        public override string ToString() => Kind switch
        {
            SweepDeviceKind.Auto => "auto",
            SweepDeviceKind.Cpu => "cpu",
            _ => "cuda:" + Index.ToString(CultureInfo.InvariantCulture),
        };
    }
}
