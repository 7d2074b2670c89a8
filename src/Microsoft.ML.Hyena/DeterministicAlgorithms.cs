using System;
using System.Runtime.InteropServices;
using Microsoft.ML.Hyena.Native;
using TorchSharp;

namespace Microsoft.ML.Hyena
{
    /// <summary>
    /// libtorch's switch for deterministic algorithms (<c>torch.use_deterministic_algorithms</c> in PyTorch;
    /// <c>at::Context::setDeterministicAlgorithms</c>), which TorchSharp 0.107 does not expose: with it on, the libtorch
    /// operations that have a nondeterministic CUDA implementation (for example an index or embedding backward pass that
    /// adds with atomics) take their deterministic one, and those that have none throw. Two trainings from one seed on
    /// CUDA then give the same weights bit for bit: measured on an H200 (docs/results.md, nineteenth session), where
    /// without it two such trainings differ from the first epoch on. The library's own CUDA kernels add without atomics.
    /// </summary>
    /// <remarks>
    /// The switch is process-wide. <see cref="Enable"/> counts its holders, so that trainings running at the same time
    /// (sweep trials on several GPUs) keep it on until the last of them is done; while it is on, every libtorch operation in
    /// the process is affected. cuBLAS needs the environment variable <see cref="CublasWorkspaceVariable"/> for it (libtorch
    /// checks, and otherwise throws at the first matrix product): <see cref="Enable"/> sets it to <c>:4096:8</c> in the
    /// process's native environment when it is not set, and rejects other values than the two cuBLAS documents. The
    /// switch is reached through the loaded libtorch_cpu.so on Linux; elsewhere <see cref="Enable"/> is a no-op for the CPU
    /// (whose training is repeatable without it) and throws for CUDA.
    /// </remarks>
    public static class DeterministicAlgorithms
    {
        /// <summary>The environment variable cuBLAS and libtorch read for deterministic cuBLAS workspaces.</summary>
        public const string CublasWorkspaceVariable = "CUBLAS_WORKSPACE_CONFIG";

        /// <summary>The value <see cref="Enable"/> sets when <see cref="CublasWorkspaceVariable"/> is not set.</summary>
        public const string DefaultCublasWorkspaceConfig = ":4096:8";

        private static readonly object _gate = new();
        private static int _holders;
        private static bool _before;
        private static Switch? _switch;   // found once: libtorch stays loaded

        /// <summary>Whether libtorch's deterministic algorithms are on now (off Linux: false, the switch not being reached).</summary>
        public static bool Enabled
        {
            get
            {
                return OperatingSystem.IsLinux() && Found().Get();
            }
        }

        /// <summary>
        /// Turns libtorch's deterministic algorithms on until the returned object is disposed (or the last holder's is, when
        /// several hold it at once), then back to what they were before the first holder. For a CUDA
        /// <paramref name="device"/>, first sets <see cref="CublasWorkspaceVariable"/> to
        /// <see cref="DefaultCublasWorkspaceConfig"/> when unset.
        /// </summary>
        /// <exception cref="InvalidOperationException"><see cref="CublasWorkspaceVariable"/> holds a value other than
        /// <c>:4096:8</c> or <c>:16:8</c> (for a CUDA device).</exception>
        /// <exception cref="NotSupportedException">The loaded libtorch lacks the switch's entry points.</exception>
        /// <exception cref="PlatformNotSupportedException">A CUDA device off Linux.</exception>
        public static IDisposable Enable(torch.Device device)
        {
            if (device is null)
                throw new ArgumentNullException(nameof(device));
            if (!OperatingSystem.IsLinux())
            {
                return device.type == DeviceType.CUDA
                    ? throw new PlatformNotSupportedException("Deterministic training on CUDA reaches libtorch's switch through libtorch_cpu.so on Linux only.")
                    : new Holder(() => { });                                           // the CPU trains repeatably as it is
            }
            var libtorch = Found();
            if (device.type == DeviceType.CUDA)
                EnsureCublasWorkspaceConfig();
            lock (_gate)
            {
                if (_holders++ == 0)
                {
                    _before = libtorch.Get();
                    libtorch.Set(true);
                }
            }
            return new Holder(() =>
            {
                lock (_gate)
                {
                    if (--_holders == 0)
                        libtorch.Set(_before);
                }
            });
        }

