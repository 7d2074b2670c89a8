// Runs the sine activation's CUDA source (SinActivationFunction.Source, written next to this file as kernel.inc by
// SinActivationEmulationTests) on the CPU, one thread per block (each kernel's loops then cover the block's 256 threads).
// Forward: every element against sinf(freq x) computed here, bit for bit. Backward: x's gradient against t freq with
// t = g cos(freq x), bit for bit (the same float32 operations), and the frequency's gradient (the blocks' partial sums
// added here in double) against the sum of t x over the rows in double precision, relative error at most 1e-5. Feature
// counts below, at and above the 32-feature tile, and row counts that need several trips of a block's row loop. Prints
// one line per case and exits 1 on any failure.
#include "CudaShim.h"
#include "kernel.inc"

static int run_case(long long rows, int F, int rowBlocks, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 1.f);
    const long long n = rows * F;
    std::vector<float> x(n), g(n), freq(F), y(n, -1e30f), gx(n, -1e30f), partial((size_t)rowBlocks * F, -1e30f);
    for (auto& v : x) v = normal(rng);
    for (auto& v : g) v = normal(rng);
    for (int f = 0; f < F; f++) freq[f] = 1.f + 14.f * f / F;            // the filter's frequencies are around 1 to 15
    blockDim.x = 1; threadIdx.x = 0;
    run_grid(3, 1, [&] { hyena_sin_forward(x.data(), freq.data(), y.data(), n, F); });
    int wrong = 0;
    for (long long i = 0; i < n; i++) {
        float want = sinf(freq[i % F] * x[i]);
        if (std::memcmp(&want, &y[i], 4) != 0) wrong++;
    }
    run_grid((unsigned)((F + 31) / 32), (unsigned)rowBlocks, [&] { hyena_sin_backward(g.data(), x.data(), freq.data(), gx.data(), partial.data(), rows, F); });
    double e2 = 0, n2 = 0;
    for (int f = 0; f < F; f++) {
        double want = 0, got = 0;
        for (long long r = 0; r < rows; r++) {
            long long i = r * F + f;
            float t = g[i] * cosf(freq[f] * x[i]);
            float wantGx = t * freq[f];
            if (std::memcmp(&wantGx, &gx[i], 4) != 0) wrong++;
            want += (double)t * x[i];
        }
        for (int b = 0; b < rowBlocks; b++) got += partial[(size_t)b * F + f];
        e2 += (got - want) * (got - want); n2 += want * want;
    }
    double err = n2 > 0 ? std::sqrt(e2 / n2) : std::sqrt(e2);
    std::printf("rows=%lld F=%d blocks=%d wrong=%d freq grad %.2e\n", rows, F, rowBlocks, wrong, err);
    return wrong + (err > 1e-5 ? 1 : 0);
}

int main() {
    std::mt19937 rng(5);
    int failures = 0;
    const int cases[][3] = { {1, 1, 1}, {7, 5, 1}, {40, 32, 5}, {1000, 64, 3}, {333, 70, 42}, {4096, 64, 256} };
    for (const auto& c : cases) failures += run_case(c[0], c[1], c[2], rng);
    std::printf("failures %d\n", failures);
    return failures == 0 ? 0 : 1;
}
