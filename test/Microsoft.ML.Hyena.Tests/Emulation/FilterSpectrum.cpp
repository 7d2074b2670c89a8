// Runs the filter spectrum's kernels (FilterSpectrumFunction.Source, written next to this file as kernel.inc by
// FilterSpectrumEmulationTests) on the CPU, one thread per block. filter_pad: the zero-padded, skip-termed, scaled filter
// written channels first from a positions-first filter. filter_grad: from z, cuFFT's unscaled inverse transform of a
// gradient spectrum G (computed here as a direct sum with the complex-to-real transform's meaning), the filter's gradient
// (1/2L) sum over f = 0..L of Re(G[f] e^(2 pi i f t / 2L)) (each bin counted once), checked against that sum directly in
// double precision, written positions first, and the skip term's (its value at t = 0). With and without the window
// exp(-t |delta_c|) + shift that both apply to the filter (not to the skip term). Sizes that fill whole tiles and sizes
// that do not. The bfloat16 instances (a filter in bfloat16, the MLP's last product in bfloat16) against the float32 ones
// on the same values widened: the padded filter must be identical and the gradient float32's rounded to bfloat16, bit for
// bit. The channels-first instances (filter_pad_cf, filter_grad_cf) on the transposed filter against the positions-first
// ones: identical. Prints one line per case and exits 1 when an error exceeds 1e-5 or a bfloat16 result differs.
#include "CudaShim.h"
#include "kernel.inc"