        /// <summary>
        /// Null when <paramref name="value"/> is a value of <see cref="CublasWorkspaceVariable"/> that makes cuBLAS
        /// deterministic (<c>:4096:8</c> or <c>:16:8</c>) or unset (null, which <see cref="Enable"/> then sets); else what is
        /// wrong, naming the variable.
        /// </summary>
        internal static string? CheckCublasWorkspaceConfig(string? value)
            => value is null or ":4096:8" or ":16:8"
                ? null
                : $"{CublasWorkspaceVariable} is '{value}', but deterministic training on CUDA needs ':4096:8' or ':16:8' (cuBLAS's deterministic workspaces); set it to one of them, or unset it (the trainer then sets ':4096:8').";

        private static void EnsureCublasWorkspaceConfig()
        {
            // The native environment, which libtorch and cuBLAS read (.NET keeps its own copy of variables it sets on Linux).
            var value = Marshal.PtrToStringUTF8(GetEnv(CublasWorkspaceVariable));
            if (CheckCublasWorkspaceConfig(value) is string problem)
                throw new InvalidOperationException(problem);
            if (value is null && SetEnv(CublasWorkspaceVariable, DefaultCublasWorkspaceConfig, 0) != 0)
                throw new InvalidOperationException($"Could not set {CublasWorkspaceVariable}; set it to '{DefaultCublasWorkspaceConfig}' before starting the process.");
        }

        private static Switch Found()
        {
            lock (_gate)
                return _switch ??= Switch.Find();
        }

        // at::globalContext() and its setter and getter of deterministic algorithms, from the loaded libtorch_cpu.so.
        private sealed unsafe class Switch
        {
            private IntPtr _context, _set, _get;

            public static Switch Find()
            {
                torch.InitializeDeviceType(DeviceType.CPU);   // libtorch loaded (it is, once any tensor has been made)
                var library = LibStdCxxCompatibility.Dl.OpenLoaded("libtorch_cpu.so");
                var global = Symbol(library, "_ZN2at13globalContextEv");
                return new Switch
                {
                    _context = ((delegate* unmanaged<IntPtr>)global)(),
                    _set = Symbol(library, "_ZN2at7Context26setDeterministicAlgorithmsEbb"),   // (bool mode, bool warn_only)
                    _get = Symbol(library, "_ZNK2at7Context23deterministicAlgorithmsEv"),
                };
            }

            public bool Get() => ((delegate* unmanaged<IntPtr, byte>)_get)(_context) != 0;

            public void Set(bool mode) => ((delegate* unmanaged<IntPtr, byte, byte, void>)_set)(_context, (byte)(mode ? 1 : 0), 0);
        }

        private static IntPtr Symbol(IntPtr library, string name)
        {
            var symbol = library == IntPtr.Zero ? IntPtr.Zero : LibStdCxxCompatibility.Dl.Symbol(library, name);
            return symbol != IntPtr.Zero ? symbol
                : throw new NotSupportedException($"The loaded libtorch has no {name} (libtorch_cpu.so {(library == IntPtr.Zero ? "not found among the loaded libraries" : "lacks it")}): deterministic algorithms cannot be switched on.");
        }

        [DllImport("libc.so.6", EntryPoint = "getenv")]
        private static extern IntPtr GetEnv(string name);

        [DllImport("libc.so.6", EntryPoint = "setenv")]
        private static extern int SetEnv(string name, string value, int overwrite);

        private sealed class Holder : IDisposable
        {
            private Action? _release;

            public Holder(Action release) => _release = release;

            public void Dispose() => System.Threading.Interlocked.Exchange(ref _release, null)?.Invoke();
        }
    }
}
