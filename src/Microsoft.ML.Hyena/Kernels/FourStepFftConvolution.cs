using System;
using System.Linq;
using System.Numerics;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// The gated long convolution of rows too long for one block's shared memory (<see cref="OnChipFftConvolution"/>
    /// beyond its <see cref="OnChipFftConvolution.MaxLength"/>, up to <see cref="MaxLength"/>): the same computation in
    /// three kernels, each working in shared memory, with the row's transform taken in four steps through one buffer in
    /// global memory. Used by <see cref="LongConvolutionImplementation.CudaOnChip"/> for powers of two past 16k.
    /// </summary>
    /// <remarks>
    /// <para>The L complex points of a row (the 2L real points of the zero-padded, gated input, packed as in
    /// <see cref="OnChipFftConvolution"/>) are split as M1 x M2 = L with point n = M2 n1 + n2 and bin k = k1 + M1 k2
    /// (Bailey's four-step transform). Step 1 (<c>fourstep_columns_forward</c>, a block per C neighbouring columns n2):
    /// reads and gates the input, transforms each column over n1 (only its first half is not zero), multiplies by
    /// W^(n2 k1) and writes the row's buffer in bin-major order (k1, n2). Step 2 (<c>fourstep_rows</c>, a block per pair of
    /// rows k1 and M1 - k1, which hold bins k and L - k): transforms over n2, forms the real input's spectrum, multiplies
    /// by the filter's (conjugated for the backward pass's correlation), packs it again, transforms back over k2 and
    /// multiplies by W^(-n2 k1), in place; the filter's spectrum, the kept spectrum U (forward, for the filter's gradient)
    /// and the backward pass's terms of that gradient are read and written in the buffer's order, bin k1 + M1 k2 at
    /// k1 M2 + k2, so that they are contiguous in this step (<see cref="SpectrumSlots"/> puts the filter's spectrum in that
    /// order once a pass, <see cref="SpectrumGradient"/> the terms back in bin order). Step 3
    /// (<c>fourstep_columns_inverse</c>): transforms back over k1 and gates and writes only the first L of the 2L
    /// outputs.</para>
    /// <para>Memory traffic per position and row, forward: the gated streams once, the buffer written and read twice (32
    /// bytes in float32; 16 in bfloat16, which bfloat16 streams take: <see cref="Buffer"/>), the filter's spectrum (8), the
    /// kept spectrum (8; 4 in bfloat16) and the outputs, against the cuFFT node's separate gate, transform, product,
    /// transform and cut passes of several passes each.</para>
    /// <para>The steps are instruction-bound, and at the usual shapes (from 32k on: blocks of 4,096 points in steps 1
    /// and 3; from 64k on: rows of 4,096 points in step 2) a build compiled for that shape runs, in which every loop's trip
    /// count and every thread's part of an index are known where compiled, so that a point's load or store costs an
    /// address plus a constant instead of a bit reversal, a swizzle and 64-bit arithmetic (the rows kernel 5,472 to about
    /// 3,300 instructions a thread; docs/benchmarks.md, thirteenth session).</para>
    /// </remarks>
    internal static class FourStepFftConvolution
    {
        /// <summary>The longest length taken: 2^22 (M1 = 1,024 by M2 = 4,096).</summary>
        public const long MaxLength = 1L << 22;

        /// <summary>
        /// The shortest length for which <see cref="LongConvolutionImplementation.Auto"/> takes the four-step kernels: 32k,
        /// the first length one block does not hold. On one H200 the operator at 32k took 4.30 and 4.31 ms with them against
        /// 5.52 and 5.66 with the cuFFT node in the same call (docs/benchmarks.md, thirteenth session), where in the fifth
        /// session, before the kernels' later work, it had been 5.6 % slower with them and Auto had started at 64k.
        /// </summary>
        public const long AutoMinLength = 32768;

        /// <summary>The shortest length taken (columns of 16 by rows of 32; shorter rows fit one block).</summary>
        public const long MinLength = 512;

        /// <summary>Points of the column transforms a block of steps 1 and 3 holds (32 KiB).</summary>
        private const int ColumnPoints = 4096;

        /// <summary>Threads per block of steps 1 and 3 and of step 2.</summary>
        public const int ColumnThreads = 256, RowThreads = 512;

        /// <summary>
        /// log2 of the longest rows (M2) the split makes: 12 (4,096 points; two rows fill a block's 64 KiB). Shorter rows
        /// (10 or 11) halve or quarter a row block's shared memory and raise its occupancy; the host-overhead benchmark
        /// sets this to time them. Not for use while a convolution runs.
        /// </summary>
        internal static int MaxRowLog2 = 12;

        /// <summary>
        /// log2 of M1 (the column transforms' length), of M2 (the rows', at most 4,096) and of C (the columns a block
        /// of steps 1 and 3 takes, M1 C = 4,096 at most) for a power of two <paramref name="length"/>.
        /// </summary>
        public static (int LogM1, int LogM2, int LogC) Factors(long length)
        {
            if (length < MinLength || length > MaxLength || (length & (length - 1)) != 0)
                throw new ArgumentOutOfRangeException(nameof(length), length, $"The four-step convolution takes powers of two from {MinLength} to {MaxLength}.");
            int logM = BitOperations.Log2((ulong)length);
            int logM2 = Math.Min(MaxRowLog2, logM - 4);
            int logM1 = logM - logM2;
            return (logM1, logM2, Math.Min(logM2, BitOperations.Log2(ColumnPoints) - logM1));
        }

        /// <summary>Shared memory of a step-2 block at most: two rows of up to 4,096 points (64 KiB) and the block's twiddle steps.</summary>
        public const int RowSharedBytes = 2 * OnChipFftConvolution.SharedBytesPerPosition * 4096 + 3 * OnChipFftConvolution.SharedBytesPerPosition * (4096 / RowThreads);

        /// <summary>
        /// Shared memory of a step-2 block for rows of 2^<paramref name="logM2"/> points: the two rows, then the twiddle
        /// factors' 3 max(1, M2 / <see cref="RowThreads"/>) steps shared by the block (row_steps in the source).
        /// </summary>
        private static uint RowBytes(int logM2)
            => (uint)((2 * OnChipFftConvolution.SharedBytesPerPosition << logM2) + 3 * OnChipFftConvolution.SharedBytesPerPosition * Math.Max(1, (1 << logM2) / RowThreads));

        /// <summary>Whether a row of <paramref name="length"/> positions runs in four steps on CUDA device <paramref name="deviceIndex"/> (kernels ready).</summary>
        public static bool Applies(int deviceIndex, long length)
            => length >= MinLength && length <= MaxLength && (length & (length - 1)) == 0 && CudaKernels.MaxSharedBytes(deviceIndex) >= RowSharedBytes;

        internal const string Source = @"
// ---- Rows longer than a block holds: the same convolution in three kernels (FourStepFftConvolution). ----
// A row's L = M1 M2 complex points: point n = M2 n1 + n2, bin k = k1 + M1 k2; work: (rows, L) complex (cpx, or bpx for
// bfloat16 streams), element (k1, n2) of a row at k1 M2 + n2 between the steps. Shared memory of steps 1 and 3: C interleaved columns, point i of column f
// at i C + f (conflict-free: neighbouring threads take neighbouring columns). Each kernel's blocks are numbered row by
// row (blockIdx.x = row * blocks per row + block), so that the blocks of a row run together. Step 2 reads the filter's
// spectrum and reads and writes the kept spectrum in its own bin order (kept_slot), contiguously: the filter's is put in
// that order once a pass by hyena_fourstep_spectrum_slots.

// The row and the first column of a block of steps 1 and 3 (M2 / C blocks per row, numbered row by row).
__device__ __forceinline__ void column_block(int logM2, int logC, long long* row, int* c0) {
    *row = blockIdx.x >> (logM2 - logC);
    *c0 = (blockIdx.x & ((1 << (logM2 - logC)) - 1)) << logC;
}

// A block of steps 1 and 3 holds M1 C = 4,096 points (ColumnPoints) for every length from 32k on (the columns M1 of 16
// or more, so C <= 256). Those blocks run a build of their steps with that shape and HYENA_COLUMN_THREADS threads known
// where compiled (the loops' trip counts, which of a thread's loads are the zero half), the others the general one.
// Point j = n1 C + f (column f) of a block's loop over j = threadIdx.x + i B (B = block_threads<THREADS>()): when C <= B,
// f is the thread's own and n1 the thread's part plus i B / C (column_index_of). Knobs for kernel experiments (set through
// CudaKernels.NvrtcOptionsVariable; docs/benchmarks.md, thirteenth session): HYENA_COLUMN_TWIDDLE_STEPS 0 gives each
// point of step 1 its own sincospif again; HYENA_COLUMN_RADIX16 1 takes the columns' transforms in radix-16 passes (1M
// 2 ms faster, 64k 0.5 ms slower: more registers a thread).
#ifndef HYENA_COLUMN_THREADS
#define HYENA_COLUMN_THREADS 256
#endif
#ifndef HYENA_COLUMN_RADIX16
#define HYENA_COLUMN_RADIX16 0
#endif
#ifndef HYENA_COLUMN_TWIDDLE_STEPS
#define HYENA_COLUMN_TWIDDLE_STEPS 1
#endif
__device__ __forceinline__ bool full_column_block(int logM1, int logC) {
    return logM1 + logC == 12 && logM1 >= 4 && blockDim.x == HYENA_COLUMN_THREADS;
}
struct column_index { int n1, f; };
template <int THREADS>
__device__ __forceinline__ column_index column_index_of(int i, int j, int logC) {
    const int B = block_threads<THREADS>();
    column_index x;
    if (THREADS >= 256 || (1 << logC) <= B) { x.f = threadIdx.x & ((1 << logC) - 1); x.n1 = (int)(threadIdx.x >> logC) + ((i * B) >> logC); }
    else { x.f = j & ((1 << logC) - 1); x.n1 = j >> logC; }
    return x;
}

// Step 1, M2 / C blocks per row: the packed input of columns c0 .. c0 + C - 1 of row `row` (point(t): positions t and t + 1
// as one complex point; the second half zero), transformed over n1, times W_L^(n2 k1), written to work[k1 M2 + n2].
// THREADS: 0, any block; else HYENA_COLUMN_THREADS with full_column_block.
template <int THREADS, typename Point, typename W>
__device__ __forceinline__ void fourstep_columns_forward_in(Point point, W* work, long long row, int c0, int L, int logM1, int logM2, int logC) {
    extern __shared__ __align__(16) unsigned char hyena_smem[];
    cpx* z = (cpx*)hyena_smem;
    if (THREADS) __builtin_assume(threadIdx.x < THREADS);
    const int M1 = 1 << logM1, M2 = 1 << logM2, C = 1 << logC, n = THREADS ? 4096 : M1 * C;
    const int shift = 32 - logM1;
    batched_steps<HYENA_COLUMNS_LOAD, THREADS>(n, [&](int i, int j) {
        column_index x = column_index_of<THREADS>(i, j, logC);
        const bool zero = THREADS ? i * THREADS >= n / 2 : x.n1 >= M1 / 2;   // (the second half: i's alone when fixed)
        return zero ? cmake(0.f, 0.f) : point(2 * (M2 * x.n1 + c0 + x.f));
    }, [&](int i, int j, cpx v) { column_index x = column_index_of<THREADS>(i, j, logC); z[((__brev((unsigned)x.n1) >> shift) << logC) + x.f] = v; });
    __syncthreads();
    dit_forward<1, HYENA_COLUMN_RADIX16, THREADS>(z, M1, -1, logC, logC, 0);
    W* w = work + row * (long long)L;
    if (THREADS >= 256 && HYENA_COLUMN_TWIDDLE_STEPS) {
        // A thread's points are k1 = k1t + S i of its one column n2 (S = THREADS / C, i < 16): W_L^(n2 k1) as its own
        // W_L^(n2 k1t) times W_L^(4 S n2 a) times W_L^(S n2 b) for i = 4 a + b, seven sincospif a thread where each
        // point had taken one, at most two more roundings a factor. (GPU blocks only: the CPU emulation's blocks of one
        // thread take the general loop below.)
        const int n2 = c0 + (int)(threadIdx.x & (C - 1)), k1t = threadIdx.x >> logC, S = THREADS >> logC;
        auto twiddle = [&](int m) { return expi_pi(over_pow2(-2.f * (float)(m & (L - 1)), L)); };
        const cpx base = twiddle(n2 * k1t), p1 = twiddle(n2 * S), p2 = twiddle(2 * n2 * S), p3 = twiddle(3 * n2 * S);
        const cpx q1 = cmul(base, twiddle(4 * n2 * S)), q2 = cmul(base, twiddle(8 * n2 * S)), q3 = cmul(base, twiddle(12 * n2 * S));
        batched_steps<1, THREADS>(n, [&](int i, int j) { return z[j]; }, [&](int i, int j, cpx v) {
            const int a = i >> 2, b = i & 3;
            const cpx q = a == 0 ? base : a == 1 ? q1 : a == 2 ? q2 : q3;
            const cpx t = b == 0 ? q : cmul(q, b == 1 ? p1 : b == 2 ? p2 : p3);
            work_put(w, (long long)(k1t + S * i) * M2 + n2, cmul(v, t));
        });
        return;
    }
    batched_steps<1, THREADS>(n, [&](int i, int j) { return z[j]; }, [&](int i, int j, cpx v) {
        column_index x = column_index_of<THREADS>(i, j, logC);
        const int k1 = x.n1, n2 = c0 + x.f;
        work_put(w, (long long)k1 * M2 + n2, cmul(v, expi_pi(over_pow2(-2.f * (float)((n2 * k1) & (L - 1)), L))));
    });
}
template <typename Point, typename W>
__device__ void fourstep_columns_forward_of(Point point, W* work, long long row, int c0, int L, int logM1, int logM2, int logC) {
    if (full_column_block(logM1, logC)) fourstep_columns_forward_in<HYENA_COLUMN_THREADS>(point, work, row, c0, L, logM1, logM2, logC);
    else fourstep_columns_forward_in<0>(point, work, row, c0, L, logM1, logM2, logC);
}

// Step 1 of the convolution: the gated input a * b * scale (a alone when not GATED); side_out = a * side as in onchip_conv.
template <typename T, bool GATED = true, typename W>
__device__ void fourstep_columns_forward(const T* a, long long sba, const T* b, long long sbb, float scale,
                                         const T* side, T* side_out, long long sbo, W* work, int L, int D, int logM1, int logM2, int logC) {
    long long row; int c0;
    column_block(logM2, logC, &row, &c0);
    const long long o = row * (long long)L, oo = stream_at(row, D, L, sbo, 0);
    const long long ia = stream_at(row, D, L, sba, 0), ib = stream_at(row, D, L, sbb, 0);
    fourstep_columns_forward_of([&](int t) { return gated_pair<T, GATED>(a, ia, b, ib, scale, side, side_out, o, oo, t); },
                                work, row, c0, L, logM1, logM2, logC);
}

// What a pair of bins of the rows kernel reads from global memory at their slots uk and um (kept_slot), by its mode (see
// rows_bins): nothing in mode 1.
template <int MODE, typename W>
__device__ __forceinline__ spectrum_in rows_load(int uk, int um, const cpx* k, const W* u) {
    if (MODE == 1) { spectrum_in none; none.k0 = none.k1 = none.u0 = none.u1 = cmake(0.f, 0.f); return none; }
    return spectrum_load_at(uk, um, k, u);
}

// One pair of bins kk and M - kk of the rows kernel (at slots uk and um), by its mode: 0, the product with the filter's
// spectrum (spectrum_product); 1, only the real input's spectrum, written to s in the kernels' order (z read, not
// written); 2, the one-sided spectrum given in K's place (in.k0, in.k1) packed into z for the inverse transform (z
// written, not read). w = W^kk = exp(-i pi kk / M).
template <int MODE, typename W>
__device__ __forceinline__ void rows_bins(cpx* z, int pk, int pm, int kk, int M, cpx w, spectrum_in in, int conjK, cpx* s, int withU, int uk, int um) {
    if (MODE == 0) {
        spectrum_product_at<W>(z, pk, pm, kk, M, w, in, conjK, s, withU, uk, um);
        return;
    }
    if (MODE == 1) {
        cpx X0, X1;
        real_spectrum(z, pk, pm, w, &X0, &X1);
        s[uk] = X0;
        s[um] = X1;
    } else {
        pack_real_spectrum(z, pk, pm, kk, M, w, in.k0, in.k1);
    }
}

// Step 2, M1 / 2 blocks per row: rows k1 = the block and M1 - k1 of work (block 0: rows 0 and M1 / 2, each its own
// mirror), transformed over n2 into the bins k1 + M1 k2; the product with the filter's spectrum as in onchip_conv
// (bins k and L - k lie in the two rows); transformed back over k2, times W_L^(-n2 k1), written back in place. MODE 1
// (a spectrum alone: the filter's, from step 1 of its padded rows) stops after writing the spectrum to spec_out and reads
// neither K nor u_in; MODE 2 (an inverse transform alone: the filter's gradient from its spectrum's) starts from the
// one-sided spectrum in K's place, (rows, L + 1) in the kernels' order, and neither reads work nor transforms forward.
//
// The twiddle factors a thread's bins and points need, W^kk of the bins kk = r0 + M1 t (t < M2) and W_L^(n2 r) of the
// points n2 of rows r = r0, r1 written back, each a thread's own factor (t and n2 = its index mod M2) times one of the
// block's steps (for t and n2 + B i' with B threads: W^(M1 B i') = exp(-i pi B i' / M2) and W_L^(B i' r)), which
// row_steps puts in shared memory past the two rows at the start: 3 max(1, M2 / B) of them, where each bin and point
// had taken a sincospif of its own. Step i' lies at steps[i'] (the bins'), steps[P + i'] (r0's) and steps[2 P + i'] (r1's).
__device__ __forceinline__ void row_steps(cpx* steps, int P, int logB, int r0, int r1, int L, int M2) {
    for (int e = threadIdx.x; e < 3 * P; e += blockDim.x) {
        const int part = e / P, i = e - part * P;
        steps[e] = part == 0 ? expi_pi(over_pow2(-(float)(i << logB), M2))
                             : expi_pi(over_pow2(2.f * (float)(((i << logB) * (part == 1 ? r0 : r1)) & (L - 1)), L));
    }
}

// The rows kernel's loops visit j = threadIdx.x + i B (B = block_threads, a power of two above threadIdx.x) for i = 0, 1,
// ...: the two terms share no bit, so a map of j that is XOR-linear over its bits (the bit reversal, swz, row_point) is
// the thread's own value XOR the i-th term's, a constant once the loop is unrolled with the block's shape known
// (LOGM2 and THREADS: the usual rows of 4,096 points by HYENA_ROW_THREADS threads; see fourstep_rows_of). Row l (0: r0,
// 1: r1) and point n2 of j = l M2 + n2 (row_index): when B <= M2 the row is i B's alone and n2 the thread's index plus
// i B's part, so that a load or store is at the thread's address plus a constant.
__device__ __forceinline__ int row_point(int j, int logM2, int shift, int sh) {   // where point j lies in shared memory
    return ((j >> logM2) << logM2) + swz(__brev((unsigned)(j & ((1 << logM2) - 1))) >> shift, sh);
}
struct row_index { int l, n2; };
template <int THREADS>
__device__ __forceinline__ row_index row_index_of(int i, int j, int B, int logM2) {
    const int M2 = 1 << logM2;
    row_index r;
    if (THREADS && B <= M2) { r.l = (i * B) >> logM2; r.n2 = (int)threadIdx.x + ((i * B) & (M2 - 1)); }
    else { r.l = j >> logM2; r.n2 = j & (M2 - 1); }
    return r;
}

template <int MODE, int LOGM2, int THREADS, typename W>
__device__ __forceinline__ void fourstep_rows_of(W* work, const cpx* K, int conjK, cpx* spec_out, const W* u_in, int D, int logM1, int logM2v) {
    extern __shared__ __align__(16) unsigned char hyena_smem[];
    cpx* z = (cpx*)hyena_smem;
    if (THREADS) __builtin_assume(threadIdx.x < THREADS);
    const int logM2 = LOGM2 ? LOGM2 : logM2v, B = block_threads<THREADS>();
    const int M1 = 1 << logM1, M2 = 1 << logM2, L = M1 * M2;
    const long long row = blockIdx.x >> (logM1 - 1);
    const int blk = blockIdx.x & ((1 << (logM1 - 1)) - 1);
    const int r0 = blk, r1 = blk == 0 ? M1 / 2 : M1 - blk;
    const int sh = logM2 >= 10 ? logM2 - 5 : 0;
    const int shift = 32 - logM2;
    W* w = work + row * (long long)L;
    auto row_of = [&](int l) { return w + (long long)(l ? r1 : r0) * M2; };   // row l's points
    const int logB = 31 - __clz(B), P = M2 > B ? M2 >> logB : 1, own = threadIdx.x & (M2 - 1);
    const int at = row_point(threadIdx.x, logM2, shift, sh);   // the thread's part of row_point
    cpx* steps = z + 2 * M2;
    row_steps(steps, P, logB, r0, r1, L, M2);
    if (MODE == 2)                     // (else the barrier after the rows' loads)
        __syncthreads();
    if (MODE != 2) {
        batched_steps<HYENA_ROWS_LOAD, THREADS>(2 * M2, [&](int i, int j) { row_index x = row_index_of<THREADS>(i, j, B, logM2); return work_get(row_of(x.l), x.n2); },
                     [&](int i, int j, cpx v) { z[THREADS ? at ^ row_point(i * B, logM2, shift, sh) : row_point(j, logM2, shift, sh)] = v; });
        __syncthreads();
        dit_forward<0, 1, THREADS>(z, M2, sh, 1, 0, logM2);
    }

    const cpx* k = MODE == 1 ? 0 : K + (row % D) * (long long)(L + 1);
    // The row's part of spec_out: the kept spectrum U (MODE 0 without u_in) in the buffer's type W, the filter's spectrum
    // (MODE 1) and the backward pass's terms (MODE 0 with u_in) in complex float32.
    cpx* s = !spec_out ? 0 : MODE == 0 && !u_in ? (cpx*)((W*)spec_out + row * (long long)(L + 1)) : spec_out + row * (long long)(L + 1);
    const W* kept = u_in ? u_in + row * (long long)(L + 1) : 0;   // U, kept in the buffer's type (the forward pass writes it to spec_out so)
    if (blk != 0) {                    // bin r0 + M1 t with its mirror L - k = r1 + M1 (M2 - 1 - t), at slots r0 M2 + t and r1 M2 + M2 - 1 - t
        const cpx wt = expi_pi(over_pow2(-(float)(r0 + M1 * own), L));
        const int pt = swz(own, sh);   // swz(t) = pt ^ swz(i B); swz(M2 - 1 - t) = pt ^ swz((M2 - 1) ^ i B)
        batched_steps<HYENA_ROWS_SPECTRUM, THREADS>(M2, [&](int i, int t) { return rows_load<MODE>((r0 << logM2) + t, (r1 << logM2) + (M2 - 1 - t), k, kept); },
            [&](int i, int t, spectrum_in in) {
                rows_bins<MODE, W>(z, THREADS ? pt ^ swz(i * B, sh) : swz(t, sh), M2 + (THREADS ? pt ^ swz((M2 - 1) ^ (i * B), sh) : swz(M2 - 1 - t, sh)), r0 + M1 * t, L, cmul(wt, steps[i]), in, conjK, s,
                                kept != 0, (r0 << logM2) + t, (r1 << logM2) + (M2 - 1 - t));
            });
    } else {                           // (one block in M1 / 2: its bins' factors computed each)
        for (int t = threadIdx.x; t <= M2; t += B) {
            if (t <= M2 / 2) {         // row 0: bin M1 t with M1 (M2 - t)
                const int kk = M1 * t, uk = kept_slot(kk, L, logM1), um = kept_slot(L - kk, L, logM1);
                rows_bins<MODE, W>(z, swz(t, sh), swz((M2 - t) & (M2 - 1), sh), kk, L, expi_pi(over_pow2(-(float)kk, L)),
                                rows_load<MODE>(uk, um, k, kept), conjK, s, kept != 0, uk, um);
            } else {                   // row M1 / 2: bin M1 / 2 + M1 u with M1 / 2 + M1 (M2 - 1 - u)
                const int u = t - M2 / 2 - 1, kk = M1 / 2 + M1 * u, uk = kept_slot(kk, L, logM1), um = kept_slot(L - kk, L, logM1);
                rows_bins<MODE, W>(z, M2 + swz(u, sh), M2 + swz(M2 - 1 - u, sh), kk, L, expi_pi(over_pow2(-(float)kk, L)),
                                rows_load<MODE>(uk, um, k, kept), conjK, s, kept != 0, uk, um);
            }
        }
    }
    if (MODE == 1)
        return;
    __syncthreads();
    dif_inverse<0, 1, THREADS>(z, M2, sh, 1, 0, logM2);
    const cpx w0 = expi_pi(over_pow2(2.f * (float)((own * r0) & (L - 1)), L)), w1 = expi_pi(over_pow2(2.f * (float)((own * r1) & (L - 1)), L));
    batched_steps<1, THREADS>(2 * M2, [&](int i, int j) { return z[THREADS ? at ^ row_point(i * B, logM2, shift, sh) : row_point(j, logM2, shift, sh)]; }, [&](int i, int j, cpx v) {
        row_index x = row_index_of<THREADS>(i, j, B, logM2);
        work_put(row_of(x.l), x.n2, cmul(v, cmul(x.l ? w1 : w0, steps[(x.l + 1) * P + (x.n2 >> logB)])));
    });
}

// The rows kernels come in two builds: for the usual shape (rows of 4,096 points by HYENA_ROW_THREADS threads: every
// loop's trip count and every constant part of an index known where compiled; the kernels named _4096, which the host
// takes whenever log2(M2) = 12, FixedRowLog2) and for any other. Apart, so that neither's registers limit the other's.
// fourstep_rows picks as the host does (for the CPU emulation, which runs blocks of one thread: HYENA_ROW_THREADS 1
// there). On the GPU HYENA_ROW_THREADS must stay RowThreads (512), the threads the host launches the _4096 kernels with.
#ifndef HYENA_ROW_THREADS
#define HYENA_ROW_THREADS 512
#endif
template <int MODE, typename W>
__device__ __forceinline__ void fourstep_rows(W* work, const cpx* K, int conjK, cpx* spec_out, const W* u_in, int D, int logM1, int logM2) {
    if (logM2 == 12 && blockDim.x == HYENA_ROW_THREADS) fourstep_rows_of<MODE, 12, HYENA_ROW_THREADS>(work, K, conjK, spec_out, u_in, D, logM1, logM2);
    else fourstep_rows_of<MODE, 0, 0>(work, K, conjK, spec_out, u_in, D, logM1, logM2);
}

// Step 3, M2 / C blocks per row: columns c0 .. c0 + C - 1 of row `row` of work transformed back over k1; the first half of
// each (the first L of the 2L outputs), positions t and t + 1 at a time, given to put(r, load(t), t), load's reads issued
// in batches ahead of the puts. THREADS as in step 1.
template <int THREADS, typename Load, typename Put, typename W>
__device__ __forceinline__ void fourstep_columns_inverse_in(const W* work, long long row, int c0, int L, int logM1, int logM2, int logC, Load load, Put put) {
    extern __shared__ __align__(16) unsigned char hyena_smem[];
    cpx* z = (cpx*)hyena_smem;
    if (THREADS) __builtin_assume(threadIdx.x < THREADS);
    const int M1 = 1 << logM1, M2 = 1 << logM2, n = THREADS ? 4096 : M1 * (1 << logC);
    const W* w = work + row * (long long)L;
    batched_steps<HYENA_COLUMNS_LOAD, THREADS>(n, [&](int i, int j) {
        column_index x = column_index_of<THREADS>(i, j, logC);
        return work_get(w, (long long)x.n1 * M2 + c0 + x.f);
    }, [&](int i, int j, cpx v) { z[j] = v; });
    __syncthreads();
    dif_inverse<1, HYENA_COLUMN_RADIX16, THREADS>(z, M1, -1, logC, logC, 0);   // the spectrum carries 1 / 2L
    const int shift = 32 - logM1;
    batched_steps<HYENA_COLUMNS_LOAD, THREADS>(n / 2, [&](int i, int j) {
        column_index x = column_index_of<THREADS>(i, j, logC);
        return load(2 * (M2 * x.n1 + c0 + x.f));
    }, [&](int i, int j, decltype(load(0)) v) {
        column_index x = column_index_of<THREADS>(i, j, logC);
        put(z[((__brev((unsigned)x.n1) >> shift) << logC) + x.f], v, 2 * (M2 * x.n1 + c0 + x.f));
    });
}
template <typename Load, typename Put, typename W>
__device__ void fourstep_columns_inverse_of(const W* work, long long row, int c0, int L, int logM1, int logM2, int logC, Load load, Put put) {
    if (full_column_block(logM1, logC)) fourstep_columns_inverse_in<HYENA_COLUMN_THREADS>(work, row, c0, L, logM1, logM2, logC, load, put);
    else fourstep_columns_inverse_in<0>(work, row, c0, L, logM1, logM2, logC, load, put);
}

// Step 3 of the convolution: the outputs gated and written as in onchip_conv (outputs at batch stride sbo).
template <typename T, bool GATED = true, typename W>
__device__ void fourstep_columns_inverse(const W* work, const T* g1, long long sbg1, T* out1, const T* g2, long long sbg2, T* out2,
                                         long long sbo, int L, int D, int logM1, int logM2, int logC) {
    long long row; int c0;
    column_block(logM2, logC, &row, &c0);
    const long long oo = stream_at(row, D, L, sbo, 0);
    const long long og1 = stream_at(row, D, L, sbg1, 0);
    const long long og2 = g2 ? stream_at(row, D, L, sbg2, 0) : 0;
    fourstep_columns_inverse_of(work, row, c0, L, logM1, logM2, logC,
        [&](int t) { return output_gates<T, GATED>(t, g1, og1, g2, og2); },
        [&](cpx r, gates2 g, int t) { gated_output(r, g, t, oo, out1, out2); });
}

// Steps 1 and 3 for the filter's own spectrum and gradient (FilterSpectrumFunction, a filter k (C, L) laid out channels
// first; one row a channel): step 1 reads the filter as filter_pad_cf writes it padded, scale (k[c, t] w(t, c) + bias[c]
// at t = 0) with w the window (filter_window); step 3 writes its gradient as filter_grad_cf does from the inverse
// transform z, gk[c, t] = scale (z + Re G[c, 0] + (-1)^t Re G[c, L]) w(t, c), and gbias[c] that at t = 0 before the window.
// The same float operations in the same order as those kernels with the ungated steps, so the same values, without the
// padded copy or z in memory between them.
template <typename TK>
__device__ void fourstep_columns_forward_filter(const TK* k, const float* bias, const float* times, const float* deltas, float shift,
                                                float scale, typename work_of<TK>::type* work, int L, int logM1, int logM2, int logC) {
    long long c; int c0;
    column_block(logM2, logC, &c, &c0);
    const long long o = c * (long long)L;
    fourstep_columns_forward_of([&](int t) {
        float x0 = ld(k, o + t) * filter_window(times, deltas, shift, t, (int)c), x1 = ld(k, o + t + 1) * filter_window(times, deltas, shift, t + 1, (int)c);
        if (t == 0 && bias) x0 += bias[c];
        return cmake(x0 * scale, x1 * scale);
    }, work, c, c0, L, logM1, logM2, logC);
}

template <typename TG>
__device__ void fourstep_columns_inverse_filter(const typename work_of<TG>::type* work, const float* G, const float* times, const float* deltas, float shift,
                                                TG* gk, float* gbias, float scale, int L, int logM1, int logM2, int logC) {
    long long c; int c0;
    column_block(logM2, logC, &c, &c0);
    const long long o = c * (long long)L, g = c * (long long)(L + 1);
    const float first = G[2 * g], nyquist = G[2 * (g + L)];
    fourstep_columns_inverse_of(work, c, c0, L, logM1, logM2, logC,
        [&](int t) { return cmake(filter_window(times, deltas, shift, t, (int)c), filter_window(times, deltas, shift, t + 1, (int)c)); },
        [&](cpx r, cpx w, int t) {
            float x0 = (r.x + first + nyquist) * scale, x1 = (r.y + first - nyquist) * scale;   // t even, t + 1 odd
            if (t == 0 && gbias) gbias[c] = x0;
            st(gk, o + t, x0 * w.x);
            st(gk, o + t + 1, x1 * w.y);
        });
}

// A channel's L + 1 bins between bin order and the kernels' order (kept_slot: bin k1 + M1 k2 at k1 M2 + k2, bin L last),
// summed over a batch of B (D, L + 1) spectra on the way. TO_SLOTS = 0: the backward pass's terms (B, D, L + 1), in the
// kernels' order, to the filter spectrum's gradient (D, L + 1) in bin order. TO_SLOTS = 1: the filter's spectrum (B = 1)
// to the kernels' order, so that the rows kernel reads it contiguously as it reads U. A block takes a tile of
// T1 = min(M1, 32) neighbouring k1 by T2 = min(M2, 32) neighbouring k2 of one channel through a transposed tile in shared
// memory, read along the input's contiguous index and written along the output's (k2 in the kernels' order, k1 in bin
// order; the whole tile is one run of bins when M1 <= 32). Blocks numbered channel by channel.
#ifndef HYENA_REORDER_LOAD
#define HYENA_REORDER_LOAD 4
#endif
template <int TO_SLOTS>
__device__ void fourstep_reorder(const cpx* input, cpx* out, int B, int D, int logM1, int logM2) {
    __shared__ cpx tile[32 * 33];
    const int M1 = 1 << logM1, L = M1 << logM2;
    const int logT1 = logM1 < 5 ? logM1 : 5, logT2 = logM2 < 5 ? logM2 : 5, T1 = 1 << logT1, T2 = 1 << logT2;
    const int tilesK1 = M1 >> logT1, perChannel = tilesK1 << (logM2 - logT2);
    const int d = blockIdx.x / perChannel, block = blockIdx.x % perChannel;
    const int a = (block % tilesK1) << logT1, c = (block / tilesK1) << logT2;
    const long long batchStride = (long long)D * (L + 1);
    const cpx* in = input + (long long)d * (L + 1);
    batched_load<HYENA_REORDER_LOAD>(T1 * T2, [&](int i) {
        int k1 = TO_SLOTS ? i & (T1 - 1) : i >> logT2, k2 = TO_SLOTS ? i >> logT1 : i & (T2 - 1);
        long long at = TO_SLOTS ? a + k1 + ((long long)(c + k2) << logM1) : ((long long)(a + k1) << logM2) + c + k2;
        cpx v = in[at];
        for (int b = 1; b < B; b++) v = cadd(v, in[b * batchStride + at]);
        return v;
    }, [&](int i, cpx v) {
        int k1 = TO_SLOTS ? i & (T1 - 1) : i >> logT2, k2 = TO_SLOTS ? i >> logT1 : i & (T2 - 1);
        tile[k2 * 33 + k1] = v;
    });
    __syncthreads();
    cpx* o = out + (long long)d * (L + 1);
    for (int i = threadIdx.x; i < T1 * T2; i += blockDim.x) {
        int k1 = TO_SLOTS ? i >> logT2 : i & (T1 - 1), k2 = TO_SLOTS ? i & (T2 - 1) : i >> logT1;
        o[TO_SLOTS ? ((long long)(a + k1) << logM2) + c + k2 : a + k1 + ((long long)(c + k2) << logM1)] = tile[k2 * 33 + k1];
    }
    if (block == 0 && threadIdx.x == 0) {   // bin L, last in both orders
        cpx v = cmake(0.f, 0.f);
        for (int b = 0; b < B; b++) v = cadd(v, in[b * batchStride + L]);
        o[L] = v;
    }
}

__device__ void fourstep_spectrum_gradient(const cpx* terms, cpx* out, int B, int D, int logM1, int logM2) {
    fourstep_reorder<0>(terms, out, B, D, logM1, logM2);
}

extern ""C"" __global__ void __launch_bounds__(256) hyena_fourstep_spectrum_gradient(const cpx* terms, cpx* out, int B, int D, int logM1, int logM2) {
    fourstep_spectrum_gradient(terms, out, B, D, logM1, logM2);
}

extern ""C"" __global__ void __launch_bounds__(256) hyena_fourstep_spectrum_slots(const cpx* spectrum, cpx* out, int B, int D, int logM1, int logM2) {
    fourstep_reorder<1>(spectrum, out, B, D, logM1, logM2);
}

#define HYENA_FOURSTEP(TN, T) \
extern ""C"" __global__ void __launch_bounds__(256) hyena_fourstep_columns_forward_##TN(const T* a, long long sba, const T* b, long long sbb, float scale, \
    const T* side, T* side_out, long long sbo, work_of<T>::type* work, int L, int D, int logM1, int logM2, int logC) { \
    fourstep_columns_forward<T>(a, sba, b, sbb, scale, side, side_out, sbo, work, L, D, logM1, logM2, logC); } \
