using System;
using TorchSharp;
using static TorchSharp.torch;

namespace Microsoft.ML.Hyena.Kernels
{
    /// <summary>
    /// The whole gated long convolution of one (batch, channel) row in one CUDA block, its transforms in
    /// shared memory: the path <see cref="LongConvolutionImplementation.CudaOnChip"/> takes inside
    /// <see cref="LongConvolutionFunction"/> when the length L is a power of two from <see cref="MinLength"/>
    /// to <see cref="MaxLength"/> (16,384 where a block may use 128 KiB of shared memory, as on an A100, H100 or
    /// H200). One kernel reads the two gated inputs and writes the gated result, where the cuFFT path makes
    /// a pass over memory for each of its two transforms, the spectrum product and the two gate passes. Longer
    /// rows, up to <see cref="FourStepFftConvolution.MaxLength"/>, run the same computation as the three
    /// <see cref="FourStepFftConvolution"/> kernels.
    /// </summary>
    /// <remarks>
    /// <para>The 2L real points of the zero-padded, gated input a are read as L complex points
    /// z[n] = a[2n] + i a[2n+1] (the second half is zero). A radix-2 transform of L points (decimation in
    /// time, input loaded in bit-reversed order) gives Z; the one-sided spectrum of a follows as
    /// X[k] = E + W^k O and X[L-k] = conj(E - W^k O) with E = (Z[k] + conj(Z[L-k]))/2,
    /// O = -i (Z[k] - conj(Z[L-k]))/2, W = exp(-i pi / L). It is multiplied by the filter's spectrum K (or its
    /// conjugate, for the backward pass's correlation), the imaginary parts of bins 0 and L dropped as a real
    /// inverse transform drops them, and packed back into L points, Z'[k] = (Y[k] + conj(Y[L-k])) +
    /// i (Y[k] - conj(Y[L-k])) conj(W^k), whose inverse transform (decimation in frequency, read out in
    /// bit-reversed order) holds y[2n] + i y[2n+1]. Only the first L of the 2L outputs are written.</para>
    /// <para>Shared memory: the L complex points (8L bytes), each point's index swizzled (see swz in the source) so
    /// that bit-reversed accesses and the first pass spread over the banks. The radix-2 stages are taken four at a time
    /// (sixteen points per thread in registers; the four-step column kernels two at a time), twiddle factors computed in
    /// registers. Transforms in float32 whatever the
    /// streams' type; no float16 variant (<see cref="HyenaOperator.HalfPrecisionTransforms"/> keeps the cuFFT path).</para>
    /// </remarks>
    internal static class OnChipFftConvolution
    {
        /// <summary>The shortest length the kernel takes (shorter ones run the cuFFT path).</summary>
        public const int MinLength = 16;

        /// <summary>
        /// The shortest length for which <see cref="LongConvolutionImplementation.Auto"/> picks the on-chip kernel. On
        /// one H200 (docs/benchmarks.md, "The on-chip long convolution") classifier training at 16k ran 2.4 and 2.5 %
        /// faster with it than with the cuFFT node in two runs; at 8k it was 0.9 % slower (the operator alone, batch 1,
        /// 7 % faster), at 1k and 4k 2 % slower.
        /// </summary>
        public const long AutoMinLength = 16384;

        /// <summary>
        /// Whether <see cref="LongConvolutionImplementation.Auto"/> runs a (B, D, <paramref name="length"/>) convolution on
        /// <paramref name="stream"/>'s device here: from <see cref="AutoMinLength"/> up to what one block holds, and the
        /// four-step kernels from <see cref="FourStepFftConvolution.AutoMinLength"/> (32k, where one block of an H200 no
        /// longer holds a row; a device with less shared memory takes the cuFFT node between the two). Whether the kernels
        /// apply at all is still <see cref="Applies"/>'s to say.
        /// </summary>
        public static bool AutoPicks(Tensor stream, long length)
            => length >= AutoMinLength
               && (length <= MaxLength(CudaKernels.DeviceIndex(stream)) || length >= FourStepFftConvolution.AutoMinLength);

        /// <summary>Shared memory per row: 8 bytes per position (one complex float32 per pair of the 2L real points).</summary>
        public const int SharedBytesPerPosition = 8;

        /// <summary>Threads per block: one per two positions, from 32 up to 1,024.</summary>
        public static int Threads(long length) => (int)Math.Clamp(length / 2, 32, 1024);

