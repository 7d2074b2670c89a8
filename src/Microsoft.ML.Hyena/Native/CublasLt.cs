using System;
using System.Runtime.InteropServices;

namespace Microsoft.ML.Hyena.Native
{
    /// <summary>
    /// cuBLASLt, the matrix-product library that a CUDA build of libtorch loads, bound for the calls
    /// <see cref="Kernels.WideningProduct"/> makes. Only the copy libtorch already loaded is used (looked up by name,
    /// libcublasLt.so.13, .12 then .11, with <c>RTLD_NOLOAD</c>): no second copy is loaded, and where libtorch has none
    /// (a CPU build) nothing is found. Setting <see cref="DisableVariable"/> to 0 or false turns it off for the process.
    /// </summary>
    /// <remarks>
    /// The bindings follow cublasLt.h, whose calls and enumeration values used here are the same in cuBLAS 11, 12 and 13.
    /// Products run on the legacy default stream (stream 0), which is libtorch's default stream and the one the
    /// library's NVRTC kernels use (<see cref="Kernels.CudaKernels"/>).
    /// </remarks>
    internal static unsafe class CublasLt
    {
        /// <summary>The environment variable that turns cuBLASLt off when 0 or false (for comparisons).</summary>
        public const string DisableVariable = "HYENA_CUBLASLT";

        /// <summary>The shared-library names tried, in order.</summary>
        internal static readonly string[] LibraryNames = { "libcublasLt.so.13", "libcublasLt.so.12", "libcublasLt.so.11" };

        // cublasLt.h's values.
        internal const int ComputeFloat32 = 68;             // CUBLAS_COMPUTE_32F
        internal const int DataFloat32 = 0, DataBFloat16 = 14;   // CUDA_R_32F, CUDA_R_16BF
        internal const int OperationN = 0, OperationT = 1;  // CUBLAS_OP_N, CUBLAS_OP_T
        internal const int DescTransA = 3, DescTransB = 4, DescEpilogue = 7, DescBiasPointer = 8, DescBiasDataType = 26;
        internal const uint EpilogueDefault = 1, EpilogueBias = 4;
        internal const int LayoutBatchCount = 5, LayoutStridedBatchOffset = 6;
        internal const int PreferenceMaxWorkspaceBytes = 1, PreferenceMinAlignmentA = 5;   // B, C and D follow: 6, 7, 8

        /// <summary>cublasLtMatmulHeuristicResult_t: the algorithm (64 bytes), its workspace, its status, its waves.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct HeuristicResult
        {
            public fixed ulong Algorithm[8];
            public nuint WorkspaceSize;
            public int State;
            public float Waves;
            public fixed int Reserved[4];
        }

        private static readonly object _gate = new();
        private static bool _tried;
        private static string _report = "not looked for yet";

        internal static delegate* unmanaged<IntPtr*, int> Create;
        internal static delegate* unmanaged<IntPtr, int> Destroy;
        internal static delegate* unmanaged<nuint> GetVersion;
        internal static delegate* unmanaged<int, IntPtr> GetStatusName;
        internal static delegate* unmanaged<IntPtr*, int, int, int> MatmulDescCreate;
        internal static delegate* unmanaged<IntPtr, int, void*, nuint, int> MatmulDescSetAttribute;
        internal static delegate* unmanaged<IntPtr, int> MatmulDescDestroy;
        internal static delegate* unmanaged<IntPtr*, int, ulong, ulong, long, int> MatrixLayoutCreate;
        internal static delegate* unmanaged<IntPtr, int, void*, nuint, int> MatrixLayoutSetAttribute;
        internal static delegate* unmanaged<IntPtr, int> MatrixLayoutDestroy;
        internal static delegate* unmanaged<IntPtr*, int> PreferenceCreate;
        internal static delegate* unmanaged<IntPtr, int, void*, nuint, int> PreferenceSetAttribute;
        internal static delegate* unmanaged<IntPtr, int> PreferenceDestroy;
        internal static delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, int, HeuristicResult*, int*, int> AlgoGetHeuristic;
        internal static delegate* unmanaged<IntPtr, IntPtr, void*, IntPtr, IntPtr, IntPtr, IntPtr, void*, IntPtr, IntPtr, IntPtr, IntPtr, void*, IntPtr, nuint, IntPtr, int> Matmul;

        /// <summary>What was found (the library's name and version) or why nothing is used.</summary>
        public static string Report
        {
            get { lock (_gate) return _report; }
        }