extern ""C"" __global__ void __launch_bounds__(256) hyena_fourstep_columns_inverse_##TN(const work_of<T>::type* work, const T* g1, long long sbg1, T* out1, \
    const T* g2, long long sbg2, T* out2, long long sbo, int L, int D, int logM1, int logM2, int logC) { \
    fourstep_columns_inverse<T>(work, g1, sbg1, out1, g2, sbg2, out2, sbo, L, D, logM1, logM2, logC); }
HYENA_FOURSTEP(f32, float)
HYENA_FOURSTEP(bf16, bf16_t)
// At most 64 registers a thread, which the radix-16 passes need without spilling: two blocks of 64 KiB an SM. (With the
// radix-4 passes, 42 registers and three blocks had made the kernel alone 2.36 -> 2.26 ms at 64k and width 768 on an H200.)
// The rows kernels (the convolution's, MODE 0, and the filter path's below) for each buffer type: float32 (no suffix) and
// bfloat16 (_bf16), each with its build for rows of 4,096 points (_4096).
#define HYENA_FOURSTEP_ROWS(S, W) \
extern ""C"" __global__ void __launch_bounds__(512, 2) hyena_fourstep_rows##S(W* work, const cpx* K, int conjK, cpx* spec_out, const W* u_in, int D, int logM1, int logM2) { \
    fourstep_rows_of<0, 0, 0>(work, K, conjK, spec_out, u_in, D, logM1, logM2); } \