        internal const string Source = @"
// ---- The whole gated long convolution of a row in shared memory (OnChipFftConvolution). ----
// 8-byte aligned, so that a complex value moves in one 64-bit load or store (4-byte alignment had split each into two).
struct __align__(8) cpx { float x, y; };
__device__ __forceinline__ cpx cmake(float x, float y) { cpx r; r.x = x; r.y = y; return r; }
__device__ __forceinline__ cpx cadd(cpx a, cpx b) { return cmake(a.x + b.x, a.y + b.y); }
__device__ __forceinline__ cpx csub(cpx a, cpx b) { return cmake(a.x - b.x, a.y - b.y); }
__device__ __forceinline__ cpx cmul(cpx a, cpx b) { return cmake(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x); }
__device__ __forceinline__ cpx cconj(cpx a) { return cmake(a.x, -a.y); }
// The four-step kernels' buffer points (FourStepFftConvolution) and the spectrum they keep for the backward pass: float32
// complex (cpx) for float32 streams, or bfloat16 complex (bpx: one 32-bit word, the real part in the low half) for
// bfloat16 streams, whose buffer then takes half the bytes in each of its four passes over memory (step 1's writes, step
// 2's reads and writes, step 3's reads), and the kept spectrum half in its write and its read. The transforms themselves
// run in float32 in shared memory; a bfloat16 point is rounded once where a step writes it (bf16x2_bits), as the streams'
// own values are. The steps take either (W, from the buffer's pointer); the entry points pair a buffer type with a
// stream type (work_of). One block a row (onchip_conv) keeps its spectrum in float32.
struct bpx { unsigned int v; };
__device__ __forceinline__ cpx work_get(const cpx* p, long long i) { return p[i]; }
__device__ __forceinline__ cpx work_get(const bpx* p, long long i) { const unsigned int u = p[i].v; return cmake(bf16_lo(u), bf16_hi(u)); }
__device__ __forceinline__ void work_put(cpx* p, long long i, cpx v) { p[i] = v; }
__device__ __forceinline__ void work_put(bpx* p, long long i, cpx v) { p[i].v = bf16x2_bits(v.x, v.y); }
template <typename T> struct work_of { typedef cpx type; };
template <> struct work_of<bf16_t> { typedef bpx type; };
// exp(i pi f). HYENA_FAST_TWIDDLES (a measurement variant, through CudaKernels.NvrtcOptionsVariable): the hardware's
// approximate sine and cosine of f folded into [-1, 1] (absolute error about 5e-7, against sincospif's rounding).
#ifdef HYENA_FAST_TWIDDLES
__device__ __forceinline__ cpx expi_pi(float f) { f -= 2.f * rintf(0.5f * f); float s, c; __sincosf(3.14159265358979f * f, &s, &c); return cmake(c, s); }
#else
__device__ __forceinline__ cpx expi_pi(float f) { float s, c; sincospif(f, &s, &c); return cmake(c, s); }
#endif
// f / d for a power of two d (the twiddle factors' arguments), as a product with 1 / d: the same value as the division
// (scaling by a power of two is exact), without the division's reciprocal, refinement and slow-path call.
__device__ __forceinline__ float over_pow2(float f, int d) { return f * __uint_as_float((unsigned)(127 - (31 - __clz(d))) << 23); }
// Where point i lives in shared memory: its low five bits XOR its high five (for M >= 1024; sh = log2(M) - 5, else 0),
// so that the bit-reversed accesses of 32 neighbouring threads, which differ only in the high bits, fall in different
// banks; then bits 0-3 XOR bits 4-7, so that the first radix-16 pass (points 1 apart, threads 16 apart) does not put
// the threads of a half-warp on one bank. Each step changes only bits below those it reads, so the map is one to one.
// (Counted by a script for the rows of the four-step kernels and for one block of 16k: the bit-reversed accesses, every
// pass and the spectrum product take two wavefronts a warp, the least 8-byte accesses take; with bits 0-1 and 2-3
// XOR bits 4-5, as for radix-4 passes from span 1, the first radix-16 pass took 4 and 8.) Radix-4 passes from span 4
// would conflict under this map; only the column kernels take those, and they use none. sh < 0: no swizzle.
__device__ __forceinline__ int swz(int i, int sh) {
    if (sh < 0) return i;
    int j = sh ? i ^ ((i >> sh) & 31) : i;
    return j ^ ((j >> 4) & 15);
}

// The transforms below work on 2^logCount transforms of M points at once: point i of transform f lives at
// z[(f << fshift) + (swz(i, sh) << ishift)]. A pass's thread j takes transform f = j mod count and butterfly j / count
// when FFAST (neighbouring threads on neighbouring transforms: the column layout of FourStepFftConvolution, where the
// transforms are interleaved), else butterfly j mod (butterflies per transform) and transform j / that. FFAST is a
// template parameter so that each kernel's index arithmetic is compiled for its layout.
__device__ __forceinline__ int fft_at(int f, int i, int sh, int ishift, int fshift) { return (f << fshift) + (swz(i, sh) << ishift); }
template <int FFAST>
__device__ __forceinline__ void fft_split(int j, int logQ, int logCount, int* f, int* q) {
    if (FFAST) { *f = j & ((1 << logCount) - 1); *q = j >> logCount; }
    else { *q = j & ((1 << logQ) - 1); *f = j >> logQ; }
}

// swz is linear over the bits (each of its steps XORs bit fields), and the points base + k s of a butterfly group (below)
// have their offsets k s in bits that base leaves zero, so point k lives at (where base lives) XOR swz(k s): one swizzle a
// group and one XOR a point. fft_at's two terms share no bit either (f < 2^logCount; swz(i) < M).
__device__ __forceinline__ int span_offset(int ks, int sh, int ishift) { return swz(ks, sh) << ishift; }
__device__ __forceinline__ int group_point(int p0, int k, int b1, int b2, int b4, int b8) {
    return p0 ^ ((k & 1) ? b1 : 0) ^ ((k & 2) ? b2 : 0) ^ ((k & 4) ? b4 : 0) ^ ((k & 8) ? b8 : 0);
}

// Where thread j's group of 2^logR points of span s starts: points base + k s, k < 2^logR, with base = 2^logR (q - pos) + pos
// for the group's number q in its transform; returns pos, its position in the span, which sets its twiddle factors.
template <int FFAST>
__device__ __forceinline__ int group_at(int j, int s, int logR, int logM, int sh, int logCount, int ishift, int fshift, int* p0) {
    int f, q;
    fft_split<FFAST>(j, logM - logR, logCount, &f, &q);
    int pos = q & (s - 1);
    *p0 = fft_at(f, ((q - pos) << logR) + pos, sh, ishift, fshift);
    return pos;
}

// A radix-4 butterfly: the stages of span s and 2s over points 0, s, 2s, 3s of a group at position pos, given
// w2 = exp(dir i pi pos / 2s); forward (dir = -1, decimation in time) or inverse (dir = +1, decimation in frequency:
// the same stages undone in reverse order). w1 = w2^2 is span s's twiddle, w3 = w2 exp(dir i pi / 2) span 2s's at pos + s.
// UNIT: w2 = 1 (a group at position 0), so w1 = 1 and w3 = -+i: the same sums without the products (x * 1 - y * 0 = x).
template <int DIR, bool UNIT = false>
__device__ __forceinline__ void radix4(cpx& e0, cpx& e1, cpx& e2, cpx& e3, cpx w2) {
    if (UNIT) {
        if (DIR < 0) {
            cpx t = e1; e1 = csub(e0, t); e0 = cadd(e0, t);
            t = e3; e3 = csub(e2, t); e2 = cadd(e2, t);
            t = e2; e2 = csub(e0, t); e0 = cadd(e0, t);
            t = cmake(e3.y, -e3.x); e3 = csub(e1, t); e1 = cadd(e1, t);
        } else {
            cpx a = cadd(e0, e2); e2 = csub(e0, e2); e0 = a;
            a = cadd(e1, e3); cpx d = csub(e1, e3); e3 = cmake(-d.y, d.x); e1 = a;
            a = cadd(e0, e1); e1 = csub(e0, e1); e0 = a;
            a = cadd(e2, e3); e3 = csub(e2, e3); e2 = a;
        }
        return;
    }
    cpx w1 = cmul(w2, w2), w3 = DIR < 0 ? cmake(w2.y, -w2.x) : cmake(-w2.y, w2.x);
    if (DIR < 0) {
        cpx t = cmul(w1, e1); e1 = csub(e0, t); e0 = cadd(e0, t);
        t = cmul(w1, e3); e3 = csub(e2, t); e2 = cadd(e2, t);
        t = cmul(w2, e2); e2 = csub(e0, t); e0 = cadd(e0, t);
        t = cmul(w3, e3); e3 = csub(e1, t); e1 = cadd(e1, t);
    } else {
        cpx a = cadd(e0, e2); e2 = cmul(csub(e0, e2), w2); e0 = a;
        a = cadd(e1, e3); e3 = cmul(csub(e1, e3), w3); e1 = a;
        a = cadd(e0, e1); e1 = cmul(csub(e0, e1), w1); e0 = a;
        a = cadd(e2, e3); e3 = cmul(csub(e2, e3), w1); e2 = a;
    }
}

// exp(dir i pi m / 8) for m = 0 .. 3: the step between the span-4s twiddles of a radix-16 group's four columns.
template <int DIR>
__device__ __forceinline__ cpx eighth_turn(int m) {
    const float c1 = 0.92387953251128674f, s1 = 0.38268343236508978f, r = 0.70710678118654752f;
    cpx c = m == 0 ? cmake(1.f, 0.f) : m == 1 ? cmake(c1, s1) : m == 2 ? cmake(r, r) : cmake(s1, c1);
    return DIR < 0 ? cconj(c) : c;
}

// The radix-4 butterfly m (0 .. 3) of a radix-16 group's span-4s round: points m, m + 4, m + 8, m + 12, twiddle v
// eighth_turn(m) (v = 1 when FIRST: the constant alone, and no product at all for m = 0).
template <int DIR, bool FIRST>
__device__ __forceinline__ void span4_butterfly(cpx* e, int m, cpx v) {
    if (FIRST && m == 0) radix4<DIR, true>(e[0], e[4], e[8], e[12], v);
    else radix4<DIR>(e[m], e[m + 4], e[m + 8], e[m + 12], m == 0 ? v : FIRST ? eighth_turn<DIR>(m) : cmul(v, eighth_turn<DIR>(m)));
}

// The butterflies of a group of 2^LOGR points (LOGR = 2: one radix-4 butterfly, stages of span s and 2s; LOGR = 4:
// radix 16, stages s .. 8s as two rounds of four radix-4 butterflies, points 4m .. 4m + 3 at span s and points
// m, m + 4, m + 8, m + 12 at span 4s and position pos + m s), in registers. Forward: span s first; inverse: the reverse.
// FIRST: the pass of span 1, whose groups all lie at position 0: every twiddle of span s is 1 (radix4's UNIT), and those of
// span 4s are eighth_turn(m), constants, where the other passes compute them (sincospif, products).
template <int LOGR, int DIR, bool FIRST>
__device__ __forceinline__ void group_butterflies(cpx* e, int pos, int s) {
    if (LOGR == 2) {
        if (FIRST) radix4<DIR, true>(e[0], e[1], e[2], e[3], cmake(1.f, 0.f));
        else radix4<DIR>(e[0], e[1], e[2], e[3], expi_pi(over_pow2(DIR * (float)pos, 2 * s)));
        return;
    }
    const cpx v = FIRST ? cmake(1.f, 0.f) : expi_pi(over_pow2(DIR * (float)pos, 8 * s));   // span 4s at pos; times eighth_turn(m) at pos + m s
    if (DIR > 0) {
#pragma unroll
        for (int m = 0; m < 4; m++) span4_butterfly<DIR, FIRST>(e, m, v);
    }
    const cpx w2 = FIRST ? cmake(1.f, 0.f) : expi_pi(over_pow2(DIR * (float)pos, 2 * s));
#pragma unroll
    for (int m = 0; m < 4; m++) radix4<DIR, FIRST>(e[4 * m], e[4 * m + 1], e[4 * m + 2], e[4 * m + 3], w2);
    if (DIR < 0) {
#pragma unroll
        for (int m = 0; m < 4; m++) span4_butterfly<DIR, FIRST>(e, m, v);
    }
}

// One pass over all the transforms: each thread reads groups of 2^LOGR points of span s into registers, takes their
// butterflies (group_butterflies) and writes them back in place; then a barrier. THREADS: as block_threads.
template <int FFAST, int LOGR, int DIR, bool FIRST, int THREADS>
__device__ __forceinline__ void radix_pass_of(cpx* z, int s, int logM, int sh, int logCount, int ishift, int fshift) {
    const int R = 1 << LOGR;
    const int b1 = span_offset(s, sh, ishift), b2 = span_offset(2 * s, sh, ishift);
    const int b4 = LOGR > 2 ? span_offset(4 * s, sh, ishift) : 0, b8 = LOGR > 2 ? span_offset(8 * s, sh, ishift) : 0;
    for (int j = threadIdx.x; j < (1 << (logM - LOGR)) << logCount; j += block_threads<THREADS>()) {
        int p0;
        int pos = group_at<FFAST>(j, s, LOGR, logM, sh, logCount, ishift, fshift, &p0);
        cpx e[R];
#pragma unroll
        for (int k = 0; k < R; k++) e[k] = z[group_point(p0, k, b1, b2, b4, b8)];
        group_butterflies<LOGR, DIR, FIRST>(e, pos, s);
#pragma unroll
        for (int k = 0; k < R; k++) z[group_point(p0, k, b1, b2, b4, b8)] = e[k];
    }
    __syncthreads();
}

// radix_pass_of, with the pass of span 1 compiled apart (FIRST: its twiddle factors are constants).
template <int FFAST, int LOGR, int DIR, int THREADS>
__device__ __forceinline__ void radix_pass(cpx* z, int s, int logM, int sh, int logCount, int ishift, int fshift) {
    if (s == 1) radix_pass_of<FFAST, LOGR, DIR, true, THREADS>(z, s, logM, sh, logCount, ishift, fshift);
    else radix_pass_of<FFAST, LOGR, DIR, false, THREADS>(z, s, logM, sh, logCount, ishift, fshift);
}

// The radix-2 stage of span M / 2 (log2(M) odd), forward (twiddle before the butterfly) or inverse (after).
template <int FFAST, int DIR, int THREADS>
__device__ __forceinline__ void radix2_pass(cpx* z, int logM, int sh, int logCount, int ishift, int fshift) {
    const int h = 1 << (logM - 1), b = span_offset(h, sh, ishift);
    for (int j = threadIdx.x; j < h << logCount; j += block_threads<THREADS>()) {
        int p0;
        int q = group_at<FFAST>(j, h, 1, logM, sh, logCount, ishift, fshift, &p0);
        cpx w = expi_pi(over_pow2(DIR * (float)q, h)), u = z[p0], v = z[p0 ^ b];
        if (DIR < 0) { v = cmul(w, v); z[p0] = cadd(u, v); z[p0 ^ b] = csub(u, v); }
        else { z[p0] = cadd(u, v); z[p0 ^ b] = cmul(csub(u, v), w); }
    }
    __syncthreads();
}

// Forward transform (exp(-i ...)), decimation in time, bit-reversed in, natural order out: the stages of span 1, 2, 4, ...
// taken four at a time (sixteen points a thread in registers; RADIX16 = 1) or two at a time (four points), then one more
// if log2(M) is odd. Twiddle factors are computed in registers (a shared table is read with bank conflicts). Radix 16
// halves the passes through shared memory and the barriers but takes about 64 registers a thread, against about 40.
// THREADS: as block_threads (with M and the layout also known where it is compiled, every pass's loop and offsets fold).
template <int FFAST, int RADIX16, int THREADS = 0>
__device__ void dit_forward(cpx* z, int M, int sh, int logCount, int ishift, int fshift) {
    const int logM = 31 - __clz(M);
    int s = 1;
    if (RADIX16)
        for (; 16 * s <= M; s *= 16) radix_pass<FFAST, 4, -1, THREADS>(z, s, logM, sh, logCount, ishift, fshift);
    for (; 4 * s <= M; s *= 4) radix_pass<FFAST, 2, -1, THREADS>(z, s, logM, sh, logCount, ishift, fshift);
    if (s < M) radix2_pass<FFAST, -1, THREADS>(z, logM, sh, logCount, ishift, fshift);
}

// Inverse transform (exp(+i ...), unnormalised), decimation in frequency, natural order in, bit-reversed out:
// dit_forward's passes in reverse order; the same layouts.
template <int FFAST, int RADIX16, int THREADS = 0>
__device__ void dif_inverse(cpx* z, int M, int sh, int logCount, int ishift, int fshift) {
    const int logM = 31 - __clz(M), even = logM & ~1;   // even: the stages below span 2^even, after the radix-2 one
    if (logM & 1) radix2_pass<FFAST, 1, THREADS>(z, logM, sh, logCount, ishift, fshift);
    int s = 1 << even;
    if (RADIX16) {
        if (even & 2) { s /= 4; radix_pass<FFAST, 2, 1, THREADS>(z, s, logM, sh, logCount, ishift, fshift); }
        for (s /= 16; s >= 1; s /= 16) radix_pass<FFAST, 4, 1, THREADS>(z, s, logM, sh, logCount, ishift, fshift);
    } else {
        for (s /= 4; s >= 1; s /= 4) radix_pass<FFAST, 2, 1, THREADS>(z, s, logM, sh, logCount, ishift, fshift);
    }
}

// The batches of the long convolution kernels' loads (batched_load) from global memory, for each kernel's loads of the
// streams or the work buffer (_LOAD) and of the spectra's bins (_SPECTRUM, four complex values each): the fastest of those
// tried on an H200 (docs/benchmarks.md, eighth session; build/gpu/run-variants.sh sets them through
// CudaKernels.NvrtcOptionsVariable, for example -DHYENA_ROWS_LOAD=4). At 64k and width 768 the rows kernel took 1.06 ms
// unbatched, 0.96 with the spectrum's bins 2 at a time and 0.92 with 4 (nvcc 11.8 counts an 8-byte spill there); the
// one-block kernel at 16k is fastest at 4 and 4 (8 spills: slower; 2: slower).
#ifndef HYENA_ONCHIP_LOAD
#define HYENA_ONCHIP_LOAD 4
#endif
#ifndef HYENA_ONCHIP_SPECTRUM
#define HYENA_ONCHIP_SPECTRUM 4
#endif
#ifndef HYENA_ROWS_LOAD
#define HYENA_ROWS_LOAD 8
#endif
#ifndef HYENA_ROWS_SPECTRUM
#define HYENA_ROWS_SPECTRUM 4
#endif
#ifndef HYENA_COLUMNS_LOAD
#define HYENA_COLUMNS_LOAD 8
#endif

// Complex point n (< L / 2) of the packed, gated input: (a[2n] b[2n], a[2n+1] b[2n+1]) * scale (b not read, 1, when not
// GATED), at t = 2n of the streams; side_out = a * side there when given (o: the row's start in the contiguous side
// streams; oo: in side_out, whose batch stride may be larger).
template <typename T, bool GATED = true>
__device__ __forceinline__ cpx gated_pair(const T* a, long long ia, const T* b, long long ib, float scale,
                                          const T* side, T* side_out, long long o, long long oo, int t) {
    float a0 = ld(a, ia + t), a1 = ld(a, ia + t + 1);
    if (side_out) { st(side_out, oo + t, a0 * ld(side, o + t)); st(side_out, oo + t + 1, a1 * ld(side, o + t + 1)); }
    return GATED ? cmake(a0 * ld(b, ib + t) * scale, a1 * ld(b, ib + t + 1) * scale) : cmake(a0 * scale, a1 * scale);
}

// The gates of outputs t and t + 1: g1's (1, g1 not read, when not GATED), and g2's (1 when g2 is null).
struct gates2 { float a0, a1, b0, b1; };
template <typename T, bool GATED = true>
__device__ __forceinline__ gates2 output_gates(int t, const T* g1, long long og1, const T* g2, long long og2) {
    gates2 g;
    g.a0 = GATED ? ld(g1, og1 + t) : 1.f; g.a1 = GATED ? ld(g1, og1 + t + 1) : 1.f;
    g.b0 = g2 ? ld(g2, og2 + t) : 1.f; g.b1 = g2 ? ld(g2, og2 + t + 1) : 1.f;
    return g;
}

// Outputs t = 2n and 2n + 1 of the convolution r with their gates g (output_gates): out1 = r * g1, out2 = r * g2 or r
// when g2 is null (if out2 is given).
template <typename T>
__device__ __forceinline__ void gated_output(cpx r, gates2 g, int t, long long o, T* out1, T* out2) {
    st(out1, o + t, r.x * g.a0);
    st(out1, o + t + 1, r.y * g.a1);
    if (out2) {
        st(out2, o + t, r.x * g.b0);
        st(out2, o + t + 1, r.y * g.b1);
    }
}

// Where bin k (0 .. M) of the filter's spectrum K, of the kept spectrum U and of the filter gradient's terms lies: at k
// (logR = 0: one block per row), or, for the four-step kernels (logR = log2(M1)), in the work buffer's order, bin
// k1 + M1 k2 at k1 M2 + k2 and bin M last, so that the rows kernel writes and reads them contiguously instead of M1 bins
// apart (writes that far apart had made the rows kernel alone 1.7 times as slow). K is put in this order by
// hyena_fourstep_spectrum_slots; U is read only by these kernels; the terms are summed over the batch and put back in
// bin order by hyena_fourstep_spectrum_gradient.
__device__ __forceinline__ int kept_slot(int k, int M, int logR) {
    return (logR == 0 || k == M) ? k : ((k & ((1 << logR) - 1)) << (31 - __clz(M) - logR)) + (k >> logR);
}

// The values from global memory that spectrum_product takes for bins kk and M - kk (at kept_slot(.., logR)): the filter's
// spectrum, and the kept spectrum when u is given (else zeros). Loaded apart from the product so that a thread's loads of
// several bins are in flight together (batched_load).
// spectrum_load_at: the same at the slots uk and um of bins kk and M - kk, where the caller knows them.
struct spectrum_in { cpx k0, k1, u0, u1; };
template <typename KU>
__device__ __forceinline__ spectrum_in spectrum_load_at(int uk, int um, const cpx* k, const KU* u) {
    spectrum_in in;
    in.k0 = k[uk];
    in.k1 = k[um];
    in.u0 = u ? work_get(u, uk) : cmake(0.f, 0.f);
    in.u1 = u ? work_get(u, um) : cmake(0.f, 0.f);
    return in;
}
__device__ __forceinline__ spectrum_in spectrum_load(int kk, int M, const cpx* k, const cpx* u, int logR) {
    return spectrum_load_at(kept_slot(kk, M, logR), kept_slot(M - kk, M, logR), k, u);
}

// The real input's spectrum at bins kk and M - kk (X[M] when kk = 0) from its packed transform Z (at z[pk], z[pm]);
// w = W^kk = exp(-i pi kk / M).
__device__ __forceinline__ void real_spectrum(const cpx* z, int pk, int pm, cpx w, cpx* X0, cpx* X1) {
    cpx A = z[pk], B = cconj(z[pm]);
    cpx E = cmake(0.5f * (A.x + B.x), 0.5f * (A.y + B.y));
    cpx O = cmake(0.5f * (A.y - B.y), -0.5f * (A.x - B.x));
    cpx wo = cmul(w, O);
    *X0 = cadd(E, wo);
    *X1 = cconj(csub(E, wo));
}

// The one-sided spectrum Y at bins kk and M - kk packed again for the inverse transform of a real output, in place (the
// imaginary parts of bins 0 and M dropped as a real inverse transform drops them), w as in real_spectrum:
// Z'[kk] = (Y[kk] + conj(Y[M-kk])) + i (Y[kk] - conj(Y[M-kk])) conj(W^kk). Holds for any kk in [0, M).
__device__ __forceinline__ void pack_real_spectrum(cpx* z, int pk, int pm, int kk, int M, cpx w, cpx Y0, cpx Y1) {
    if (kk == 0) { Y0.y = 0.f; Y1.y = 0.f; }
    cpx Fe = cadd(Y0, cconj(Y1));
    cpx Fo = cmul(csub(Y0, cconj(Y1)), cconj(w));
    z[pk] = cmake(Fe.x - Fo.y, Fe.y + Fo.x);                       // Fe + i Fo
    if (kk != 0 && 2 * kk != M) {
        cpx Fe1 = cconj(Fe), Fo1 = cconj(Fo);
        z[pm] = cmake(Fe1.x - Fo1.y, Fe1.y + Fo1.x);
    }
}

// Bins kk and M - kk of the packed transform Z (at z[pk], z[pm]; the same place when kk is 0 or M / 2), w = W^kk as in
// real_spectrum: the real input's
// spectrum X, kept in s when given, or, withU, w X conj(u) with u the kept spectrum (in.u0, in.u1): the backward pass's
// term of the filter's gradient, w = 1 at bins 0 and M and 2 between, as a one-sided spectrum counts them (both at
// kept_slot(.., logR)); its product Y with the filter's spectrum k (in.k0, in.k1; conj(k) when conjK), packed again in
// place (pack_real_spectrum). spectrum_product_at: the same with the slots uk and um of bins kk and M - kk given.
// KU: the kept spectrum's type (cpx, or bpx with the four-step kernels' bfloat16 buffer), in which s takes X when not withU.
template <typename KU = cpx>
__device__ __forceinline__ void spectrum_product_at(cpx* z, int pk, int pm, int kk, int M, cpx w, spectrum_in in, int conjK, cpx* s, int withU, int uk, int um) {
    cpx X0, X1;
    real_spectrum(z, pk, pm, w, &X0, &X1);
    if (s && withU) {
        float weight = kk == 0 ? 1.f : 2.f;   // bins 0 and M weigh 1, the others 2
        cpx p0 = cmul(X0, cconj(in.u0)), p1 = cmul(X1, cconj(in.u1));
        s[uk] = cmake(weight * p0.x, weight * p0.y);
        s[um] = cmake(weight * p1.x, weight * p1.y);
    } else if (s) {
        work_put((KU*)s, uk, X0);
        work_put((KU*)s, um, X1);
    }
    cpx K0 = in.k0, K1 = in.k1;             // the filter's spectrum in the same order
    if (conjK) { K0 = cconj(K0); K1 = cconj(K1); }
    pack_real_spectrum(z, pk, pm, kk, M, w, cmul(X0, K0), cmul(X1, K1));
}
__device__ __forceinline__ void spectrum_product(cpx* z, int pk, int pm, int kk, int M, cpx w, spectrum_in in, int conjK, cpx* s, int withU, int logR) {
    spectrum_product_at(z, pk, pm, kk, M, w, in, conjK, s, withU, kept_slot(kk, M, logR), kept_slot(M - kk, M, logR));
}

// One block per row = b * D + d; M = L complex points; logM = log2(L).
// in = a * b * scale (a at batch stride sba, b at sbb; channel stride L); side_out = a * side (contiguous), if given.
// The spectrum of the padded input goes to spec_out (rows, L + 1), if given (times conj(u_in) and the one-sided weights
// when u_in, (rows, L + 1), is given); Y = X * K (conj(K) when conjK).
// out1 = y * g1 (g1 at sbg1), out2 = y * g2 or y when g2 is null (if out2 is given); the outputs (side_out, out1, out2)
// (B, D, L) with channel stride L and batch stride sbo (D L: contiguous; 3 D L: one of three side by side).
template <typename T>
__device__ void onchip_conv(const T* a, long long sba, const T* b, long long sbb, float scale,
                            const T* side, T* side_out, const cpx* K, int conjK, cpx* spec_out, const cpx* u_in,
                            const T* g1, long long sbg1, T* out1, const T* g2, long long sbg2, T* out2, long long sbo,
                            int L, int D, int logM) {
    extern __shared__ __align__(16) unsigned char hyena_smem[];
    const int M = L;
    cpx* z = (cpx*)hyena_smem;
    const long long row = blockIdx.x;
    const long long o = row * (long long)L, oo = stream_at(row, D, L, sbo, 0);
    const long long ia = stream_at(row, D, L, sba, 0), ib = stream_at(row, D, L, sbb, 0);
    const cpx* k = K + (row % D) * (long long)(M + 1);
    const int shift = 32 - logM;
    const int sh = logM >= 10 ? logM - 5 : 0;

    batched_load<HYENA_ONCHIP_LOAD>(M, [&](int n) { return n < M / 2 ? gated_pair(a, ia, b, ib, scale, side, side_out, o, oo, 2 * n) : cmake(0.f, 0.f); },
                 [&](int n, cpx v) { z[swz(__brev((unsigned)n) >> shift, sh)] = v; });
    __syncthreads();
    dit_forward<0, 1>(z, M, sh, 0, 0, 0);

    // The real input's spectrum, the product with the filter's, packed again for the inverse: bins k and M - k together.
    cpx* s = spec_out ? spec_out + row * (long long)(M + 1) : 0;
    const cpx* u = u_in ? u_in + row * (long long)(M + 1) : 0;
    batched_load<HYENA_ONCHIP_SPECTRUM>(M / 2 + 1, [&](int kk) { return spectrum_load(kk, M, k, u, 0); },
        [&](int kk, spectrum_in in) { spectrum_product(z, swz(kk, sh), swz((M - kk) & (M - 1), sh), kk, M, expi_pi(over_pow2(-(float)kk, M)), in, conjK, s, u != 0, 0); });
    __syncthreads();
    dif_inverse<0, 1>(z, M, sh, 0, 0, 0);   // the spectrum carries 1 / 2L

    const long long og1 = stream_at(row, D, L, sbg1, 0);
    const long long og2 = g2 ? stream_at(row, D, L, sbg2, 0) : 0;
    batched_load<HYENA_ONCHIP_LOAD>(M / 2, [&](int n) { return output_gates(2 * n, g1, og1, g2, og2); },
                 [&](int n, gates2 g) { gated_output(z[swz(__brev((unsigned)n) >> shift, sh)], g, 2 * n, oo, out1, out2); });
}

#define HYENA_ONCHIP(TN, T) \
extern ""C"" __global__ void __launch_bounds__(1024) hyena_onchip_conv_##TN(const T* a, long long sba, const T* b, long long sbb, float scale, \
    const T* side, T* side_out, const cpx* K, int conjK, cpx* spec_out, const cpx* u_in, \
    const T* g1, long long sbg1, T* out1, const T* g2, long long sbg2, T* out2, long long sbo, int L, int D, int logM) { \
    onchip_conv<T>(a, sba, b, sbb, scale, side, side_out, K, conjK, spec_out, u_in, g1, sbg1, out1, g2, sbg2, out2, sbo, L, D, logM); }
HYENA_ONCHIP(f32, float)
HYENA_ONCHIP(bf16, bf16_t)
";

