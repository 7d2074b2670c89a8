using System;
using System.Runtime.InteropServices;
using System.Text;

namespace Hyena.Benchmarks
{
    /// <summary>
    /// The few NVML calls the benchmarks need (libnvidia-ml.so.1, shipped with every NVIDIA driver):
    /// device name and memory in use. Used for peak device memory because TorchSharp 0.107 exposes no
    /// CUDA memory statistics (no torch.cuda.max_memory_allocated), and libtorch's caching allocator
    /// has no stable C entry point. NVML reports the device's used memory: the CUDA context plus what
    /// the caching allocator reserved, which it keeps (never returns) unless an allocation fails, so its
    /// high-water mark in a process of its own is the peak reserved memory of that process.
    /// </summary>
    internal static unsafe class Nvml
    {
        [StructLayout(LayoutKind.Sequential)]
        private struct Memory
        {
            public ulong Total;
            public ulong Free;
            public ulong Used;
        }

        private static readonly object _gate = new();
        private static bool _tried;
        private static bool _ok;
        private static delegate* unmanaged<int> _init;
        private static delegate* unmanaged<uint, IntPtr*, int> _handleByIndex;
        private static delegate* unmanaged<IntPtr, Memory*, int> _memoryInfo;
        private static delegate* unmanaged<IntPtr, byte*, uint, int> _name;
        private static delegate* unmanaged<byte*, uint, int> _driverVersion;

        public static bool Available
        {
            get
            {
                lock (_gate)
                {
                    if (_tried)
                        return _ok;
                    _tried = true;
                    try
                    {
                        if (!NativeLibrary.TryLoad("libnvidia-ml.so.1", out var lib))
                            return false;
                        _init = (delegate* unmanaged<int>)Export(lib, "nvmlInit_v2");
                        _handleByIndex = (delegate* unmanaged<uint, IntPtr*, int>)Export(lib, "nvmlDeviceGetHandleByIndex_v2");
                        _memoryInfo = (delegate* unmanaged<IntPtr, Memory*, int>)Export(lib, "nvmlDeviceGetMemoryInfo");
                        _name = (delegate* unmanaged<IntPtr, byte*, uint, int>)Export(lib, "nvmlDeviceGetName");
                        _driverVersion = (delegate* unmanaged<byte*, uint, int>)Export(lib, "nvmlSystemGetDriverVersion");
                        _ok = _init() == 0;
                    }
                    catch (Exception e) when (e is EntryPointNotFoundException || e is DllNotFoundException)
                    {
                        _ok = false;
                    }
                    return _ok;
                }
            }
        }

        private static IntPtr Export(IntPtr lib, string name) => NativeLibrary.GetExport(lib, name);

        /// <summary>NVML's index of CUDA device <paramref name="cudaIndex"/>: the entry of CUDA_VISIBLE_DEVICES when it lists indices.</summary>
        private static uint NvmlIndex(int cudaIndex)
        {
            string? visible = Environment.GetEnvironmentVariable("CUDA_VISIBLE_DEVICES");
            if (!string.IsNullOrWhiteSpace(visible))
            {
                var parts = visible.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (cudaIndex < parts.Length && uint.TryParse(parts[cudaIndex], out uint mapped))
                    return mapped;
            }
            return (uint)cudaIndex;
        }

        private static IntPtr Device(int cudaIndex)
        {
            if (!Available)
                return IntPtr.Zero;
            IntPtr handle;
            return _handleByIndex(NvmlIndex(cudaIndex), &handle) == 0 ? handle : IntPtr.Zero;
        }

        /// <summary>Used and total device memory in bytes, or null without NVML.</summary>
        public static (ulong Used, ulong Total)? MemoryInfo(int cudaIndex = 0)
        {
            var device = Device(cudaIndex);
            if (device == IntPtr.Zero)
                return null;
            Memory memory;
            return _memoryInfo(device, &memory) == 0 ? (memory.Used, memory.Total) : null;
        }

        public static string? Name(int cudaIndex = 0)
        {
            var device = Device(cudaIndex);
            if (device == IntPtr.Zero)
                return null;
            byte* buffer = stackalloc byte[256];
            return _name(device, buffer, 256) == 0 ? Marshal.PtrToStringUTF8((IntPtr)buffer) : null;
        }

        public static string? DriverVersion()
        {
            if (!Available)
                return null;
            byte* buffer = stackalloc byte[128];
            return _driverVersion(buffer, 128) == 0 ? Marshal.PtrToStringUTF8((IntPtr)buffer) : null;
        }
    }
}