extern ""C"" __global__ void __launch_bounds__(512, 2) hyena_fourstep_rows##S##_4096(W* work, const cpx* K, int conjK, cpx* spec_out, const W* u_in, int D, int logM1, int logM2) { \
    fourstep_rows_of<0, 12, HYENA_ROW_THREADS>(work, K, conjK, spec_out, u_in, D, logM1, logM2); } \
extern ""C"" __global__ void __launch_bounds__(512, 2) hyena_fourstep_rows_spectrum##S(W* work, cpx* spec_out, int logM1, int logM2) { \
    fourstep_rows_of<1, 0, 0>(work, (const cpx*)0, 0, spec_out, (const W*)0, 1, logM1, logM2); } \
extern ""C"" __global__ void __launch_bounds__(512, 2) hyena_fourstep_rows_spectrum##S##_4096(W* work, cpx* spec_out, int logM1, int logM2) { \
    fourstep_rows_of<1, 12, HYENA_ROW_THREADS>(work, (const cpx*)0, 0, spec_out, (const W*)0, 1, logM1, logM2); } \
extern ""C"" __global__ void __launch_bounds__(512, 2) hyena_fourstep_rows_inverse##S(W* work, const cpx* spectrum, int D, int logM1, int logM2) { \
    fourstep_rows_of<2, 0, 0>(work, spectrum, 0, (cpx*)0, (const W*)0, D, logM1, logM2); } \