        /// <summary>The kernels' names, one per stream type.</summary>
        internal static readonly string[] FunctionNames = { "hyena_onchip_conv_f32", "hyena_onchip_conv_bf16" };

        /// <summary>
        /// The longest length the kernel takes on CUDA device <paramref name="deviceIndex"/> (a power of two,
        /// from the shared memory a block may opt in to), or 0 when the kernels are not ready there.
        /// </summary>
        public static long MaxLength(int deviceIndex)
        {
            long positions = CudaKernels.MaxSharedBytes(deviceIndex) / SharedBytesPerPosition;
            return positions < MinLength ? 0 : 1L << System.Numerics.BitOperations.Log2((ulong)positions);
        }

        /// <summary>Whether a (B, D, <paramref name="length"/>) convolution on <paramref name="stream"/>'s device runs on chip.</summary>
        public static bool Applies(Tensor stream, long length)
        {
            if (!CudaKernels.Handle(stream) || length < MinLength || (length & (length - 1)) != 0)
                return false;
            int device = CudaKernels.DeviceIndex(stream);
            return CudaKernels.TryEnsure(device) && (length <= MaxLength(device) || FourStepFftConvolution.Applies(device, length));
        }

        /// <summary>
        /// Forward: y = x0 * conv(v * x1); c = conv(v * x1) and u = the input's one-sided spectrum when asked
        /// (what the backward pass needs). <paramref name="v"/>, <paramref name="x1"/> and <paramref name="x0"/>
        /// share a batch stride, with channel stride L.
        /// </summary>
        /// <param name="v">The value stream (B, D, L).</param>
        /// <param name="x1">The gate applied before the convolution.</param>
        /// <param name="x0">The gate applied after it.</param>
        /// <param name="spectrum">The filter's spectrum (D, L + 1).</param>
        /// <param name="keepConvolution">Whether to return c, the ungated convolution.</param>
        /// <param name="keepSpectrum">Whether to return u, the gated input's spectrum (L + 1 bins a row, in the kernels' own
        /// order: bin order for one block per row, the four-step buffer's order past it), for <see cref="Backward"/> only.</param>
        /// <param name="fourSteps">Which of the four-step kernels to launch where they run (bits 1, 2, 4): all but for timing one alone.</param>
        /// <param name="inKernelOrder">Whether <paramref name="spectrum"/> is already as the kernels read it (<see cref="KernelSpectrum"/>).</param>
        /// <returns>y, c and u as asked (u complex float32 with one block a row; with the four-step kernels in their buffer's
        /// type, <see cref="FourStepFftConvolution.BufferType"/>: for bfloat16 streams bfloat16 complex held as Int32), and the
        /// filter's spectrum as the kernels read it (<see cref="KernelSpectrum"/>),
        /// which <see cref="Backward"/> takes.</returns>
        public static (Tensor y, Tensor? c, Tensor? u, Tensor kernelSpectrum) Forward(Tensor v, Tensor x1, Tensor x0, Tensor spectrum, bool keepConvolution, bool keepSpectrum,
            int fourSteps = 7, bool inKernelOrder = false)
        {
            var y = empty(x0.shape, x0.dtype, x0.device);
            var c = keepConvolution ? empty(x0.shape, x0.dtype, x0.device) : null;
            // U in the four-step kernels' buffer type where they run (bfloat16 complex for bfloat16 streams), else complex float32
            var keptType = v.numel() > 0 && RunsInFourSteps(CudaKernels.DeviceIndex(v), v.size(2)) ? FourStepFftConvolution.BufferType(v.dtype) : ScalarType.ComplexFloat32;
            var u = keepSpectrum ? empty(new[] { v.size(0), v.size(1), v.size(2) + 1 }, keptType, v.device) : null;
            var k = inKernelOrder ? spectrum : KernelSpectrum(spectrum, v);
            long sb = v.stride(0);
            Launch(v, new Arguments(v, sb, x1, sb, null, null, k, false, u, x0, sb, y, null, 0, c), fourSteps);
            return (y, c, u, k);
        }

