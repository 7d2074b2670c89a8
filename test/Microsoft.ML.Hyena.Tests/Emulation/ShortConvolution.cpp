// Runs the short convolution kernels' CUDA source (ShortConvolutionFunction.Source, written next to this file as
// kernel.inc by ShortConvolutionEmulationTests) on the CPU, one thread per block, and checks the forward pass, the input
// gradient and the block sums of the weight, bias and input-bias gradients against direct sums in double precision:
// float32 to 1e-5 and bfloat16 to the rounding of its output (each element within half a unit in the last place of the
// direct sum, the float32 sums to 1e-5), kernel sizes 1 to 8, with and without the input
// bias, lengths that fill whole 16-byte vectors (the vector loads) and lengths that do not (the element loads).
// Prints one line per case and exits 1 when an error exceeds its bound.
#include "CudaShim.h"
#include "kernel.inc"

static unsigned short to_bf16(float v) { unsigned short h; st(&h, 0, v); return h; }

template <typename T> static T make(float v);
template <> float make<float>(float v) { return v; }
template <> unsigned short make<unsigned short>(float v) { return to_bf16(v); }

static double rel(const std::vector<double>& want, const std::vector<double>& got) {
    double e2 = 0, n2 = 0;
    for (size_t i = 0; i < want.size(); i++) { e2 += (got[i] - want[i]) * (got[i] - want[i]); n2 += want[i] * want[i]; }
    return n2 == 0 ? std::sqrt(e2) : std::sqrt(e2 / n2);
}

// The largest error of one element in units of what rounding to bfloat16 allows (half a unit in the last place, 2^-8
// relative, plus 1e-5 for the float32 sum): at most 1 when every element is the direct sum correctly rounded.
static double worst_bf16(const std::vector<double>& want, const std::vector<double>& got) {
    double worst = 0;
    for (size_t i = 0; i < want.size(); i++) worst = std::fmax(worst, std::fabs(got[i] - want[i]) / (std::ldexp(std::fabs(want[i]), -8) + 1e-5));
    return worst;
}

