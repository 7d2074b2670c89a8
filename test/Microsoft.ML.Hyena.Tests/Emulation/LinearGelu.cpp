// Runs the MLP's GELU backward kernel (LinearGeluFunction.Source after ShortConvolutionFunction.Source, whose vector type
// and alignment test it uses, written next to this file as kernel.inc by LinearGeluTests) on the CPU, one thread a block,
// on grids of 2 or 3 row blocks, and checks it against the exact GELU's derivative in double precision: each input
// gradient within half a bfloat16 step of dy GELU'(x) (and the float32 formula's error where it cancels, below), and the
// bias's gradient (the row blocks' partial sums added) within 1e-6 of a double-precision sum of the gradients as the
// kernel rounded them (relative to their magnitudes). Widths that are multiples of 8 take the vector path (with rows that
// do and do not fill a thread's 4 rows in flight, and a width past one block's tile of 256), others and misaligned
// pointers the element path. Prints one line per case and exits 1 on any difference.
#include "CudaShim.h"
#include "kernel.inc"

static double gelu_grad(double x) { return 0.5 * (1.0 + std::erf(x / std::sqrt(2.0))) + x * std::exp(-0.5 * x * x) / std::sqrt(2.0 * M_PI); }

// Whether the bfloat16 `got` is within half a bfloat16 step (at got's magnitude, 1 % over) of `want`, plus `slack`: the
// float32 formula's own error where 1 + erf(x / sqrt(2)) cancels (x below about -4: erf is then within a few float32
// steps of -1, so the derivative is off by up to a few 2^-24 times |dy| in absolute terms, as libtorch's is), or both
// are below 1e-30.
static bool within_half_step(unsigned short got, double want, double slack) {
    const float g = bf16_lo(got);
    const double magnitude = std::fmax(std::fabs((double)g), std::fabs(want));
    if (magnitude < 1e-30) return true;
    const double step = std::ldexp(1.0, std::ilogb(magnitude) - 7);
    return std::fabs((double)g - want) <= 0.505 * step + slack;
}

static int run_case(long long rows, int H, int offset, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 2.f);
    const long long n = rows * H;
    // The operands at `offset` elements past 16-byte aligned buffers (an offset of 1: the element path at any width).
    std::vector<unsigned short> xs(n + 16), dys(n + 16), dxs(n + 16);
    auto at = [offset](std::vector<unsigned short>& v) {
        unsigned short* p = v.data();
        while (((unsigned long long)p & 15ull) != 0ull) p++;
        return p + offset;
    };
    unsigned short *x = at(xs), *dy = at(dys), *dx = at(dxs);
    for (long long i = 0; i < n; i++) { st(x, i, normal(rng)); st(dy, i, normal(rng)); dx[i] = 0xFFFF; }
    if (n > 2) { st(x, 0, 0.f); st(x, 1, -9.f); st(x, 2, 7.f); }   // GELU's zero, a far negative and a far positive input
    blockDim.x = 1; threadIdx.x = 0;
    // The backward kernel.
    const unsigned rowBlocks = rows > 16 ? 3u : 2u;
    std::vector<float> partial((size_t)rowBlocks * (H > 0 ? H : 1), -1e30f);
    run_grid((unsigned)((H + 255) / 256), rowBlocks, [&] { hyena_gelu_bwd_bias(dy, x, dx, partial.data(), rows, H); });
    int wrongBackward = 0;
    for (long long i = 0; i < n; i++) wrongBackward += !within_half_step(dx[i], (double)bf16_lo(dy[i]) * gelu_grad(bf16_lo(x[i])), 4 * std::ldexp(std::fabs(bf16_lo(dy[i])), -24));
    double worst = 0;
    for (int f = 0; f < H; f++) {
        double want = 0, got = 0, scale = 1e-30;
        for (long long r = 0; r < rows; r++) { want += bf16_lo(dx[r * H + f]); scale += std::fabs(bf16_lo(dx[r * H + f])); }
        for (unsigned ry = 0; ry < rowBlocks; ry++) got += partial[(size_t)ry * H + f];
        worst = std::fmax(worst, std::fabs(got - want) / scale);
    }
    const int wrongSum = worst > 1e-6 ? 1 : 0;
    std::printf("rows=%lld H=%d offset=%d backward wrong=%d bias sum wrong=%d (%.1e)\n", rows, H, offset, wrongBackward, wrongSum, worst);
    return wrongBackward + wrongSum;
}

int main() {
    std::mt19937 rng(5);
    int wrong = 0;
    const long long cases[][3] = { {40, 768, 0}, {7, 64, 0}, {5, 8, 0}, {90, 512, 0}, {33, 3072, 0}, {9, 12, 0}, {11, 3, 0}, {1, 1, 0}, {0, 16, 0}, {200, 24, 0}, {20, 64, 1} };
    for (const auto& c : cases) wrong += run_case(c[0], (int)c[1], (int)c[2], rng);
    std::printf("wrong %d\n", wrong);
    return wrong == 0 ? 0 : 1;
}