        /// <summary>
        /// The filter's spectrum (D, L + 1) as the kernels read it for streams like <paramref name="stream"/> (B, D, L): itself
        /// where one block takes a row, in the four-step kernels' bin order past that (<see cref="FourStepFftConvolution.SpectrumSlots"/>,
        /// one pass over it), so that their rows kernel reads it contiguously.
        /// </summary>
        public static Tensor KernelSpectrum(Tensor spectrum, Tensor stream)
        {
            int device = CudaKernels.DeviceIndex(stream);
            if (stream.numel() == 0 || !RunsInFourSteps(device, stream.size(2)))
                return spectrum;
            CudaKernels.Ensure(device);
            return FourStepFftConvolution.SpectrumSlots(spectrum.contiguous());
        }

        /// <summary>
        /// Backward of <see cref="Forward"/> for the output gradient <paramref name="g"/> (contiguous): the
        /// gradients of v, x1 and x0, and, when the forward pass kept the input's spectrum <paramref name="u"/>, the
        /// filter spectrum's gradient (D, L + 1): the sum over the batch of each row's term w G conj(U), with G the spectrum
        /// of pad(g * x0) and w the one-sided weights (1 at the first and last bins, 2 between). <paramref name="spectrum"/>
        /// is the filter's spectrum as <see cref="Forward"/> returned it (<see cref="KernelSpectrum"/>); the gradient is
        /// in bin order unless <paramref name="gradientInKernelOrder"/>.
        /// </summary>
        /// <param name="g">The output's gradient (B, D, L), contiguous.</param>
        /// <param name="v">The convolved stream, as given to <see cref="Forward"/>.</param>
        /// <param name="x1">The inner gate, as given to <see cref="Forward"/>.</param>
        /// <param name="x0">The outer gate, as given to <see cref="Forward"/>.</param>
        /// <param name="c">The convolution the forward pass kept (before the outer gate).</param>
        /// <param name="spectrum">The filter's spectrum as the forward pass read it.</param>
        /// <param name="u">The input's spectrum the forward pass kept, or null when the filter needs no gradient.</param>
        /// <param name="gradientInKernelOrder">Whether to give the spectrum's gradient in the four-step kernels' order (where they
        /// run), for a spectrum that they made (summed over the batch only), not in bin order.</param>
        public static (Tensor gv, Tensor gx1, Tensor gx0, Tensor? spectrumGrad) Backward(Tensor g, Tensor v, Tensor x1, Tensor x0, Tensor c, Tensor spectrum, Tensor? u,
            bool gradientInKernelOrder = false)
        {
            var (gv, gx1, gx0, strideOut) = GradientBuffers(v);
            using var terms = u is not null ? empty(new[] { v.size(0), v.size(1), v.size(2) + 1 }, ScalarType.ComplexFloat32, v.device) : null;
            long sb = v.stride(0);
            Launch(v, new Arguments(g, g.stride(0), x0, sb, c, gx0, spectrum, true, terms, x1, sb, gv, v, sb, gx1) { SpectrumIn = u, StrideOut = strideOut });
            if (terms is null)
                return (gv, gx1, gx0, null);
            if (v.numel() > 0 && RunsInFourSteps(CudaKernels.DeviceIndex(v), v.size(2)) && !gradientInKernelOrder)
                return (gv, gx1, gx0, FourStepFftConvolution.SpectrumGradient(terms));    // the terms in the kernels' order
            return (gv, gx1, gx0, terms.size(0) == 1 ? terms.squeeze(0) : terms.sum(0L));
        }