// One case of B = 2 batches and C = 3 channels; returns the largest relative error over y, gx, gw, gb and the input bias's.
template <typename T>
static double run_case(const char* type, int L, int K, bool withInputBias, std::mt19937& rng,
                       void (*fwd)(const T*, const T*, const T*, const T*, T*, int, int, int),
                       void (*bwd)(const T*, const T*, const T*, const T*, T*, float*, int, int, int)) {
    std::normal_distribution<float> normal(0.f, 1.f);
    const int B = 2, C = 3;
    const long long rows = (long long)B * C;
    std::vector<T> x(rows * L), g(rows * L), w(C * K), bias(C), pre(C), y(rows * L), gx(rows * L);
    for (auto& v : x) v = make<T>(normal(rng));
    for (auto& v : g) v = make<T>(normal(rng));
    for (auto& v : w) v = make<T>(normal(rng));
    for (auto& v : bias) v = make<T>(normal(rng));
    for (auto& v : pre) v = make<T>(normal(rng));
    const T* preBias = withInputBias ? pre.data() : nullptr;

    // One thread per block, 4 vectors of 8 positions each (the host's grid, ShortConvolutionFunction.Chunks, for blocks of one thread).
    blockDim.x = 1; threadIdx.x = 0;
    run_grid((unsigned)rows, (unsigned)((L + 31) / 32), [&] { fwd(x.data(), w.data(), bias.data(), preBias, y.data(), L, C, K); });
    // Backward: the block sums land in partial (rows, chunks, 10).
    std::vector<float> partial(rows * ((L + 31) / 32) * 10, 0.f);
    run_grid((unsigned)rows, (unsigned)((L + 31) / 32), [&] { bwd(g.data(), x.data(), w.data(), preBias, gx.data(), partial.data(), L, C, K); });

    // Direct sums in double precision, from the same (rounded) inputs.
    auto val = [](const std::vector<T>& a, long long i) { return (double)ld(a.data(), i); };
    std::vector<double> yWant(rows * L), yGot(rows * L), gxWant(rows * L), gxGot(rows * L);
    std::vector<double> gwWant(C * K, 0), gwGot(C * K, 0), gbWant(C, 0), gbGot(C, 0), gpWant(C, 0), gpGot(C, 0);
    for (long long r = 0; r < rows; r++) {
        int c = (int)(r % C);
        double pb = withInputBias ? val(pre, c) : 0;
        auto xp = [&](int t) { return t < 0 ? 0.0 : val(x, r * L + t) + pb; };   // x' = x + input bias, zero before 0
        for (int t = 0; t < L; t++) {
            double s = val(bias, c), q = 0;
            for (int j = 0; j < K; j++) s += val(w, c * K + j) * xp(t - (K - 1) + j);
            for (int j = 0; j < K; j++) if (t + (K - 1) - j < L) q += val(w, c * K + j) * val(g, r * L + t + (K - 1) - j);
            yWant[r * L + t] = s; yGot[r * L + t] = val(y, r * L + t);
            gxWant[r * L + t] = q; gxGot[r * L + t] = val(gx, r * L + t);
            double gv = val(g, r * L + t);
            for (int j = 0; j < K; j++) gwWant[c * K + j] += gv * xp(t - (K - 1) + j);
            gbWant[c] += gv;
            gpWant[c] += q;
        }
        for (unsigned ch = 0; ch < gridDim.y; ch++) {
            const float* p = &partial[(r * gridDim.y + ch) * 10];
            for (int j = 0; j < K; j++) gwGot[c * K + j] += p[K - 1 - j];   // slot m is lag m: tap K-1-m
            gbGot[c] += p[8];
            gpGot[c] += p[9];
        }
    }
    // float32: relative errors; bfloat16: y and gx in rounding units (see worst_bf16), the float32 sums relative.
    bool bf16 = sizeof(T) == 2;
    double ey = bf16 ? worst_bf16(yWant, yGot) : rel(yWant, yGot), egx = bf16 ? worst_bf16(gxWant, gxGot) : rel(gxWant, gxGot);
    double egw = rel(gwWant, gwGot), egb = rel(gbWant, gbGot), egp = rel(gpWant, gpGot);
    std::printf("%s L=%d K=%d inputBias=%d y %.2e gx %.2e gw %.2e gb %.2e gpb %.2e\n", type, L, K, withInputBias ? 1 : 0, ey, egx, egw, egb, egp);
    double sums = std::fmax(egw, std::fmax(egb, withInputBias ? egp : 0.0));
    return bf16 ? std::fmax(std::fmax(ey, egx) * 1e-5, sums) : std::fmax(std::fmax(ey, egx), sums);   // bf16: 1 rounding unit counts as 1e-5
}

int main() {
    std::mt19937 rng(7);
    double worst32 = 0, worst16 = 0;
    for (int L : {1, 5, 8, 13, 64, 200, 2051, 4096})
        for (int K : {1, 3, 4, 5, 8})
            for (int withBias = 0; withBias < 2; withBias++) {
                // the backward kernel the host picks for K (ShortConvolutionFunction.BackwardKernel)
                worst32 = std::fmax(worst32, run_case<float>("f32", L, K, withBias, rng, hyena_short_fwd_f32, K <= 4 ? hyena_short_bwd_f32 : hyena_short_bwd_k8_f32));
                worst16 = std::fmax(worst16, run_case<unsigned short>("bf16", L, K, withBias, rng, hyena_short_fwd_bf16,
                                                                      K <= 4 ? hyena_short_bwd_bf16 : hyena_short_bwd_k8_bf16));
            }
    std::printf("worst f32 %.2e bf16 %.2e\n", worst32, worst16);
    return worst32 < 1e-5 && worst16 <= 1e-5 ? 0 : 1;
}
