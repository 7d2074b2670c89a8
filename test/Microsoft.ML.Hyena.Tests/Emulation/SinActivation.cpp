// Runs the sine activation's CUDA source (SinActivationFunction.Source, written next to this file as kernel.inc by
// SinActivationEmulationTests) on the CPU, one thread per block (each kernel's loops then cover the block's 256 threads),
// without and with the bias of the Linear layer before it (p = x + bias). Forward: every element against sinf(freq p)
// computed here, bit for bit. Backward: x's gradient against t freq with t = g cos(freq p), bit for bit (the same float32
// operations), and the frequency's and the bias's gradients (the blocks' partial sums added here in double) against the
// sums of t p and of t freq over the rows in double precision, relative error at most 1e-5. Feature counts below, at and
// above the 32-feature tile, row counts that need several trips of a block's row loop, and forward grids that need
// several trips of the grid-stride loop. Prints one line per case and exits 1 on any failure.
#include "CudaShim.h"
#include "kernel.inc"

static int run_case(long long rows, int F, int rowBlocks, int forwardBlocks, bool withBias, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 1.f);
    const long long n = rows * F;
    const int parts = withBias ? 2 : 1;
    std::vector<float> x(n), g(n), freq(F), bias(F), y(n, -1e30f), gx(n, -1e30f), partial((size_t)parts * rowBlocks * F, -1e30f);
    for (auto& v : x) v = normal(rng);
    for (auto& v : g) v = normal(rng);
    for (auto& v : bias) v = normal(rng);
    for (int f = 0; f < F; f++) freq[f] = 1.f + 14.f * f / F;            // the filter's frequencies are around 1 to 15
    const float* b = withBias ? bias.data() : nullptr;
    auto pre = [&](long long i) { return withBias ? x[i] + bias[i % F] : x[i]; };
    blockDim.x = 1; threadIdx.x = 0;
    run_grid((unsigned)forwardBlocks, 1, [&] { hyena_sin_forward(x.data(), freq.data(), b, y.data(), n, F); });
    int wrong = 0;
    for (long long i = 0; i < n; i++) {
        float want = sinf(freq[i % F] * pre(i));
        if (std::memcmp(&want, &y[i], 4) != 0) wrong++;
    }
    run_grid((unsigned)((F + 31) / 32), (unsigned)rowBlocks, [&] { hyena_sin_backward(g.data(), x.data(), freq.data(), b, gx.data(), partial.data(), rows, F); });
    double e2 = 0, n2 = 0, be2 = 0, bn2 = 0;
    for (int f = 0; f < F; f++) {
        double want = 0, got = 0, wantBias = 0, gotBias = 0;
        for (long long r = 0; r < rows; r++) {
            long long i = r * F + f;
            float p = pre(i);
            float t = g[i] * cosf(freq[f] * p);
            float wantGx = t * freq[f];
            if (std::memcmp(&wantGx, &gx[i], 4) != 0) wrong++;
            want += (double)t * p;
            wantBias += wantGx;
        }
        for (int k = 0; k < rowBlocks; k++) got += partial[(size_t)k * F + f];
        e2 += (got - want) * (got - want); n2 += want * want;
        if (withBias) {
            for (int k = 0; k < rowBlocks; k++) gotBias += partial[(size_t)(rowBlocks + k) * F + f];
            be2 += (gotBias - wantBias) * (gotBias - wantBias); bn2 += wantBias * wantBias;
        }
    }
    double err = n2 > 0 ? std::sqrt(e2 / n2) : std::sqrt(e2);
    double biasErr = bn2 > 0 ? std::sqrt(be2 / bn2) : std::sqrt(be2);
    std::printf("rows=%lld F=%d blocks=%d bias=%d wrong=%d freq grad %.2e bias grad %.2e\n", rows, F, rowBlocks, withBias ? 1 : 0, wrong, err, biasErr);
    return wrong + (err > 1e-5 ? 1 : 0) + (biasErr > 1e-5 ? 1 : 0);
}

int main() {
    std::mt19937 rng(5);
    int failures = 0;
    // rows, features, backward row blocks, forward blocks (3 blocks of 256: a stride of 768, not a multiple of 5 or 70)
    const int cases[][4] = { {1, 1, 1, 3}, {7, 5, 1, 3}, {40, 32, 5, 3}, {1000, 64, 3, 3}, {333, 70, 42, 3}, {4096, 64, 256, 7} };
    for (int withBias = 0; withBias < 2; withBias++)
        for (const auto& c : cases) failures += run_case(c[0], c[1], c[2], c[3], withBias == 1, rng);
    std::printf("failures %d\n", failures);
    return failures == 0 ? 0 : 1;
}
