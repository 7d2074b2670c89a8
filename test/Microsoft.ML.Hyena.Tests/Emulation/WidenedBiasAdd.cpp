// Runs the widened bias add's CUDA source (WidenedBiasAddFunction.Source after ShortConvolutionFunction.Source, whose
// vector types and bfloat16 helpers it uses; written next to this file as kernel.inc by WidenedBiasAddEmulationTests) on
// the CPU, one thread for the whole grid (the grid-stride loop then visits every element), and checks every element
// against float(x) + bias computed directly: the same two float32 operations, so the results must be equal bit for bit.
// Widths that are multiples of 8 take the vector path (with element counts that do and do not end on a whole vector),
// others the element path. Then without a bias (null): x widened, bit for bit, a negative zero included. Then the backward
// kernel (hyena_bias_grad_narrow): the gradient narrowed to bfloat16 bit for bit and the bias's gradient within 1e-6 of a
// double-precision sum (relative to the sum of magnitudes). Prints one line per case and exits 1 on any difference.
#include "CudaShim.h"
#include "kernel.inc"

static int run_case(long long rows, int D, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 3.f);
    const long long n = rows * D;
    alignas(16) static unsigned short x[1 << 16];
    alignas(16) static float bias[4096], y[1 << 16];
    for (long long i = 0; i < n; i++) st(x, i, normal(rng));
    for (int d = 0; d < D; d++) bias[d] = normal(rng);
    for (long long i = 0; i < n; i++) y[i] = -1e30f;
    gridDim.x = 1; blockDim.x = 1; blockIdx.x = 0; threadIdx.x = 0;
    hyena_widen_add_bias(x, bias, y, n, D);
    int wrong = 0;
    for (long long i = 0; i < n; i++) {
        float want = ld(x, i) + bias[i % D];
        if (std::memcmp(&want, &y[i], 4) != 0) wrong++;
    }
    // Without a bias: x widened, bit for bit (negative zeros included).
    if (n > 0) st(x, 0, -0.f);
    for (long long i = 0; i < n; i++) y[i] = -1e30f;
    hyena_widen_add_bias(x, nullptr, y, n, D);
    int wrongWiden = 0;
    for (long long i = 0; i < n; i++) {
        float want = ld(x, i);
        if (std::memcmp(&want, &y[i], 4) != 0) wrongWiden++;
    }
    // The backward kernel: gx the gradient rounded to bfloat16 as a cast rounds, bit for bit; the bias's gradient (the row
    // blocks' partial sums added) against a double-precision sum. Two or three row blocks, so that each lane strides; at
    // 90 and 200 rows every one of a thread's 4 rows in flight is used.
    alignas(16) static float g[1 << 16], partial[4 * 4096];
    alignas(16) static unsigned short gx[1 << 16];
    for (long long i = 0; i < n; i++) { g[i] = normal(rng); gx[i] = 0xFFFF; }
    const unsigned rowBlocks = rows > 16 ? 3u : 2u;
    run_grid((unsigned)((D + 127) / 128), rowBlocks, [&] { hyena_bias_grad_narrow(g, gx, partial, rows, D); });
    int wrongGrad = 0;
    for (long long i = 0; i < n; i++) wrongGrad += gx[i] != (unsigned short)bf16_bits(g[i]);
    double worst = 0;
    for (int d = 0; d < D; d++) {
        double want = 0, got = 0, scale = 1e-30;
        for (long long r = 0; r < rows; r++) { want += g[r * D + d]; scale += std::fabs(g[r * D + d]); }
        for (unsigned ry = 0; ry < rowBlocks; ry++) got += partial[(size_t)ry * D + d];
        worst = std::fmax(worst, std::fabs(got - want) / scale);
    }
    if (worst > 1e-6) wrongGrad++;
    std::printf("rows=%lld D=%d n=%lld wrong=%d widened wrong=%d backward wrong=%d (bias sum %.1e)\n", rows, D, n, wrong, wrongWiden, wrongGrad, worst);
    return wrong + wrongWiden + wrongGrad;
}

int main() {
    std::mt19937 rng(3);
    int wrong = 0;
    const long long cases[][2] = { {40, 768}, {7, 64}, {5, 8}, {9, 12}, {11, 3}, {1, 1}, {0, 16}, {90, 512}, {200, 12} };
    for (const auto& c : cases) wrong += run_case(c[0], (int)c[1], rng);
    std::printf("wrong %d\n", wrong);
    return wrong == 0 ? 0 : 1;
}