extern ""C"" __global__ void __launch_bounds__(512, 2) hyena_fourstep_rows_inverse##S##_4096(W* work, const cpx* spectrum, int D, int logM1, int logM2) { \
    fourstep_rows_of<2, 12, HYENA_ROW_THREADS>(work, spectrum, 0, (cpx*)0, (const W*)0, D, logM1, logM2); }
HYENA_FOURSTEP_ROWS(, cpx)
HYENA_FOURSTEP_ROWS(_bf16, bpx)

// The filter's spectrum and its gradient by the same steps (FilterSpectrumFunction in the kernels' order): an ungated float32 row (the padded filter)
// through step 1, step 2 writing only the spectrum (MODE 1); a one-sided spectrum through step 2 alone (MODE 2) and an
// ungated step 3 that writes the first L outputs.
extern ""C"" __global__ void __launch_bounds__(256) hyena_fourstep_columns_forward_f32_ungated(const float* a, long long sba, float scale,
    cpx* work, int L, int D, int logM1, int logM2, int logC) {
    fourstep_columns_forward<float, false>(a, sba, (const float*)0, 0, scale, (const float*)0, (float*)0, (long long)D * L, work, L, D, logM1, logM2, logC);
}
extern ""C"" __global__ void __launch_bounds__(256) hyena_fourstep_columns_inverse_f32_ungated(const cpx* work, float* out, int L, int D,
    int logM1, int logM2, int logC) {
    fourstep_columns_inverse<float, false>(work, (const float*)0, 0, out, (const float*)0, 0, (float*)0, (long long)D * L, L, D, logM1, logM2, logC);
}
#define HYENA_FOURSTEP_FILTER(NAME, T) \
extern ""C"" __global__ void __launch_bounds__(256) hyena_fourstep_columns_forward_filter##NAME(const T* k, const float* bias, const float* times, \
    const float* deltas, float shift, float scale, work_of<T>::type* work, int L, int logM1, int logM2, int logC) { \
    fourstep_columns_forward_filter<T>(k, bias, times, deltas, shift, scale, work, L, logM1, logM2, logC); } \