        // The three streams' gradients (B, D, L) the backward kernels write, and their batch stride: views side by side of
        // one buffer (B, 3D, L) in the operator's stream order (x0, x1, v), which ChannelSplitFunction then hands on as the
        // gradient of the streams it split, without concatenating them.
        private static (Tensor gv, Tensor gx1, Tensor gx0, long strideOut) GradientBuffers(Tensor v)
        {
            using var joint = empty(new[] { v.size(0), 3 * v.size(1), v.size(2) }, v.dtype, v.device);
            var parts = joint.split(v.size(1), 1);
            return (parts[2], parts[1], parts[0], 3 * v.size(1) * v.size(2));
        }

        /// <summary>A launch's streams: the input a * b, the side product, the spectra and the gated outputs (see the kernel source).</summary>
        internal sealed record Arguments(Tensor A, long StrideA, Tensor B, long StrideB, Tensor? Side, Tensor? SideOut,
            Tensor Spectrum, bool Conjugate, Tensor? SpectrumOut, Tensor Gate1, long StrideGate1, Tensor Out1, Tensor? Gate2, long StrideGate2, Tensor? Out2)
        {
            /// <summary>The forward pass's kept spectrum, given to the backward pass: SpectrumOut then holds the filter gradient's terms.</summary>
            public Tensor? SpectrumIn { get; init; }

            /// <summary>The batch stride of the outputs (SideOut, Out1, Out2), or 0 for contiguous (B, D, L) outputs.</summary>
            public long StrideOut { get; init; }

            /// <summary>The outputs' batch stride for streams of that many channels and positions.</summary>
            public long OutputBatchStride(int channels, int length) => StrideOut != 0 ? StrideOut : (long)channels * length;

            /// <summary>A tensor's device address, or null for none.</summary>
            public static IntPtr Pointer(Tensor? t) => t is null ? IntPtr.Zero : CudaKernels.DataPointer(t);
        }

