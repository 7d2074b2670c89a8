using System;
using System.Globalization;
using TorchSharp;

namespace Microsoft.ML.Hyena
{
    /// <summary>Which kind of device a <see cref="HyenaDevice"/> names.</summary>
    public enum HyenaDeviceKind
    {
        /// <summary>The first CUDA device when one is available, else the CPU.</summary>
        Auto,
        /// <summary>The CPU.</summary>
        Cpu,
        /// <summary>A CUDA device, by index.</summary>
        Cuda,
    }

    /// <summary>
    /// Where a model trains and scores: <see cref="Auto"/> (CUDA when present, else CPU),
    /// <see cref="Cpu"/>, or <see cref="Cuda(int)"/> with a device index.
    /// </summary>
    public readonly record struct HyenaDevice
    {
        private HyenaDevice(HyenaDeviceKind kind, int index)
        {
            Kind = kind;
            Index = index;
        }

        /// <summary>The kind of device.</summary>
        public HyenaDeviceKind Kind { get; }

        /// <summary>The CUDA device index (0 for other kinds).</summary>
        public int Index { get; }

        /// <summary>CUDA when available, else the CPU.</summary>
        public static HyenaDevice Auto => new(HyenaDeviceKind.Auto, 0);

        /// <summary>The CPU.</summary>
        public static HyenaDevice Cpu => new(HyenaDeviceKind.Cpu, 0);

        /// <summary>The CUDA device with the given index.</summary>
        public static HyenaDevice Cuda(int index = 0)
        {
            if (index < 0)
                throw new ArgumentOutOfRangeException(nameof(index), index, "A CUDA device index must be at least 0.");
            return new(HyenaDeviceKind.Cuda, index);
        }

        /// <summary>Parses "auto", "cpu", "cuda" or "cuda:N" (case-insensitive).</summary>
        public static HyenaDevice Parse(string text)
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

        /// <summary>
        /// The TorchSharp device this names, on this machine. Auto picks CUDA when the CUDA backend
        /// loads and reports a device. A CUDA device that is not present is an error naming it.
        /// </summary>
        public torch.Device Resolve()
        {
            switch (Kind)
            {
                case HyenaDeviceKind.Cpu:
                    return torch.CPU;
                case HyenaDeviceKind.Auto:
                    return TorchBackend.TryInitializeCuda() ? new torch.Device(DeviceType.CUDA, 0) : torch.CPU;
                default:
                    if (!TorchBackend.TryInitializeCuda())
                        throw new InvalidOperationException(
                            $"Device {this} was asked for, but no CUDA backend could be loaded: {TorchBackend.CudaReport}");
                    int count = torch.cuda.device_count();
                    if (Index >= count)
                        throw new InvalidOperationException($"Device {this} was asked for, but this machine has {count} CUDA device(s).");
                    return new torch.Device(DeviceType.CUDA, Index);
            }
        }

        /// <summary>"auto", "cpu" or "cuda:N".</summary>
        public override string ToString() => Kind switch
        {
            HyenaDeviceKind.Auto => "auto",
            HyenaDeviceKind.Cpu => "cpu",
            _ => "cuda:" + Index.ToString(CultureInfo.InvariantCulture),
        };
    }
}