        /// <summary>Whether cuBLASLt is bound: finds it the first time (see the class's summary), false from then on when it was not.</summary>
        public static bool TryLoad()
        {
            lock (_gate)
            {
                if (!_tried)
                {
                    _tried = true;
                    _report = Load();
                }
                return Matmul != null;
            }
        }

        /// <summary>Throws <see cref="InvalidOperationException"/> naming <paramref name="what"/> and the status when <paramref name="status"/> is not CUBLAS_STATUS_SUCCESS.</summary>
        public static void Check(int status, string what)
        {
            if (status != 0)
                throw new InvalidOperationException($"cuBLASLt: {what} failed: {StatusName(status)}");
        }

        /// <summary>The status's name (cublasLtGetStatusName), or its number.</summary>
        public static string StatusName(int status)
        {
            IntPtr name = GetStatusName != null ? GetStatusName(status) : IntPtr.Zero;
            return name != IntPtr.Zero ? $"{Marshal.PtrToStringAnsi(name)} ({status})" : $"cublasStatus_t {status}";
        }

        private static string Load()
        {
            if (Environment.GetEnvironmentVariable(DisableVariable) is string setting && (setting == "0" || setting.Equals("false", StringComparison.OrdinalIgnoreCase)))
                return $"turned off by {DisableVariable}={setting}";
            if (!OperatingSystem.IsLinux())
                return "looked for on Linux only";
            IntPtr library = IntPtr.Zero;
            string found = "";
            foreach (string name in LibraryNames)
            {
                library = LibStdCxxCompatibility.Dl.OpenLoaded(name);          // libtorch's copy, never a second one
                if (library != IntPtr.Zero)
                {
                    found = name;
                    break;
                }
            }
            if (library == IntPtr.Zero)
                return $"libtorch has not loaded {string.Join(", ", LibraryNames)}";
            try
            {
                IntPtr Export(string symbol) => NativeLibrary.GetExport(library, symbol);
                Create = (delegate* unmanaged<IntPtr*, int>)Export("cublasLtCreate");
                Destroy = (delegate* unmanaged<IntPtr, int>)Export("cublasLtDestroy");
                GetVersion = (delegate* unmanaged<nuint>)Export("cublasLtGetVersion");
                GetStatusName = (delegate* unmanaged<int, IntPtr>)Export("cublasLtGetStatusName");
                MatmulDescCreate = (delegate* unmanaged<IntPtr*, int, int, int>)Export("cublasLtMatmulDescCreate");
                MatmulDescSetAttribute = (delegate* unmanaged<IntPtr, int, void*, nuint, int>)Export("cublasLtMatmulDescSetAttribute");
                MatmulDescDestroy = (delegate* unmanaged<IntPtr, int>)Export("cublasLtMatmulDescDestroy");
                MatrixLayoutCreate = (delegate* unmanaged<IntPtr*, int, ulong, ulong, long, int>)Export("cublasLtMatrixLayoutCreate");
                MatrixLayoutSetAttribute = (delegate* unmanaged<IntPtr, int, void*, nuint, int>)Export("cublasLtMatrixLayoutSetAttribute");
                MatrixLayoutDestroy = (delegate* unmanaged<IntPtr, int>)Export("cublasLtMatrixLayoutDestroy");
                PreferenceCreate = (delegate* unmanaged<IntPtr*, int>)Export("cublasLtMatmulPreferenceCreate");
                PreferenceSetAttribute = (delegate* unmanaged<IntPtr, int, void*, nuint, int>)Export("cublasLtMatmulPreferenceSetAttribute");
                PreferenceDestroy = (delegate* unmanaged<IntPtr, int>)Export("cublasLtMatmulPreferenceDestroy");
                AlgoGetHeuristic = (delegate* unmanaged<IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, IntPtr, int, HeuristicResult*, int*, int>)Export("cublasLtMatmulAlgoGetHeuristic");
                Matmul = (delegate* unmanaged<IntPtr, IntPtr, void*, IntPtr, IntPtr, IntPtr, IntPtr, void*, IntPtr, IntPtr, IntPtr, IntPtr, void*, IntPtr, nuint, IntPtr, int>)Export("cublasLtMatmul");
            }
            catch (EntryPointNotFoundException e)
            {
                Matmul = null;
                return $"{found} lacks a call: {e.Message}";
            }
            return $"{found} (version {GetVersion()}), the copy libtorch loaded";
        }
    }
}
