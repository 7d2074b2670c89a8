// What the kernels' CUDA source needs to compile as C++ (see OnChipFftConvolution.cpp, ShortConvolution.cpp): the
// qualifiers as nothing, the block and grid indices as globals that the caller sets (run_grid steps through a grid), barriers as nothing (one thread per
// block runs a whole block), the intrinsics the kernels use, and the dynamic shared memory.
#pragma once
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>
#define __device__
#define __forceinline__ inline
#define __global__
#define __launch_bounds__(...)
#define __align__(x)
#define __shared__
struct dim3_ { unsigned x, y, z; };
static dim3_ blockIdx, threadIdx, blockDim, gridDim;
inline void __syncthreads() {}
struct alignas(16) float4 { float x, y, z, w; };
inline float4 make_float4(float x, float y, float z, float w) { return float4{ x, y, z, w }; }
// A hint to the CUDA compiler (the block's shape); g++ 12 has none.
#define __builtin_assume(x) ((void)0)
// Never reached with one thread per block (the kernels' warp reductions are for blocks of 32 threads or more); here
// so that they compile.
inline float __shfl_down_sync(unsigned, float v, int) { return v; }
inline float __shfl_xor_sync(unsigned, float v, int) { return v; }

// Runs block() once for every block of a grid of gx by gy blocks (gridDim set, blockIdx stepped), one thread each.
template <typename Block>
static void run_grid(unsigned gx, unsigned gy, Block block) {
    gridDim.x = gx; gridDim.y = gy;
    for (unsigned x = 0; x < gx; x++)
        for (unsigned y = 0; y < gy; y++) { blockIdx.x = x; blockIdx.y = y; block(); }
}
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
inline unsigned __brev(unsigned v) { unsigned r = 0; for (int i = 0; i < 32; i++) { r = (r << 1) | (v & 1); v >>= 1; } return r; }
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, 4); return u; }
inline float rsqrtf(float x) { return 1.f / std::sqrt(x); }
inline void sincospif(float x, float* s, float* c) { *s = (float)std::sin(M_PI * (double)x); *c = (float)std::cos(M_PI * (double)x); }
alignas(16) unsigned char hyena_smem[8 * 32768];   // (the rows kernel's build for rows of 4,096 points, one thread a block: 2 rows and 3 x 4,096 steps)

// The bytes of dynamic shared memory that run() writes, up to its highest written byte: the memory is filled with one
// pattern, run, and searched from the top for a byte that changed; then again with another pattern, so that a byte
// written with the first pattern's value is still found. For tying a host's shared-memory size to what a kernel uses.
template <typename Run>
static size_t shared_extent(Run run) {
    size_t extent = 0;
    for (unsigned char pattern : { (unsigned char)0xA5, (unsigned char)0x5A }) {
        std::memset(hyena_smem, pattern, sizeof hyena_smem);
        run();
        for (size_t i = sizeof hyena_smem; i > extent; i--)
            if (hyena_smem[i - 1] != pattern) { extent = i; break; }
    }
    return extent;
}