        /// <summary>Whether the on-chip convolution of <paramref name="stream"/> (B, D, L) on CUDA runs as the four-step kernels.</summary>
        public static bool RunsFourSteps(Tensor stream)
            => stream.device_type == DeviceType.CUDA && stream.numel() > 0 && RunsInFourSteps(CudaKernels.DeviceIndex(stream), stream.size(2));

        // Whether rows of length positions run as the four-step kernels on the device (longer than one block holds), which
        // also keep the spectra in their own bin order: the one place that decides it for Launch and Backward.
        private static bool RunsInFourSteps(int device, long length) => length > MaxLength(device);

        private static unsafe void Launch(Tensor stream, Arguments x, int fourSteps = 7)
        {
            int device = CudaKernels.DeviceIndex(stream);
            CudaKernels.Ensure(device);
            if (stream.numel() == 0)
                return;
            int length = checked((int)stream.size(2)), channels = checked((int)stream.size(1));
            long rows = stream.size(0) * channels;
            if (rows > int.MaxValue)
                throw new NotSupportedException($"The on-chip long convolution handles up to {int.MaxValue} (batch x channel) rows; got {rows}.");
            if (RunsInFourSteps(device, length))
            {
                FourStepFftConvolution.Launch(device, x, rows, channels, length, stream.dtype, fourSteps);
                return;
            }
            var P = Arguments.Pointer;
            IntPtr a = P(x.A), b = P(x.B), side = P(x.Side), sideOut = P(x.SideOut), k = P(x.Spectrum), specOut = P(x.SpectrumOut), specIn = P(x.SpectrumIn);
            IntPtr g1 = P(x.Gate1), out1 = P(x.Out1), g2 = P(x.Gate2), out2 = P(x.Out2);
            long sba = x.StrideA, sbb = x.StrideB, sbg1 = x.StrideGate1, sbg2 = x.StrideGate2, sbo = x.OutputBatchStride(channels, length);
            float scale = 1f;
            int conj = x.Conjugate ? 1 : 0;
            int logM = System.Numerics.BitOperations.Log2((uint)length);
            void** args = stackalloc void*[]
            {
                &a, &sba, &b, &sbb, &scale, &side, &sideOut, &k, &conj, &specOut, &specIn,
                &g1, &sbg1, &out1, &g2, &sbg2, &out2, &sbo, &length, &channels, &logM,
            };
            string name = stream.dtype == ScalarType.BFloat16 ? "hyena_onchip_conv_bf16" : "hyena_onchip_conv_f32";
            CudaKernels.Launch(device, name, ((uint)rows, 1), args, (uint)Threads(length), (uint)(SharedBytesPerPosition * length));
        }
    }
}
