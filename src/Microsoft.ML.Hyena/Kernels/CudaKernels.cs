using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// Fused CUDA kernels, compiled at run time with NVRTC and launched with the CUDA
    /// driver API on tensors that TorchSharp owns (their device pointers come from libLibTorchSharp's
    /// <c>THSTensor_data</c>). Used by <see cref="Modules.ShortFilterImplementation.CudaKernel"/>, which
    /// <c>Auto</c> picks on CUDA when <see cref="TryEnsure"/> succeeds; the composed library calls stay the
    /// reference they are checked against. Kernels run on the legacy default stream, which is libtorch's default stream.
    /// </summary>
    /// <remarks>
    /// NVRTC is looked for in <c>HYENA_NVRTC</c> (a file), then by name (libnvrtc.so.13, .12, libnvrtc.so)
    /// on the library search path, then next to the PyTorch install that <see cref="TorchBackend"/> loaded
    /// (site-packages/nvidia/*/lib), then in /usr/local/cuda/lib64.
    /// </remarks>
    internal static unsafe class CudaKernels
    {
        /// <summary>Environment variable naming the NVRTC library file to use.</summary>
        public const string NvrtcVariable = "HYENA_NVRTC";

        /// <summary>
        /// Environment variable with more NVRTC options (space-separated), read when the kernels are first compiled: for
        /// kernel experiments in the benchmarks, for example <c>-DHYENA_ROWS_UNROLL=8</c> (the source's tuning macros
        /// default to the measured choice). Not needed in use.
        /// </summary>
        public const string NvrtcOptionsVariable = "HYENA_NVRTC_OPTIONS";

        /// <summary>Largest kernel size of the short-filter kernels.</summary>
        public const int MaxKernelSize = 8;

        /// <summary>Threads per block of the row kernels (one position each).</summary>
        internal const int Threads = 256;

        /// <summary>
        /// What every kernel uses: bfloat16 loads, stores and rounding, the addressing of strided (B, D, L) streams, and
        /// batched loads from global memory.
        /// </summary>
        internal const string CommonSource = @"
typedef unsigned short bf16_t;
// The float of the bfloat16 in the low or the high half of u (two bfloat16 loaded as one 32-bit word).
__device__ __forceinline__ float bf16_lo(unsigned int u) { return __uint_as_float(u << 16); }
__device__ __forceinline__ float bf16_hi(unsigned int u) { return __uint_as_float(u & 0xffff0000u); }
// v rounded to bfloat16 (to nearest, ties to even; a NaN stays a quiet NaN), in the low 16 bits.
__device__ __forceinline__ unsigned int bf16_bits(float v) {
    unsigned int u = __float_as_uint(v);
    if ((u & 0x7fffffffu) > 0x7f800000u) return (u >> 16) | 0x40u;
    u += 0x7fffu + ((u >> 16) & 1u);
    return u >> 16;
}
// lo and hi rounded to bfloat16 as one 32-bit word, lo in the low half: one cvt.rn.bf16x2.f32 on the GPU (sm_80 on),
// where two bf16_bits took 14 instructions; bf16_bits elsewhere (the same bits, but for a NaN's payload).
__device__ __forceinline__ unsigned int bf16x2_bits(float lo, float hi) {
#if defined(__CUDA_ARCH__) && __CUDA_ARCH__ >= 800
    unsigned int u;
    asm(""cvt.rn.bf16x2.f32 %0, %1, %2;"" : ""=r""(u) : ""f""(hi), ""f""(lo));
    return u;
#else
    return bf16_bits(lo) | (bf16_bits(hi) << 16);
#endif
}
__device__ __forceinline__ float ld(const float* p, long long i) { return p[i]; }
__device__ __forceinline__ float ld(const bf16_t* p, long long i) { return bf16_lo(p[i]); }
__device__ __forceinline__ void st(float* p, long long i, float v) { p[i] = v; }
__device__ __forceinline__ void st(bf16_t* p, long long i, float v) { p[i] = (bf16_t)bf16_bits(v); }

// Element (b, d, t) of a (B, D, L) stream whose channel stride is L and batch stride sb (a slice of the
// short filter's output), for row = b * D + d.
__device__ __forceinline__ long long stream_at(long long row, int D, int L, long long sb, int t) {
    return (row / D) * sb + (row % D) * (long long)L + t;
}

// The last step of a block's column sums over 8 row lanes (the sine activation's frequency gradient, the output bias's
// gradient): lane sums sums[lane][c] of the block's n columns from f0 (of F) added and written to the block's row
// (blockIdx.y) of the partial sums, which a library sum over the blocks then finishes. After a barrier.
template <int W>
__device__ __forceinline__ void store_lane_sums(const float (*sums)[W], int n, int f0, int F, float* partial) {
    for (int c = threadIdx.x; c < n; c += blockDim.x) {
        float s = 0.f;
        for (int lane = 0; lane < 8; lane++) s += sums[lane][c];
        if (f0 + c < F) partial[(long long)blockIdx.y * F + f0 + c] = s;
    }
}

// The threads of a block: THREADS when it is given (a block shape fixed where the kernel is compiled, so that loops over a
// block's points have trip counts the compiler knows), else blockDim.x.
template <int THREADS>
__device__ __forceinline__ int block_threads() { return THREADS ? THREADS : (int)blockDim.x; }

// A block's batched loads (see batched_load below) as for (i = 0; threadIdx.x + i B < n; i++) with j = threadIdx.x + i B
// (B = block_threads<THREADS>()): N loads get(i, j) in flight, then their uses put(i, j, v). With THREADS given and n a multiple of it, no bounds to
// check and, n known where compiled, every i a constant. B is a power of two above threadIdx.x, so j's two terms share no
// bit: a map of j that is XOR-linear over its bits (a bit reversal, swz) is the thread's own value XOR i B's.
template <int N, int THREADS, typename Get, typename Put>
__device__ __forceinline__ void batched_steps(int n, Get get, Put put) {
    const int B = block_threads<THREADS>();
    const bool whole = THREADS != 0 && n % B == 0;
#pragma unroll
    for (int i0 = 0; i0 * B < n; i0 += N) {
        decltype(get(0, 0)) v[N];
#pragma unroll
        for (int i = 0; i < N; i++) {
            const int j = (int)threadIdx.x + (i0 + i) * B;
            if (whole ? (i0 + i) * B < n : j < n) v[i] = get(i0 + i, j);
        }
#pragma unroll
        for (int i = 0; i < N; i++) {
            const int j = (int)threadIdx.x + (i0 + i) * B;
            if (whole ? (i0 + i) * B < n : j < n) put(i0 + i, j, v[i]);
        }
    }
}

// A block's loads from global memory, for (j = threadIdx.x; j < n; j += blockDim.x) put(j, get(j)), with N loads in
// flight a thread: a batch's loads (get) are all issued before its uses (put). (Written as one loop, the compiler placed
// each use right after its load, which waits for it: one load in flight a thread, and the kernels stalled on global
// memory.) get and put must not touch what another j's put writes. batched_steps with j alone, for any block.
template <int N, typename Get, typename Put>
__device__ __forceinline__ void batched_load(int n, Get get, Put put) {
    batched_steps<N, 0>(n, [&](int, int j) { return get(j); }, [&](int, int j, decltype(get(0)) v) { put(j, v); });
}
";

        /// <summary>All the kernels' source, compiled as one program.</summary>
        internal const string Source = CommonSource + ShortConvolutionFunction.Source + WidenedBiasAddFunction.Source + SinActivationFunction.Source + FilterMlpFunction.Source + FilterSpectrumFunction.Source + @"
// ---- The gates around the long convolution (LongConvolutionFunction). ----
// IEEE half precision for the transform buffers, converted with PTX (no header needed).
struct half_t { unsigned short bits; };
__device__ __forceinline__ float ld(const half_t* p, long long i) { float f; asm(""cvt.f32.f16 %0, %1;"" : ""=f""(f) : ""h""(p[i].bits)); return f; }
__device__ __forceinline__ void st(half_t* p, long long i, float v) { unsigned short h; asm(""cvt.rn.f16.f32 %0, %1;"" : ""=h""(h) : ""f""(v)); p[i].bits = h; }

// a[row, t] = x * gate * scale for t < L and 0 for L <= t < 2L: the gated input, zero-padded for the FFT.
// a: (B*D, 2L) contiguous. Grid (B*D, ceil(2L/256)).
template <typename T, typename F>
__device__ void gate_pad(const T* x, const T* gate, F* a, int L, int D, long long sb, float scale) {
    long long row = blockIdx.x;
    int t = blockIdx.y * blockDim.x + threadIdx.x;
    if (t >= 2 * L) return;
    float v = 0.f;
    if (t < L) { long long i = stream_at(row, D, L, sb, t); v = ld(x, i) * ld(gate, i) * scale; }
    st(a, row * 2LL * L + t, v);
}

// y = z * scale * x0 and c = z * scale for t < L (the first L of the 2L-long convolution result z);
// y and c: (B, D, L) contiguous; c may be null. Grid (B*D, ceil(L/256)).
template <typename T, typename F>
__device__ void crop_gate(const F* z, const T* x0, T* y, T* c, int L, int D, long long sb, float scale) {
    long long row = blockIdx.x;
    int t = blockIdx.y * blockDim.x + threadIdx.x;
    if (t >= L) return;
    float zv = ld(z, row * 2LL * L + t) * scale;
    long long o = row * (long long)L + t;
    st(y, o, zv * ld(x0, stream_at(row, D, L, sb, t)));
    if (c) st(c, o, zv);
}

// Backward of crop_gate: gz = g * x0 * scale for t < L, 0 for L <= t < 2L (padded for the FFT), and gx0 = g * c.
// g, c, gx0: (B, D, L) contiguous. Grid (B*D, ceil(2L/256)).
template <typename T, typename F>
__device__ void crop_gate_bwd(const T* g, const T* x0, const T* c, F* gz, T* gx0, int L, int D, long long sb, float scale) {
    long long row = blockIdx.x;
    int t = blockIdx.y * blockDim.x + threadIdx.x;
    if (t >= 2 * L) return;
    if (t >= L) { st(gz, row * 2LL * L + t, 0.f); return; }
    long long o = row * (long long)L + t;
    float gv = ld(g, o);
    st(gz, row * 2LL * L + t, gv * ld(x0, stream_at(row, D, L, sb, t)) * scale);
    st(gx0, o, gv * ld(c, o));
}

// Backward of gate_pad: s = ga * scale for t < L; gx = s * gate, ggate = s * x. gx, ggate: (B, D, L) contiguous.
// Grid (B*D, ceil(L/256)).
template <typename T, typename F>
__device__ void gate_pad_bwd(const F* ga, const T* x, const T* gate, T* gx, T* ggate, int L, int D, long long sb, float scale) {
    long long row = blockIdx.x;
    int t = blockIdx.y * blockDim.x + threadIdx.x;
    if (t >= L) return;
    float s = ld(ga, row * 2LL * L + t) * scale;
    long long i = stream_at(row, D, L, sb, t);
    long long o = row * (long long)L + t;
    st(gx, o, s * ld(gate, i));
    st(ggate, o, s * ld(x, i));
}

#define HYENA_GATES(TN, T, FN, F) \
extern ""C"" __global__ void hyena_gate_pad_##TN##_##FN(const T* x, const T* gate, F* a, int L, int D, long long sb, float scale) { gate_pad<T, F>(x, gate, a, L, D, sb, scale); } \
extern ""C"" __global__ void hyena_crop_gate_##TN##_##FN(const F* z, const T* x0, T* y, T* c, int L, int D, long long sb, float scale) { crop_gate<T, F>(z, x0, y, c, L, D, sb, scale); } \
extern ""C"" __global__ void hyena_crop_gate_bwd_##TN##_##FN(const T* g, const T* x0, const T* c, F* gz, T* gx0, int L, int D, long long sb, float scale) { crop_gate_bwd<T, F>(g, x0, c, gz, gx0, L, D, sb, scale); } \
extern ""C"" __global__ void hyena_gate_pad_bwd_##TN##_##FN(const F* ga, const T* x, const T* gate, T* gx, T* ggate, int L, int D, long long sb, float scale) { gate_pad_bwd<T, F>(ga, x, gate, gx, ggate, L, D, sb, scale); }
HYENA_GATES(f32, float, f32, float)
HYENA_GATES(f32, float, f16, half_t)
HYENA_GATES(bf16, bf16_t, f32, float)
HYENA_GATES(bf16, bf16_t, f16, half_t)
" + OnChipFftConvolution.Source + FourStepFftConvolution.Source + AdamWStepKernel.Source + LayerNormFunction.Source + LinearGeluFunction.Source;

        internal static readonly string[] FunctionNames = ShortConvolutionFunction.FunctionNames.Concat(WidenedBiasAddFunction.FunctionNames).Concat(SinActivationFunction.FunctionNames).Concat(FilterMlpFunction.FunctionNames).Concat(FilterSpectrumFunction.FunctionNames).Concat(
            from io in new[] { "f32", "bf16" }
            from transform in new[] { "f32", "f16" }
            from kernel in new[] { "gate_pad", "crop_gate", "crop_gate_bwd", "gate_pad_bwd" }
            select $"hyena_{kernel}_{io}_{transform}").Concat(OnChipFftConvolution.FunctionNames).Concat(FourStepFftConvolution.FunctionNames).Concat(AdamWStepKernel.FunctionNames).Concat(LayerNormFunction.FunctionNames).Concat(LinearGeluFunction.FunctionNames).ToArray();

        private static readonly object _gate = new();
        private static bool _driverTried;
        private static string? _driverError;
        private static string? _ptxArchitecture;
        private static byte[]? _ptx;
        private static readonly Dictionary<int, Dictionary<string, IntPtr>> _functions = new();
        private static readonly Dictionary<int, IntPtr> _contexts = new();
        private static readonly Dictionary<int, int> _maxSharedBytes = new();
        private static readonly Dictionary<int, int> _multiprocessors = new();
        private static delegate* unmanaged<IntPtr, IntPtr> _tensorData;

        private static delegate* unmanaged<uint, int> _cuInit;
        private static delegate* unmanaged<int*, int, int> _cuDeviceGet;
        private static delegate* unmanaged<int*, int, int, int> _cuDeviceGetAttribute;
        private static delegate* unmanaged<IntPtr*, int, int> _cuDevicePrimaryCtxRetain;
        private static delegate* unmanaged<IntPtr, int> _cuCtxSetCurrent;
        private static delegate* unmanaged<IntPtr*, byte*, int> _cuModuleLoadData;
        private static delegate* unmanaged<IntPtr*, IntPtr, byte*, int> _cuModuleGetFunction;
        private static delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int> _cuLaunchKernel;
        private static delegate* unmanaged<IntPtr, int, int, int> _cuFuncSetAttribute;
        private static delegate* unmanaged<int, byte**, int> _cuGetErrorString;

        /// <summary>What happened when the kernels were last prepared, for messages.</summary>
        public static string Report { get; private set; } = "not tried";

        /// <summary>
        /// Compiles (once) and loads (once per device) the kernels for CUDA device <paramref name="deviceIndex"/>.
        /// Throws <see cref="InvalidOperationException"/> naming what is missing.
        /// </summary>
        public static void Ensure(int deviceIndex)
        {
            lock (_gate)
            {
                if (_functions.ContainsKey(deviceIndex))
                    return;
                try
                {
                    LoadDriver();
                    int device;
                    Check(_cuDeviceGet(&device, deviceIndex), "cuDeviceGet");
                    IntPtr context;
                    Check(_cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain");
                    Check(_cuCtxSetCurrent(context), "cuCtxSetCurrent");
                    int major, minor;
                    Check(_cuDeviceGetAttribute(&major, 75, device), "cuDeviceGetAttribute(major)");
                    Check(_cuDeviceGetAttribute(&minor, 76, device), "cuDeviceGetAttribute(minor)");
                    string architecture = $"compute_{major}{minor}";
                    if (_ptx is null || _ptxArchitecture != architecture)
                    {
                        var options = CompileOptions(architecture);
                        _ptx = Nvrtc.Compile(Source, "hyena_kernels.cu", options, out string nvrtcReport);
                        _ptxArchitecture = architecture;
                        Report = options.Length > 1 ? $"{nvrtcReport}; options {string.Join(" ", options.Skip(1))}" : nvrtcReport;
                    }
                    IntPtr module;
                    fixed (byte* image = _ptx)
                        Check(_cuModuleLoadData(&module, image), "cuModuleLoadData");
                    var functions = new Dictionary<string, IntPtr>();
                    foreach (string name in FunctionNames)
                    {
                        IntPtr function;
                        byte[] bytes = Encoding.ASCII.GetBytes(name + "\0");
                        fixed (byte* p = bytes)
                            Check(_cuModuleGetFunction(&function, module, p), "cuModuleGetFunction " + name);
                        functions[name] = function;
                    }
                    // Kernels that keep a whole row on chip may use all the shared memory a block can opt in to.
                    int sharedBytes;
                    Check(_cuDeviceGetAttribute(&sharedBytes, DeviceAttributeMaxSharedMemoryPerBlockOptin, device), "cuDeviceGetAttribute(shared memory)");
                    foreach (string name in OnChipFftConvolution.FunctionNames.Concat(FourStepFftConvolution.SharedMemoryFunctionNames).Concat(FilterMlpFunction.FunctionNames))
                        Check(_cuFuncSetAttribute(functions[name], FunctionAttributeMaxDynamicSharedSizeBytes, sharedBytes), "cuFuncSetAttribute " + name);
                    _functions[deviceIndex] = functions;
                    _contexts[deviceIndex] = context;
                    _maxSharedBytes[deviceIndex] = sharedBytes;
                    int multiprocessors;
                    Check(_cuDeviceGetAttribute(&multiprocessors, DeviceAttributeMultiprocessorCount, device), "cuDeviceGetAttribute(multiprocessors)");
                    _multiprocessors[deviceIndex] = multiprocessors;
                    Report = $"kernels ready on cuda:{deviceIndex} ({architecture}); {Report}";
                }
                catch (Exception e) when (e is DllNotFoundException || e is EntryPointNotFoundException)
                {
                    Report = "CUDA kernels unavailable: " + e.Message;
                    throw new InvalidOperationException(Report, e);
                }
                catch (InvalidOperationException e)
                {
                    Report = "CUDA kernels unavailable: " + e.Message;
                    throw new InvalidOperationException(Report, e);
                }
            }
        }

        private const int DeviceAttributeMultiprocessorCount = 16;
        private const int DeviceAttributeMaxSharedMemoryPerBlockOptin = 97;
        private const int FunctionAttributeMaxDynamicSharedSizeBytes = 8;

        /// <summary>The shared memory a block may use on CUDA device <paramref name="deviceIndex"/> (bytes), 0 when the kernels are not ready there.</summary>
        public static int MaxSharedBytes(int deviceIndex)
        {
            lock (_gate)
                return _maxSharedBytes.TryGetValue(deviceIndex, out int bytes) ? bytes : 0;
        }

        /// <summary>The streaming multiprocessors of CUDA device <paramref name="deviceIndex"/>, 0 when the kernels are not ready there (for grids that visit their rows in a loop).</summary>
        public static int MultiprocessorCount(int deviceIndex)
        {
            lock (_gate)
                return _multiprocessors.TryGetValue(deviceIndex, out int count) ? count : 0;
        }

        // NVRTC's options: the architecture, then those of NvrtcOptionsVariable.
        private static string[] CompileOptions(string architecture)
            => new[] { "--gpu-architecture=" + architecture }
                .Concat((Environment.GetEnvironmentVariable(NvrtcOptionsVariable) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();

        /// <summary>
        /// Row lanes of a block of the kernels that sum columns over rows (8 lanes of 32 threads, whose sums
        /// <c>store_lane_sums</c> adds; the backward kernels of the sine activation, the widened bias add, the MLP's GELU and
        /// the layer norm's two-pass weight and bias).
        /// </summary>
        internal const int SumRowLanes = 8;

        /// <summary>At most this many row blocks in such a kernel's grid (each block then loops over its share of the rows).</summary>
        internal const int MaxSumRowBlocks = 256;

        /// <summary>The row blocks of a column-sum kernel's grid over <paramref name="rows"/> rows: one a lane's worth of rows, 1 to <see cref="MaxSumRowBlocks"/>.</summary>
        internal static long SumRowBlocks(long rows) => Math.Clamp((rows + SumRowLanes - 1) / SumRowLanes, 1, MaxSumRowBlocks);

        /// <summary>A column-sum kernel's partial sums, (row blocks, ...), added over the row blocks (the first dimension).</summary>
        internal static Tensor AddRowBlocks(Tensor partial) => partial.size(0) == 1 ? partial.squeeze(0) : partial.sum(0L);

        /// <summary>The CUDA device index of <paramref name="tensor"/> (0 for a tensor on the current device, index -1).</summary>
        public static int DeviceIndex(Tensor tensor) => tensor.device_index < 0 ? 0 : tensor.device_index;

        /// <summary>Whether the kernels are written for <paramref name="tensor"/>: on CUDA, in float32 or bfloat16.</summary>
        public static bool Handle(Tensor tensor)
            => tensor.device_type == DeviceType.CUDA && (tensor.dtype == ScalarType.Float32 || tensor.dtype == ScalarType.BFloat16);

        /// <summary>Environment variable that keeps <c>Auto</c> from choosing the kernels when set to 0 (or false).</summary>
        public const string DisableVariable = "HYENA_CUDA_KERNELS";

        private static readonly HashSet<int> _unavailable = new();

        // Read once: TryEnsure runs in every forward pass of every short filter on CUDA.
        private static readonly bool _disabledByEnvironment = IsOff(Environment.GetEnvironmentVariable(DisableVariable));

        private static bool IsOff(string? setting)
            => setting is not null && (setting.Trim() == "0" || setting.Trim().Equals("false", StringComparison.OrdinalIgnoreCase));

        /// <summary>
        /// Whether the kernels are ready on CUDA device <paramref name="deviceIndex"/>: prepares them the
        /// first time; a failure (no NVRTC, no driver, a compile error) is remembered, reported once on
        /// standard error with <see cref="Report"/>, and answered false from then on. False when
        /// <see cref="DisableVariable"/> was 0 or false when the process first used the kernels.
        /// </summary>
        public static bool TryEnsure(int deviceIndex)
        {
            if (_disabledByEnvironment)
                return false;
            lock (_gate)
            {
                if (_functions.ContainsKey(deviceIndex))
                    return true;
                if (_unavailable.Contains(deviceIndex))
                    return false;
                try
                {
                    Ensure(deviceIndex);
                    return true;
                }
                catch (InvalidOperationException)
                {
                    _unavailable.Add(deviceIndex);
                    Console.Error.WriteLine($"Hyena: the fused CUDA kernels are not used on cuda:{deviceIndex} (library calls are: cuDNN's Conv1d for the short filter, the composed long convolution): {Report}");
                    return false;
                }
            }
        }

        /// <summary>The device address of <paramref name="tensor"/>'s first element (THSTensor_data).</summary>
        public static IntPtr DataPointer(Tensor tensor)
        {
            if (_tensorData == null)
            {
                if (!NativeLibrary.TryLoad("LibTorchSharp", typeof(torch).Assembly, null, out var library))
                    throw new DllNotFoundException("libLibTorchSharp.so could not be found to read tensor data pointers.");
                _tensorData = (delegate* unmanaged<IntPtr, IntPtr>)NativeLibrary.GetExport(library, "THSTensor_data");
            }
            return _tensorData(tensor.Handle);
        }

        /// <summary>Whether <paramref name="tensor"/>'s data starts on a 16-byte boundary (for kernels that read four floats at a time).</summary>
        public static bool Aligned16(Tensor tensor) => (DataPointer(tensor).ToInt64() & 15) == 0;

        /// <summary>
        /// Makes device <paramref name="deviceIndex"/>'s primary context (the one libtorch uses) current on this thread, for
        /// a library call that launches on it (<see cref="WideningProduct"/>); the kernels must be ready there
        /// (<see cref="TryEnsure"/>).
        /// </summary>
        public static void MakeCurrent(int deviceIndex)
        {
            IntPtr context;
            lock (_gate)
                context = _contexts[deviceIndex];
            Check(_cuCtxSetCurrent(context), "cuCtxSetCurrent");
        }

        /// <summary>Launches <paramref name="name"/> on device <paramref name="deviceIndex"/>'s default stream; arguments are pointers to each value.</summary>
        public static void Launch(int deviceIndex, string name, (uint X, uint Y) grid, void** arguments)
            => Launch(deviceIndex, name, grid, arguments, Threads, 0);

        /// <summary>Launches <paramref name="name"/> with <paramref name="threads"/> threads per block and <paramref name="sharedBytes"/> of dynamic shared memory.</summary>
        public static void Launch(int deviceIndex, string name, (uint X, uint Y) grid, void** arguments, uint threads, uint sharedBytes)
        {
            IntPtr function;
            IntPtr context;
            lock (_gate)
            {
                function = _functions[deviceIndex][name];
                context = _contexts[deviceIndex];
            }
            // The driver API's current context is per thread (backward passes run on autograd's device threads).
            Check(_cuCtxSetCurrent(context), "cuCtxSetCurrent");
            Check(_cuLaunchKernel(function, grid.X, grid.Y, 1, threads, 1, 1, sharedBytes, IntPtr.Zero, arguments, null), "cuLaunchKernel " + name);
        }

        /// <summary>
        /// Whether <see cref="RowGrid"/> takes <paramref name="rows"/> rows of <paramref name="length"/> positions (at most
        /// int.MaxValue rows and 65,535 chunks of <see cref="Threads"/> positions): Auto uses the row kernels only where it does.
        /// </summary>
        public static bool RowGridFits(long rows, long length)
            => rows >= 1 && rows <= int.MaxValue && (length + Threads - 1) / Threads <= 65535;

        /// <summary>Grid of the elementwise kernels: one row of blocks per (batch, channel), ceil(L / 256) blocks along the length.</summary>
        public static (uint X, uint Y) RowGrid(long rows, long length)
        {
            long chunks = (length + Threads - 1) / Threads;
            if (!RowGridFits(rows, length))
                throw new NotSupportedException($"The fused CUDA kernels handle up to {int.MaxValue} (batch x channel) rows and {65535L * Threads} positions; got {rows} and {length}.");
            return ((uint)rows, (uint)Math.Max(1, chunks));
        }

        private static void LoadDriver()
        {
            if (_driverTried)
            {
                if (_driverError is not null)
                    throw new InvalidOperationException(_driverError);
                return;
            }
            _driverTried = true;
            if (!NativeLibrary.TryLoad("libcuda.so.1", out var lib))
            {
                _driverError = "libcuda.so.1 (the CUDA driver) was not found";
                throw new InvalidOperationException(_driverError);
            }
            _cuInit = (delegate* unmanaged<uint, int>)NativeLibrary.GetExport(lib, "cuInit");
            _cuDeviceGet = (delegate* unmanaged<int*, int, int>)NativeLibrary.GetExport(lib, "cuDeviceGet");
            _cuDeviceGetAttribute = (delegate* unmanaged<int*, int, int, int>)NativeLibrary.GetExport(lib, "cuDeviceGetAttribute");
            _cuDevicePrimaryCtxRetain = (delegate* unmanaged<IntPtr*, int, int>)NativeLibrary.GetExport(lib, "cuDevicePrimaryCtxRetain");
            _cuCtxSetCurrent = (delegate* unmanaged<IntPtr, int>)NativeLibrary.GetExport(lib, "cuCtxSetCurrent");
            _cuModuleLoadData = (delegate* unmanaged<IntPtr*, byte*, int>)NativeLibrary.GetExport(lib, "cuModuleLoadData");
            _cuModuleGetFunction = (delegate* unmanaged<IntPtr*, IntPtr, byte*, int>)NativeLibrary.GetExport(lib, "cuModuleGetFunction");
            _cuLaunchKernel = (delegate* unmanaged<IntPtr, uint, uint, uint, uint, uint, uint, uint, IntPtr, void**, void**, int>)NativeLibrary.GetExport(lib, "cuLaunchKernel");
            _cuGetErrorString = (delegate* unmanaged<int, byte**, int>)NativeLibrary.GetExport(lib, "cuGetErrorString");
            _cuFuncSetAttribute = (delegate* unmanaged<IntPtr, int, int, int>)NativeLibrary.GetExport(lib, "cuFuncSetAttribute");
            int status = _cuInit(0);
            if (status != 0)
            {
                _driverError = $"cuInit failed: {ErrorString(status)}";
                throw new InvalidOperationException(_driverError);
            }
        }

        private static void Check(int status, string what)
        {
            if (status != 0)
                throw new InvalidOperationException($"{what} failed: {ErrorString(status)}");
        }

        private static string ErrorString(int status)
        {
            if (_cuGetErrorString != null)
            {
                byte* text;
                if (_cuGetErrorString(status, &text) == 0 && text != null)
                    return $"{Marshal.PtrToStringAnsi((IntPtr)text)} ({status})";
            }
            return "CUresult " + status;
        }

        /// <summary>NVRTC, found as <see cref="CudaKernels"/> describes.</summary>
        internal static class Nvrtc
        {
            private static IntPtr _library;
            private static string _from = "";

            /// <summary>Places NVRTC is looked for, in order.</summary>
            internal static IEnumerable<string> Candidates(Func<string, string?> getEnvironmentVariable, string? torchLib)
            {
                if (getEnvironmentVariable(NvrtcVariable) is { Length: > 0 } configured)
                    yield return configured;
                foreach (string name in new[] { "libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so" })
                    yield return name;
                var folders = new List<string>();
                if (torchLib is not null)
                {
                    string nvidia = Path.GetFullPath(Path.Combine(torchLib, "..", "..", "nvidia"));
                    if (Directory.Exists(nvidia))
                    {
                        folders.AddRange(Directory.GetDirectories(nvidia).Select(d => Path.Combine(d, "lib")));
                        folders.AddRange(Directory.GetDirectories(nvidia).SelectMany(d => Directory.Exists(d) ? Directory.GetDirectories(d) : Array.Empty<string>()).Select(d => Path.Combine(d, "lib")));
                    }
                }
                folders.Add("/usr/local/cuda/lib64");
                foreach (string folder in folders.Where(Directory.Exists))
                {
                    foreach (string file in Directory.GetFiles(folder, "libnvrtc.so*").Where(f => !Path.GetFileName(f).Contains("builtins", StringComparison.Ordinal)).OrderByDescending(f => f, StringComparer.Ordinal))
                        yield return file;
                }
            }

            private static IntPtr Library()
            {
                if (_library != IntPtr.Zero)
                    return _library;
                var tried = new List<string>();
                foreach (string candidate in Candidates(Environment.GetEnvironmentVariable, TorchBackend.CudaSearch?.Folder))
                {
                    tried.Add(candidate);
                    if (NativeLibrary.TryLoad(candidate, out var handle))
                    {
                        _library = handle;
                        _from = candidate;
                        return handle;
                    }
                }
                throw new InvalidOperationException("NVRTC (libnvrtc.so) was not found; tried " + string.Join(", ", tried) + $". Set {NvrtcVariable} to its path.");
            }

            public static byte[] Compile(string source, string name, string[] options, out string report)
            {
                IntPtr lib = Library();
                var create = (delegate* unmanaged<IntPtr*, byte*, byte*, int, byte**, byte**, int>)NativeLibrary.GetExport(lib, "nvrtcCreateProgram");
                var compile = (delegate* unmanaged<IntPtr, int, byte**, int>)NativeLibrary.GetExport(lib, "nvrtcCompileProgram");
                var logSize = (delegate* unmanaged<IntPtr, nuint*, int>)NativeLibrary.GetExport(lib, "nvrtcGetProgramLogSize");
                var getLog = (delegate* unmanaged<IntPtr, byte*, int>)NativeLibrary.GetExport(lib, "nvrtcGetProgramLog");
                var ptxSize = (delegate* unmanaged<IntPtr, nuint*, int>)NativeLibrary.GetExport(lib, "nvrtcGetPTXSize");
                var getPtx = (delegate* unmanaged<IntPtr, byte*, int>)NativeLibrary.GetExport(lib, "nvrtcGetPTX");
                var destroy = (delegate* unmanaged<IntPtr*, int>)NativeLibrary.GetExport(lib, "nvrtcDestroyProgram");
                var version = (delegate* unmanaged<int*, int*, int>)NativeLibrary.GetExport(lib, "nvrtcVersion");

                int major = 0, minor = 0;
                version(&major, &minor);
                byte[] src = Encoding.UTF8.GetBytes(source + "\0");
                byte[] file = Encoding.UTF8.GetBytes(name + "\0");
                IntPtr program;
                fixed (byte* s = src, f = file)
                {
                    int created = create(&program, s, f, 0, null, null);
                    if (created != 0)
                        throw new InvalidOperationException($"nvrtcCreateProgram failed ({created})");
                }
                try
                {
                    var optionBytes = options.Select(o => Encoding.ASCII.GetBytes(o + "\0")).ToArray();
                    var handles = optionBytes.Select(b => GCHandle.Alloc(b, GCHandleType.Pinned)).ToArray();
                    int compiled;
                    try
                    {
                        byte** pointers = stackalloc byte*[optionBytes.Length];
                        for (int i = 0; i < optionBytes.Length; i++)
                            pointers[i] = (byte*)handles[i].AddrOfPinnedObject();
                        compiled = compile(program, optionBytes.Length, pointers);
                    }
                    finally
                    {
                        foreach (var h in handles)
                            h.Free();
                    }
                    nuint size;
                    logSize(program, &size);
                    string log = "";
                    if (size > 1)
                    {
                        byte[] buffer = new byte[(int)size];
                        fixed (byte* b = buffer)
                            getLog(program, b);
                        log = Encoding.UTF8.GetString(buffer, 0, (int)size - 1).Trim();
                    }
                    if (compiled != 0)
                        throw new InvalidOperationException($"NVRTC {major}.{minor} ({_from}) could not compile the kernels: {log}");
                    ptxSize(program, &size);
                    byte[] ptx = new byte[(int)size];
                    fixed (byte* p = ptx)
                        getPtx(program, p);
                    report = $"NVRTC {major}.{minor} from {_from}" + (log.Length > 0 ? "; log: " + log : "");
                    return ptx;
                }
                finally
                {
                    destroy(&program);
                }
            }
        }
    }
}