// narrow: the four-step kernels' layouts (padded and z of width L, not 2L).
static double run_case(int L, int C, bool withBias, bool windowed, bool narrow, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 1.f);
    const int width = narrow ? L : 2 * L;
    std::vector<float> k((size_t)L * C), bias(C), padded((size_t)C * width, -1.f), times(L), deltas(C);
    for (auto& v : k) v = normal(rng);
    for (auto& v : bias) v = normal(rng);
    for (int t = 0; t < L; t++) times[t] = L == 1 ? 0.f : (float)t / (L - 1);
    for (int c = 0; c < C; c++) deltas[c] = -0.3f - 4.f * c / C;           // negative: the window takes |delta|
    const float shift = windowed && C % 2 ? 0.05f : 0.f;
    const float* tp = windowed ? times.data() : nullptr;
    auto window = [&](int t, int c) { return windowed ? std::exp(-(double)times[t] * std::fabs((double)deltas[c])) + shift : 1.0; };
    blockDim.x = 1; threadIdx.x = 0;
    const unsigned channelTiles = (unsigned)((C + 31) / 32);
    const float scale = 1.f / (2.f * L);
    run_grid((unsigned)((width + 31) / 32), channelTiles, [&] { filter_pad(k.data(), withBias ? bias.data() : nullptr, tp, deltas.data(), shift, padded.data(), L, C, scale, width); });
    double pe = 0, pn = 0;
    for (int c = 0; c < C; c++)
        for (int t = 0; t < width; t++) {
            double want = t < L ? ((double)k[(size_t)t * C + c] * window(t, c) + (t == 0 && withBias ? bias[c] : 0.0)) * scale : 0.0;
            double got = padded[(size_t)c * width + t];
            pe += (got - want) * (got - want); pn += want * want;
        }

    // The backward kernel: G random, z its unscaled complex-to-real transform (imaginary parts at bins 0 and L unused).
    std::vector<float> G((size_t)C * (L + 1) * 2), z((size_t)C * width), gk((size_t)L * C, -1.f), gb(C, -1.f);
    for (auto& v : G) v = normal(rng);
    std::vector<double> want((size_t)L * C), wantSkip(C);
    for (int c = 0; c < C; c++) {
        const float* g = &G[(size_t)c * (L + 1) * 2];
        for (int t = 0; t < width; t++) {
            double zt = g[0] + g[2 * L] * ((t & 1) ? -1.0 : 1.0), once = g[0] + g[2 * L] * ((t & 1) ? -1.0 : 1.0);
            for (int f = 1; f < L; f++) {
                double a = M_PI * (double)((long long)f * t % (2 * L)) / L;
                double re = g[2 * f] * std::cos(a) - g[2 * f + 1] * std::sin(a);
                zt += 2 * re; once += re;
            }
            z[(size_t)c * width + t] = (float)zt;
            if (t < L) want[(size_t)t * C + c] = once / (2.0 * L) * window(t, c);
            if (t == 0) wantSkip[c] = once / (2.0 * L);
        }
    }
    run_grid((unsigned)((L + 31) / 32), channelTiles, [&] { filter_grad(z.data(), G.data(), tp, deltas.data(), shift, gk.data(), withBias ? gb.data() : nullptr, L, C, 1.f / (4.f * L), width); });
    double ge = 0, gn = 0, be = 0, bn = 0;
    for (size_t i = 0; i < want.size(); i++) { ge += (gk[i] - want[i]) * (gk[i] - want[i]); gn += want[i] * want[i]; }
    if (withBias)
        for (int c = 0; c < C; c++) { be += (gb[c] - wantSkip[c]) * (gb[c] - wantSkip[c]); bn += wantSkip[c] * wantSkip[c]; }
    double ep = std::sqrt(pe / pn), eg = std::sqrt(ge / gn), eb = withBias ? std::sqrt(be / bn) : 0.0;

    // bfloat16: k rounded, then both instances of filter_pad on it; filter_grad's bfloat16 instance against the float32 gk.
    std::vector<bf16_t> k16(k.size()), gk16(gk.size());
    std::vector<float> kw(k.size()), padded16((size_t)C * width, -1.f), padded32((size_t)C * width, -1.f), gb16(C, -1.f);
    for (size_t i = 0; i < k.size(); i++) { k16[i] = (bf16_t)bf16_bits(k[i]); kw[i] = bf16_lo(k16[i]); }
    int mismatches = 0;
    run_grid((unsigned)((width + 31) / 32), channelTiles, [&] {
        filter_pad(k16.data(), withBias ? bias.data() : nullptr, tp, deltas.data(), shift, padded16.data(), L, C, scale, width);
        filter_pad(kw.data(), withBias ? bias.data() : nullptr, tp, deltas.data(), shift, padded32.data(), L, C, scale, width);
    });
    for (size_t i = 0; i < padded16.size(); i++) mismatches += padded16[i] != padded32[i];
    run_grid((unsigned)((L + 31) / 32), channelTiles, [&] { filter_grad(z.data(), G.data(), tp, deltas.data(), shift, gk16.data(), withBias ? gb16.data() : nullptr, L, C, 1.f / (4.f * L), width); });
    for (size_t i = 0; i < gk.size(); i++) mismatches += gk16[i] != (bf16_t)bf16_bits(gk[i]);
    if (withBias)
        for (int c = 0; c < C; c++) mismatches += gb16[c] != gb[c];
    if (mismatches) { std::printf("L=%d C=%d: %d bfloat16 results differ from float32's\n", L, C, mismatches); return 1.0; }

    // Channels first: filter_pad_cf on k transposed to (C, L) must write what filter_pad wrote, and filter_grad_cf the
    // transpose of filter_grad's gradient and the same skip term, bit for bit, in float32 and in bfloat16. The channels
    // split over two rows of blocks (each block loops over every other channel), as over 65,535 on the device; at 2,500
    // positions the grid has two blocks along them, the second partly filled.
    std::vector<float> kc(k.size()), paddedCf((size_t)C * width, -2.f), gkCf(gk.size(), -2.f), gbCf(C, -2.f);
    std::vector<bf16_t> kc16(k.size()), gkCf16(gk.size());
    std::vector<float> paddedCf16((size_t)C * width, -2.f), gbCf16(C, -2.f);
    for (int t = 0; t < L; t++)
        for (int c = 0; c < C; c++) { kc[(size_t)c * L + t] = k[(size_t)t * C + c]; kc16[(size_t)c * L + t] = k16[(size_t)t * C + c]; }
    const unsigned channelRows = C < 2 ? 1u : 2u;
    run_grid((unsigned)((width + 2047) / 2048), channelRows, [&] {
        filter_pad_cf(kc.data(), withBias ? bias.data() : nullptr, tp, deltas.data(), shift, paddedCf.data(), L, C, scale, width);
        filter_pad_cf(kc16.data(), withBias ? bias.data() : nullptr, tp, deltas.data(), shift, paddedCf16.data(), L, C, scale, width);
    });
    run_grid((unsigned)((L + 2047) / 2048), channelRows, [&] {
        filter_grad_cf(z.data(), G.data(), tp, deltas.data(), shift, gkCf.data(), withBias ? gbCf.data() : nullptr, L, C, 1.f / (4.f * L), width);
        filter_grad_cf(z.data(), G.data(), tp, deltas.data(), shift, gkCf16.data(), withBias ? gbCf16.data() : nullptr, L, C, 1.f / (4.f * L), width);
    });
    for (size_t i = 0; i < padded.size(); i++) mismatches += (paddedCf[i] != padded[i]) + (paddedCf16[i] != padded16[i]);
    for (int t = 0; t < L; t++)
        for (int c = 0; c < C; c++)
            mismatches += (gkCf[(size_t)c * L + t] != gk[(size_t)t * C + c]) + (gkCf16[(size_t)c * L + t] != gk16[(size_t)t * C + c]);
    if (withBias)
        for (int c = 0; c < C; c++) mismatches += (gbCf[c] != gb[c]) + (gbCf16[c] != gb16[c]);
    if (mismatches) { std::printf("L=%d C=%d: %d channels-first results differ from the positions-first kernels'\n", L, C, mismatches); return 1.0; }
    std::printf("L=%d C=%d bias=%d window=%d width=%d padded %.2e grad %.2e skip %.2e, bfloat16 and channels first identical\n", L, C, withBias ? 1 : 0, windowed ? 1 : 0, width, ep, eg, eb);
    return std::fmax(ep, std::fmax(eg, eb));
}

int main() {
    std::mt19937 rng(3);
    double worst = 0;
    const int cases[][2] = { {1, 1}, {5, 3}, {32, 32}, {33, 70}, {64, 96}, {200, 5}, {512, 40}, {2500, 3} };
    for (const auto& c : cases)
        for (int withBias = 0; withBias < 2; withBias++)
            for (int windowed = 0; windowed < 2; windowed++)
                for (int narrow = 0; narrow < 2; narrow++) worst = std::fmax(worst, run_case(c[0], c[1], withBias, windowed, narrow, rng));
    std::printf("worst %.2e\n", worst);
    return worst < 1e-5 ? 0 : 1;
}