extern ""C"" __global__ void __launch_bounds__(256) hyena_fourstep_columns_inverse_filter##NAME(const work_of<T>::type* work, const float* G, const float* times, \
    const float* deltas, float shift, T* gk, float* gbias, float scale, int L, int logM1, int logM2, int logC) { \
    fourstep_columns_inverse_filter<T>(work, G, times, deltas, shift, gk, gbias, scale, L, logM1, logM2, logC); }
HYENA_FOURSTEP_FILTER(, float)
HYENA_FOURSTEP_FILTER(_bf16, bf16_t)
";

        /// <summary>
        /// The kernels that hold their points in dynamic shared memory, which may take all a block can opt in to (a kernel
        /// with static shared memory must not be given that: the driver refuses the attribute).
        /// </summary>
        internal static readonly string[] SharedMemoryFunctionNames =
        {
            "hyena_fourstep_columns_forward_f32", "hyena_fourstep_columns_forward_bf16", "hyena_fourstep_rows", "hyena_fourstep_rows_4096",
            "hyena_fourstep_columns_inverse_f32", "hyena_fourstep_columns_inverse_bf16",
            "hyena_fourstep_columns_forward_f32_ungated", "hyena_fourstep_rows_spectrum", "hyena_fourstep_rows_spectrum_4096",
            "hyena_fourstep_rows_inverse", "hyena_fourstep_rows_inverse_4096",
            "hyena_fourstep_columns_inverse_f32_ungated", "hyena_fourstep_columns_forward_filter", "hyena_fourstep_columns_forward_filter_bf16",
            "hyena_fourstep_columns_inverse_filter", "hyena_fourstep_columns_inverse_filter_bf16",
            "hyena_fourstep_rows_bf16", "hyena_fourstep_rows_bf16_4096", "hyena_fourstep_rows_spectrum_bf16", "hyena_fourstep_rows_spectrum_bf16_4096",
            "hyena_fourstep_rows_inverse_bf16", "hyena_fourstep_rows_inverse_bf16_4096",
        };

        /// <summary>The kernels' names.</summary>
        internal static readonly string[] FunctionNames = SharedMemoryFunctionNames.Append("hyena_fourstep_spectrum_gradient").Append("hyena_fourstep_spectrum_slots").ToArray();

        /// <summary>
        /// The filter spectrum's gradient (D, L + 1) from the backward pass's per-row terms <paramref name="terms"/>
        /// (B, D, L + 1, complex float32, contiguous, in the kernels' bin order: see kept_slot in the source): their sum over
        /// the batch, in bin order. One pass, which reads the terms once and writes the gradient once.
        /// </summary>
        internal static Tensor SpectrumGradient(Tensor terms) => Reorder("hyena_fourstep_spectrum_gradient", terms);

        /// <summary>
        /// The filter's spectrum <paramref name="spectrum"/> (D, L + 1, complex float32, contiguous, bin order) in the
        /// kernels' bin order (kept_slot), as <see cref="Launch"/> takes it: the rows kernel then reads it contiguously, as
        /// it reads the kept spectrum, instead of M1 bins apart. One pass.
        /// </summary>
        internal static Tensor SpectrumSlots(Tensor spectrum) => Reorder("hyena_fourstep_spectrum_slots", spectrum.unsqueeze(0));

        // One of the reordering kernels on (B, D, L + 1) spectra: (D, L + 1), summed over B.
        private static unsafe Tensor Reorder(string kernel, Tensor spectra)
        {
            int device = CudaKernels.DeviceIndex(spectra);
            int batch = checked((int)spectra.size(0)), channels = checked((int)spectra.size(1));
            var (logM1, logM2, _) = Factors(spectra.size(2) - 1);
            var output = empty(new[] { spectra.size(1), spectra.size(2) }, ScalarType.ComplexFloat32, spectra.device);
            long blocks = (long)channels << (logM1 - Math.Min(logM1, 5) + logM2 - Math.Min(logM2, 5));   // tiles of up to 32 x 32
            if (blocks > int.MaxValue)
                throw new NotSupportedException($"The four-step spectrum reordering takes up to {int.MaxValue} blocks; got {blocks}.");
            IntPtr input = CudaKernels.DataPointer(spectra), result = CudaKernels.DataPointer(output);
            void** args = stackalloc void*[] { &input, &result, &batch, &channels, &logM1, &logM2 };
            CudaKernels.Launch(device, kernel, ((uint)blocks, 1), args, 256, 0);
            return output;
        }

        /// <summary>
        /// The one-sided spectra (C, L + 1), in the kernels' bin order (kept_slot), of the C real rows <paramref name="rows"/>
        /// (C, L, float32, contiguous) zero-padded to 2L, unscaled: rfft(pad(rows), 2L) as the four-step convolution reads
        /// the filter's spectrum. Steps 1 (ungated) and 2 (spectrum only) through one buffer; L a power of two that
        /// <see cref="Factors"/> takes.
        /// </summary>
        internal static unsafe Tensor RealSpectrum(Tensor rows)
        {
            int device = CudaKernels.DeviceIndex(rows);
            int channels = checked((int)rows.size(0)), length = checked((int)rows.size(1));
            var (logM1, logM2, logC) = Factors(length);
            using var work = Buffer(rows.size(0), length, ScalarType.Float32, rows.device);
            IntPtr a = CudaKernels.DataPointer(rows), buffer = CudaKernels.DataPointer(work);
            long sba = (long)channels * length;
            float scale = 1f;
            void** first = stackalloc void*[] { &a, &sba, &scale, &buffer, &length, &channels, &logM1, &logM2, &logC };
            CudaKernels.Launch(device, "hyena_fourstep_columns_forward_f32_ungated", (Blocks(channels, logM2 - logC), 1), first, ColumnThreads,
                ColumnBytes(logM1, logC));
            return RowSpectra(device, work, channels, length, logM1, logM2);
        }

        /// <summary>
        /// <see cref="RealSpectrum"/> of the windowed filter straight from the filter MLP's product <paramref name="k"/> (C, L),
        /// float32 or bfloat16, laid out channels first: step 1 reads it as <see cref="FilterSpectrumFunction"/>'s channels-first
        /// padding kernel would write it padded (scale (k[c, t] w(t, c) + bias[c] at t = 0), w the window from
        /// <paramref name="times"/>, <paramref name="deltas"/> and <paramref name="shift"/>, 1 when they are zero), the same
        /// values without that copy. The pointers: float32 data on k's device, or zero for none.
        /// </summary>
        internal static unsafe Tensor FilterSpectrum(Tensor k, IntPtr bias, IntPtr times, IntPtr deltas, float shift, float scale)
        {
            int device = CudaKernels.DeviceIndex(k);
            int length = checked((int)k.size(-1)), channels = checked((int)(k.numel() / length));
            var (logM1, logM2, logC) = Factors(length);
            using var work = Buffer(channels, length, k.dtype, k.device);
            IntPtr pk = CudaKernels.DataPointer(k), buffer = CudaKernels.DataPointer(work);
            void** first = stackalloc void*[] { &pk, &bias, &times, &deltas, &shift, &scale, &buffer, &length, &logM1, &logM2, &logC };
            CudaKernels.Launch(device, FilterSpectrumFunction.KernelName("hyena_fourstep_columns_forward_filter", k.dtype), (Blocks(channels, logM2 - logC), 1),
                first, ColumnThreads, ColumnBytes(logM1, logC));
            return RowSpectra(device, work, channels, length, logM1, logM2);
        }

        // Step 2 in mode 1: the one-sided spectra (C, L + 1) in the kernels' order from step 1's buffer (float32 or bfloat16: Buffer).
        private static unsafe Tensor RowSpectra(int device, Tensor work, int channels, int length, int logM1, int logM2)
        {
            var spectrum = empty(new[] { channels, length + 1L }, ScalarType.ComplexFloat32, work.device);
            IntPtr buffer = CudaKernels.DataPointer(work), spec = CudaKernels.DataPointer(spectrum);
            void** second = stackalloc void*[] { &buffer, &spec, &logM1, &logM2 };
            CudaKernels.Launch(device, RowKernel("hyena_fourstep_rows_spectrum", work, logM2), (Blocks(channels, logM1 - 1), 1), second, RowThreads, RowBytes(logM2));
            return spectrum;
        }

        // Shared memory of a block of steps 1 and 3: its C columns of M1 points.
        private static uint ColumnBytes(int logM1, int logC) => (uint)(OnChipFftConvolution.SharedBytesPerPosition << (logM1 + logC));

        /// <summary>
        /// The first L outputs (C, L, float32) of the unnormalised inverse real transforms of the one-sided spectra
        /// <paramref name="spectrum"/> (C, L + 1, complex float32, contiguous, in the kernels' bin order), the imaginary parts
        /// of bins 0 and L dropped: z[t] = Re G[0] + Re G[L] (-1)^t + 2 sum over 0 &lt; f &lt; L of Re(G[f] e^(2 pi i f t / 2L)),
        /// as cuFFT's unscaled irfft gives them. Steps 2 (inverse only) and 3 (ungated) through one buffer.
        /// </summary>
        internal static unsafe Tensor InverseRealSpectrum(Tensor spectrum)
        {
            int device = CudaKernels.DeviceIndex(spectrum);
            int channels = checked((int)spectrum.size(0)), length = checked((int)spectrum.size(1) - 1);
            var (logM1, logM2, logC) = Factors(length);
            var z = empty(new[] { spectrum.size(0), (long)length }, ScalarType.Float32, spectrum.device);
            using var work = RowInverses(device, spectrum, channels, length, logM1, logM2, ScalarType.Float32);
            IntPtr buffer = CudaKernels.DataPointer(work), output = CudaKernels.DataPointer(z);
            void** third = stackalloc void*[] { &buffer, &output, &length, &channels, &logM1, &logM2, &logC };
            CudaKernels.Launch(device, "hyena_fourstep_columns_inverse_f32_ungated", (Blocks(channels, logM2 - logC), 1), third, ColumnThreads,
                ColumnBytes(logM1, logC));
            return z;
        }

        /// <summary>
        /// The filter's gradient from its spectrum's, <paramref name="spectrum"/> (C, L + 1, complex float32, contiguous, in
        /// the kernels' order), written straight into <paramref name="gk"/> (C, L, float32 or bfloat16, contiguous) and, where
        /// not zero, <paramref name="gbias"/> (C, float32) as <see cref="FilterSpectrumFunction"/>'s channels-first gradient
        /// kernel writes them from <see cref="InverseRealSpectrum"/>'s z (scale (z + Re G[0] + (-1)^t Re G[L]) times the
        /// window; the bias's at t = 0 without it): the same values without z in memory.
        /// </summary>
        internal static unsafe void FilterGradient(Tensor spectrum, Tensor gk, IntPtr gbias, IntPtr times, IntPtr deltas, float shift, float scale)
        {
            int device = CudaKernels.DeviceIndex(spectrum);
            int channels = checked((int)spectrum.size(0)), length = checked((int)spectrum.size(1) - 1);
            var (logM1, logM2, logC) = Factors(length);
            using var work = RowInverses(device, spectrum, channels, length, logM1, logM2, gk.dtype);
            IntPtr buffer = CudaKernels.DataPointer(work), g = CudaKernels.DataPointer(spectrum), pk = CudaKernels.DataPointer(gk);
            void** third = stackalloc void*[] { &buffer, &g, &times, &deltas, &shift, &pk, &gbias, &scale, &length, &logM1, &logM2, &logC };
            CudaKernels.Launch(device, FilterSpectrumFunction.KernelName("hyena_fourstep_columns_inverse_filter", gk.dtype), (Blocks(channels, logM2 - logC), 1),
                third, ColumnThreads, ColumnBytes(logM1, logC));
        }

        // Step 2 in mode 2: the buffer of the inverse transforms of one-sided spectra (C, L + 1) in the kernels' order, for a
        // step 3 whose output is of type `output` (its buffer's type: Buffer).
        private static unsafe Tensor RowInverses(int device, Tensor spectrum, int channels, int length, int logM1, int logM2, ScalarType output)
        {
            var work = Buffer(channels, length, output, spectrum.device);
            IntPtr g = CudaKernels.DataPointer(spectrum), buffer = CudaKernels.DataPointer(work);
            void** second = stackalloc void*[] { &buffer, &g, &channels, &logM1, &logM2 };
            CudaKernels.Launch(device, RowKernel("hyena_fourstep_rows_inverse", work, logM2), (Blocks(channels, logM1 - 1), 1), second, RowThreads, RowBytes(logM2));
            return work;
        }

        /// <summary>
        /// Runs the three steps for <paramref name="x"/> on <paramref name="rows"/> rows of <paramref name="channels"/>
        /// channels and <paramref name="length"/> positions, with a complex buffer of rows x length in the streams' precision
        /// (<see cref="Buffer"/>; freed on return, after the launches are queued: the caching allocator keeps it for the stream).
        /// </summary>
        /// <param name="device">The CUDA device index (kernels ready there).</param>
        /// <param name="x">The streams, spectra (the filter's in the kernels' order: <see cref="SpectrumSlots"/>) and outputs.</param>
        /// <param name="rows">Batch x channel rows.</param>
        /// <param name="channels">Channels D (the filter's spectrum has one row per channel).</param>
        /// <param name="length">Positions L per row, a power of two from <see cref="MinLength"/> to <see cref="MaxLength"/>.</param>
        /// <param name="dtype">The streams' type: float32 or bfloat16.</param>
        /// <param name="steps">Which steps to launch (bits 1, 2, 4); all three but for timing one step alone (a benchmark).</param>
        internal static unsafe void Launch(int device, OnChipFftConvolution.Arguments x, long rows, int channels, int length, ScalarType dtype, int steps = 7)
        {
            var (logM1, logM2, logC) = Factors(length);
            uint columnBlocks = Blocks(rows, logM2 - logC), rowBlocks = Blocks(rows, logM1 - 1);
            uint columnBytes = ColumnBytes(logM1, logC);
            using var work = Buffer(rows, length, dtype, x.A.device);
            var P = OnChipFftConvolution.Arguments.Pointer;
            IntPtr a = P(x.A), b = P(x.B), side = P(x.Side), sideOut = P(x.SideOut), k = P(x.Spectrum), specOut = P(x.SpectrumOut), specIn = P(x.SpectrumIn);
            IntPtr g1 = P(x.Gate1), out1 = P(x.Out1), g2 = P(x.Gate2), out2 = P(x.Out2), buffer = P(work);
            long sba = x.StrideA, sbb = x.StrideB, sbg1 = x.StrideGate1, sbg2 = x.StrideGate2, sbo = x.OutputBatchStride(channels, length);
            float scale = 1f;
            int conj = x.Conjugate ? 1 : 0;
            string type = dtype == ScalarType.BFloat16 ? "bf16" : "f32";

            void** first = stackalloc void*[] { &a, &sba, &b, &sbb, &scale, &side, &sideOut, &sbo, &buffer, &length, &channels, &logM1, &logM2, &logC };
            if ((steps & 1) != 0)
                CudaKernels.Launch(device, "hyena_fourstep_columns_forward_" + type, (columnBlocks, 1), first, ColumnThreads, columnBytes);

            void** second = stackalloc void*[] { &buffer, &k, &conj, &specOut, &specIn, &channels, &logM1, &logM2 };
            if ((steps & 2) != 0)
                CudaKernels.Launch(device, RowKernel("hyena_fourstep_rows", work, logM2), (rowBlocks, 1), second, RowThreads, RowBytes(logM2));

            void** third = stackalloc void*[] { &buffer, &g1, &sbg1, &out1, &g2, &sbg2, &out2, &sbo, &length, &channels, &logM1, &logM2, &logC };
            if ((steps & 4) != 0)
                CudaKernels.Launch(device, "hyena_fourstep_columns_inverse_" + type, (columnBlocks, 1), third, ColumnThreads, columnBytes);
        }

        /// <summary>log2 of the rows (M2) the rows kernels have a build of their own for (the _4096 kernels).</summary>
        internal const int FixedRowLog2 = 12;

        // The rows kernel `name` for rows of 2^logM2 points through `work` (Buffer): the build for its buffer's type (_bf16
        // for bfloat16 points), and of that its build for rows of 4,096 points by RowThreads threads, whose loops and offsets
        // are worked out where it is compiled, when it has that shape; else the general build.
        private static string RowKernel(string name, Tensor work, int logM2)
            => name + (work.dtype == BufferType(ScalarType.BFloat16) ? "_bf16" : "") + (logM2 == FixedRowLog2 ? "_4096" : "");

        /// <summary>
        /// The buffer between the steps for <paramref name="rows"/> rows of <paramref name="length"/> complex points whose
        /// streams (or filter, or filter gradient) are of type <paramref name="streams"/>: float32 complex, or for bfloat16
        /// streams bfloat16 complex (the kernels' bpx, one 32-bit word a point, held as Int32), half the bytes in each of the
        /// buffer's four passes over memory. The transforms run in float32 either way; a bfloat16 point is rounded once where
        /// a step writes it, which adds about the streams' own rounding to the result (docs/benchmarks.md, fourteenth session).
        /// </summary>
        internal static Tensor Buffer(long rows, int length, ScalarType streams, Device device)
            => empty(new[] { rows, (long)length }, BufferType(streams), device);

        /// <summary>
        /// The type of the buffer's points and of the spectrum the forward pass keeps for the backward pass (which the rows
        /// kernel writes and reads in the buffer's type) for streams of type <paramref name="streams"/>: complex float32, or
        /// Int32 holding a bfloat16 complex (the kernels' bpx) for bfloat16 streams.
        /// </summary>
        internal static ScalarType BufferType(ScalarType streams) => streams == ScalarType.BFloat16 ? ScalarType.Int32 : ScalarType.ComplexFloat32;

        // rows x 2^logPerRow blocks, numbered row by row.
        private static uint Blocks(long rows, int logPerRow)
        {
            long blocks = rows << logPerRow;
            if (blocks > int.MaxValue)
                throw new NotSupportedException($"The four-step long convolution takes up to {int.MaxValue >> logPerRow} (batch x channel) rows at this length; got {rows}.");
            return (uint)blocks;
        }
    }
}
