// Runs the long convolution kernels' CUDA source (OnChipFftConvolution.Source and FourStepFftConvolution.Source,
// written next to this file as kernel.inc by OnChipFftConvolutionEmulationTests) on the CPU, one thread per block:
// every phase of a kernel between two __syncthreads() reads and writes disjoint elements, so running a block's threads
// one after another computes what the GPU computes. Both paths (one block per row; three four-step kernels through a
// buffer) are checked against the convolution and the spectrum computed directly in double precision (in the backward
// pass, conj = 1, the spectrum times a given kept spectrum's conjugate and the one-sided weights, and for the four-step
// kernels these terms' sum over the batch from hyena_fourstep_spectrum_gradient; the four-step kernels read the filter's
// spectrum as hyena_fourstep_spectrum_slots reorders it). Prints one line
// per case and exits 1 when an error exceeds 1e-5.
#include "CudaShim.h"
// The rows kernels' build for rows of 4,096 points and the column kernels' for blocks of 4,096 points, with this one
// thread a block (their loops then visit every point).
#define HYENA_ROW_THREADS 1
#define HYENA_COLUMN_THREADS 1
#include "kernel.inc"

// One case: B = 2, D = 3 rows of length L, streams as channel slices of a (B, 3D, L) tensor. logM1 = 0: one block per
// row (onchip_conv); else the four-step kernels with columns of 2^logM1, rows of L / 2^logM1 and 2^logC columns a block.
// The outputs as the operator lays them out: forward (conj = 0) three contiguous (B, D, L) tensors; backward (conj = 1)
// the channel blocks of one (B, 3D, L) buffer (side_out, out2, out1: the gradients of x0, x1 and v), batch stride 3 D L.
// W: the four-step kernels' buffer point (cpx, float32; bpx, the bfloat16 buffer of bfloat16 streams).
template <typename W = cpx>
static double run_case(int L, int conj, int logM1, int logC, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 1.f);
    const int B = 2, D = 3, M = L, N = 2 * L;
    const long long rows = B * D, sb = 3LL * D * L;
    std::vector<float> streams(B * sb), filter(D * L), side(rows * L), outputs(3 * rows * L, NAN);
    const long long sbo = conj ? 3LL * D * L : (long long)D * L;
    float* sideOut = outputs.data();
    float* out2 = conj ? sideOut + D * L : sideOut + rows * L;
    float* out1 = conj ? sideOut + 2 * D * L : sideOut + 2 * rows * L;
    auto at = [&](long long r, int t) { return (r / D) * sbo + (r % D) * L + t; };   // output (row r, position t)
    for (auto& x : streams) x = normal(rng);
    for (auto& x : filter) x = normal(rng) / std::sqrt((float)L);
    for (auto& x : side) x = normal(rng);
    float *x0 = streams.data(), *x1 = x0 + D * L, *v = x0 + 2 * D * L;
    std::vector<double> cosN(N), sinN(N);   // exp(-2 pi i m / N) for the direct sums
    for (int m = 0; m < N; m++) { cosN[m] = std::cos(2 * M_PI * m / N); sinN[m] = -std::sin(2 * M_PI * m / N); }
    std::vector<cpx> K(D * (M + 1)), spectrum(rows * (M + 1)), kept(rows * (M + 1)), gradient(D * (M + 1));
    std::vector<double> expectedGradient(2 * D * (M + 1));   // the terms' sum over the batch (re, im)
    for (auto& x : kept) {                 // the backward pass (conj) is given a kept spectrum U (in W's precision)
        W held;
        work_put(&held, 0, cmake(normal(rng), normal(rng)));
        x = work_get(&held, 0);
    }
    for (int d = 0; d < D; d++)            // rfft(k, 2L) / 2L, as FftConvolution.FilterSpectrum gives it
        for (int f = 0; f <= M; f++) {
            double re = 0, im = 0;
            for (int s = 0; s < L; s++) { long long m = (long long)f * s % N; re += filter[d * L + s] * cosN[m]; im += filter[d * L + s] * sinN[m]; }
            K[d * (M + 1) + f] = cmake((float)(re / N), (float)(im / N));
        }
    int logM = 0;
    while ((1 << logM) < M) logM++;
    // The four-step kernels keep U in their own bin order (kept_slot): bin k1 + M1 k2 at k1 M2 + k2, bin M last.
    auto slot = [&](int f) { return logM1 == 0 || f == M ? f : ((f & ((1 << logM1) - 1)) << (logM - logM1)) + (f >> logM1); };
    std::vector<W> keptSlots(kept.size());   // in the buffer's type, as the four-step forward pass keeps it
    for (long long r = 0; r < rows; r++)
        for (int f = 0; f <= M; f++) work_put(keptSlots.data(), r * (M + 1) + slot(f), kept[r * (M + 1) + f]);
    blockDim.x = 1;
    threadIdx.x = 0;
    if (logM1 == 0) {
        for (long long r = 0; r < rows; r++) {
            blockIdx.x = (unsigned)r;
            onchip_conv<float>(v, sb, x1, sb, 1.f, side.data(), sideOut, K.data(), conj, spectrum.data(),
                               conj ? kept.data() : nullptr, x0, sb, out1, v, sb, out2, sbo, L, D, logM);
        }
    } else {
        const int logM2 = logM - logM1;
        const int logT1 = logM1 < 5 ? logM1 : 5, logT2 = logM2 < 5 ? logM2 : 5;
        // The filter's spectrum in the kernels' order (hyena_fourstep_spectrum_slots), as the rows kernel reads it;
        // checked against kept_slot's order directly.
        std::vector<cpx> kernelK(K.size());
        for (int blk = 0; blk < D << (logM1 - logT1 + logM2 - logT2); blk++) {
            blockIdx.x = (unsigned)blk;
            fourstep_reorder<1>(K.data(), kernelK.data(), 1, D, logM1, logM2);
        }
        for (int d = 0; d < D; d++)
            for (int f = 0; f <= M; f++) {
                cpx a = kernelK[d * (M + 1) + slot(f)], b = K[d * (M + 1) + f];
                if (a.x != b.x || a.y != b.y) { std::printf("the filter's spectrum out of place at channel %d, bin %d\n", d, f); return 1; }
            }
        std::vector<W> work(rows * M);
        for (long long r = 0; r < rows; r++)
            for (int y = 0; y < (1 << (logM2 - logC)); y++) {
                blockIdx.x = (unsigned)(r * (1 << (logM2 - logC)) + y);
                fourstep_columns_forward<float>(v, sb, x1, sb, 1.f, side.data(), sideOut, sbo, work.data(), L, D, logM1, logM2, logC);
            }
        for (long long r = 0; r < rows; r++)
            for (int y = 0; y < (1 << (logM1 - 1)); y++) {
                blockIdx.x = (unsigned)(r * (1 << (logM1 - 1)) + y);
                fourstep_rows<0>(work.data(), kernelK.data(), conj, spectrum.data(), conj ? keptSlots.data() : (const W*)nullptr, D, logM1, logM2);
            }
        for (long long r = 0; r < rows; r++)
            for (int y = 0; y < (1 << (logM2 - logC)); y++) {
                blockIdx.x = (unsigned)(r * (1 << (logM2 - logC)) + y);
                fourstep_columns_inverse<float>(work.data(), x0, sb, out1, v, sb, out2, sbo, L, D, logM1, logM2, logC);
            }
        if (conj) {   // the terms summed over the batch and put back in bin order
            for (int blk = 0; blk < D << (logM1 - logT1 + logM2 - logT2); blk++) {
                blockIdx.x = (unsigned)blk;
                fourstep_spectrum_gradient(spectrum.data(), gradient.data(), B, D, logM1, logM2);
            }
        }
    }
    double e2 = 0, n2 = 0, se2 = 0, sn2 = 0, de2 = 0, dn2 = 0;
    for (long long r = 0; r < rows; r++) {
        long long base = (r / D) * sb + (r % D) * L;
        int d = (int)(r % D);
        std::vector<double> a(L);
        for (int t = 0; t < L; t++) a[t] = (double)v[base + t] * x1[base + t];
        for (int t = 0; t < L; t++) {
            double y = 0;   // causal convolution, or (conj) correlation: what the backward pass needs
            if (!conj) for (int s = 0; s <= t; s++) y += filter[d * L + s] * a[t - s];
            else for (int s = 0; t + s < L; s++) y += filter[d * L + s] * a[t + s];
            double y1 = y * x0[base + t], y2 = y * v[base + t], sv = (double)v[base + t] * side[r * L + t];
            e2 += std::pow(out1[at(r, t)] - y1, 2) + std::pow(out2[at(r, t)] - y2, 2);
            n2 += y1 * y1 + y2 * y2;
            de2 += std::pow(sideOut[at(r, t)] - sv, 2);
            dn2 += sv * sv;
        }
        for (int f = 0; f <= M; f++) {
            double re = 0, im = 0;
            for (int t = 0; t < L; t++) { long long m = (long long)f * t % N; re += a[t] * cosN[m]; im += a[t] * sinN[m]; }
            if (conj) {   // the backward pass writes w X conj(U), w = 1 at bins 0 and M, else 2
                double w = (f == 0 || f == M) ? 1 : 2;
                cpx u = kept[r * (M + 1) + f];
                double pr = w * (re * u.x + im * u.y), pi = w * (im * u.x - re * u.y);
                re = pr; im = pi;
            }
            // U (the four-step kernels keep it in the buffer's type) and the terms (complex float32) in kept_slot order
            cpx g = !conj && logM1 > 0 ? work_get((const W*)spectrum.data(), r * (M + 1) + slot(f)) : spectrum[r * (M + 1) + slot(f)];
            se2 += std::pow(g.x - re, 2) + std::pow(g.y - im, 2);
            sn2 += re * re + im * im;
            expectedGradient[2 * (d * (M + 1) + f)] += re;
            expectedGradient[2 * (d * (M + 1) + f) + 1] += im;
        }
    }
    double e = std::sqrt(e2 / n2), es = std::sqrt(se2 / sn2), ed = std::sqrt(de2 / dn2), eg = 0;
    if (conj && logM1 > 0) {
        double ge2 = 0, gn2 = 0;
        for (int i = 0; i < D * (M + 1); i++) {
            double re = expectedGradient[2 * i], im = expectedGradient[2 * i + 1];
            ge2 += std::pow(gradient[i].x - re, 2) + std::pow(gradient[i].y - im, 2);
            gn2 += re * re + im * im;
        }
        eg = std::sqrt(ge2 / gn2);
    }
    for (float x : outputs)   // every output written once: the (B, 3D, L) buffer is covered exactly (NaN: never written)
        if (x != x) { std::printf("L=%d conj=%d: an output element was not written\n", L, conj); return 1; }
    std::printf("L=%d conj=%d logM1=%d logC=%d outputs %s output %.2e spectrum %.2e side %.2e gradient %.2e\n", L, conj, logM1, logC,
                conj ? "side by side" : "contiguous", e, es, ed, eg);
    return std::fmax(std::fmax(e, eg), std::fmax(es, ed));
}

// The filter's spectrum and the inverse transform of its gradient by the four-step kernels (the device functions of the
// ungated entry points): D = 3 rows h of length L through step 1 (ungated) and step 2 in mode 1 give rfft(pad(h), 2L) in
// the kernels' order; a one-sided spectrum G in that order through step 2 in mode 2 and step 3 (ungated) gives
// z[t] = Re G[0] + Re G[L] (-1)^t + 2 sum over 0 < f < L of Re(G[f] e^(2 pi i f t / 2L)) for t < L (an unnormalised
// inverse real transform, as the cuFFT path's). Both against direct sums in double precision.
static double run_filter_case(int L, int logM1, int logC, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 1.f);
    const int D = 3, M = L, N = 2 * L;
    int logM = 0;
    while ((1 << logM) < M) logM++;
    const int logM2 = logM - logM1;
    auto slot = [&](int f) { return f == M ? f : ((f & ((1 << logM1) - 1)) << logM2) + (f >> logM1); };
    std::vector<float> h(D * L), z(D * L);
    for (auto& x : h) x = normal(rng);
    std::vector<cpx> work(D * M), spectrum(D * (M + 1)), G(D * (M + 1));
    blockDim.x = 1;
    threadIdx.x = 0;
    for (int r = 0; r < D; r++)
        for (int y = 0; y < (1 << (logM2 - logC)); y++) {
            blockIdx.x = (unsigned)(r * (1 << (logM2 - logC)) + y);
            fourstep_columns_forward<float, false>(h.data(), (long long)D * L, nullptr, 0, 1.f, nullptr, nullptr, (long long)D * L, work.data(), L, D, logM1, logM2, logC);
        }
    for (int r = 0; r < D; r++)
        for (int y = 0; y < (1 << (logM1 - 1)); y++) {
            blockIdx.x = (unsigned)(r * (1 << (logM1 - 1)) + y);
            fourstep_rows<1>(work.data(), nullptr, 0, spectrum.data(), (const cpx*)nullptr, 1, logM1, logM2);
        }
    double se2 = 0, sn2 = 0;
    for (int d = 0; d < D; d++)
        for (int f = 0; f <= M; f++) {
            double re = 0, im = 0;
            for (int t = 0; t < L; t++) {
                double a = -2 * M_PI * (double)((long long)f * t % N) / N;
                re += h[d * L + t] * std::cos(a); im += h[d * L + t] * std::sin(a);
            }
            cpx g = spectrum[d * (M + 1) + slot(f)];
            se2 += std::pow(g.x - re, 2) + std::pow(g.y - im, 2);
            sn2 += re * re + im * im;
        }
    for (auto& g : G) g = cmake(normal(rng), normal(rng));
    for (int r = 0; r < D; r++)
        for (int y = 0; y < (1 << (logM1 - 1)); y++) {
            blockIdx.x = (unsigned)(r * (1 << (logM1 - 1)) + y);
            fourstep_rows<2>(work.data(), G.data(), 0, nullptr, (const cpx*)nullptr, D, logM1, logM2);
        }
    for (int r = 0; r < D; r++)
        for (int y = 0; y < (1 << (logM2 - logC)); y++) {
            blockIdx.x = (unsigned)(r * (1 << (logM2 - logC)) + y);
            fourstep_columns_inverse<float, false>(work.data(), nullptr, 0, z.data(), nullptr, 0, nullptr, (long long)D * L, L, D, logM1, logM2, logC);
        }
    double ze2 = 0, zn2 = 0, ratio = 0;
    for (int d = 0; d < D; d++)
        for (int t = 0; t < L; t++) {
            const cpx* g = G.data() + d * (M + 1);
            double v = g[slot(0)].x + g[slot(M)].x * ((t & 1) ? -1 : 1);
            for (int f = 1; f < M; f++) {
                double a = 2 * M_PI * (double)((long long)f * t % N) / N;
                v += 2 * (g[slot(f)].x * std::cos(a) - g[slot(f)].y * std::sin(a));
            }
            ze2 += std::pow(z[d * L + t] - v, 2);
            zn2 += v * v;
            if (d == 0 && t == 0) ratio = z[0] / v;
        }
    double es = std::sqrt(se2 / sn2), ez = std::sqrt(ze2 / zn2);
    std::printf("filter L=%d logM1=%d logC=%d spectrum %.2e inverse %.2e (z/expected at 0: %.4f)\n", L, logM1, logC, es, ez, ratio);

    // The fused steps of a windowed filter laid out channels first, with a skip term: step 1 reading k itself
    // (hyena_fourstep_columns_forward_filter) against filter_pad_cf's padded copy through the ungated step 1, and step 3
    // writing the gradient itself (hyena_fourstep_columns_inverse_filter) against the ungated step 3's z through
    // filter_grad_cf: the same values, bit for bit.
    std::vector<float> k(D * L), bias(D), times(L), deltas(D), padded(D * L), gkA(D * L), gkB(D * L), gbA(D, NAN), gbB(D, NAN);
    for (auto& x : k) x = normal(rng);
    for (auto& x : bias) x = normal(rng);
    for (int t = 0; t < L; t++) times[t] = (float)t / L;
    for (int d = 0; d < D; d++) deltas[d] = 0.5f + d;
    const float shift = 0.05f, scale = 1.f / (2.f * L), gradScale = 1.f / (4.f * L);
    std::vector<cpx> spectrumA(D * (M + 1)), spectrumB(D * (M + 1));
    run_grid((unsigned)((L + 2047) / 2048), D, [&] { filter_pad_cf(k.data(), bias.data(), times.data(), deltas.data(), shift, padded.data(), L, D, scale, L); });
    auto spectrum_of = [&](auto step1, std::vector<cpx>& out) {
        run_grid((unsigned)(D << (logM2 - logC)), 1, step1);
        run_grid((unsigned)(D << (logM1 - 1)), 1, [&] { fourstep_rows<1>(work.data(), nullptr, 0, out.data(), (const cpx*)nullptr, 1, logM1, logM2); });
    };
    spectrum_of([&] { fourstep_columns_forward<float, false>(padded.data(), (long long)D * L, nullptr, 0, 1.f, nullptr, nullptr, (long long)D * L, work.data(), L, D, logM1, logM2, logC); }, spectrumA);
    spectrum_of([&] { fourstep_columns_forward_filter<float>(k.data(), bias.data(), times.data(), deltas.data(), shift, scale, work.data(), L, logM1, logM2, logC); }, spectrumB);
    auto inverse = [&] { run_grid((unsigned)(D << (logM1 - 1)), 1, [&] { fourstep_rows<2>(work.data(), G.data(), 0, nullptr, (const cpx*)nullptr, D, logM1, logM2); }); };
    inverse();
    run_grid((unsigned)(D << (logM2 - logC)), 1, [&] { fourstep_columns_inverse<float, false>(work.data(), nullptr, 0, z.data(), nullptr, 0, nullptr, (long long)D * L, L, D, logM1, logM2, logC); });
    run_grid((unsigned)((L + 2047) / 2048), D, [&] { filter_grad_cf(z.data(), (const float*)G.data(), times.data(), deltas.data(), shift, gkA.data(), gbA.data(), L, D, gradScale, L); });
    inverse();
    run_grid((unsigned)(D << (logM2 - logC)), 1, [&] { fourstep_columns_inverse_filter<float>(work.data(), (const float*)G.data(), times.data(), deltas.data(), shift, gkB.data(), gbB.data(), gradScale, L, logM1, logM2, logC); });
    bool same = std::memcmp(spectrumA.data(), spectrumB.data(), spectrumA.size() * sizeof(cpx)) == 0
                && std::memcmp(gkA.data(), gkB.data(), gkA.size() * sizeof(float)) == 0 && std::memcmp(gbA.data(), gbB.data(), gbA.size() * sizeof(float)) == 0;
    std::printf("filter L=%d logM1=%d logC=%d fused steps %s\n", L, logM1, logC, same ? "identical" : "DIFFER");
    return same ? std::fmax(es, ez) : 1.0;
}

int main() {
    std::mt19937 rng(1);
    double worst = 0;
    // One block per row: odd and even log2(L), with and without the swizzle (L >= 1024).
    for (int L : {16, 32, 64, 128, 256, 2048, 4096})
        for (int conj = 0; conj < 2; conj++) worst = std::fmax(worst, run_case(L, conj, 0, 0, rng));
    // Four steps: columns of 4 to 64 (odd and even log2), rows of 16 to 4,096 (the swizzle from 1,024; 4,096: the rows
    // kernels' own build for that shape), 2 to 256 columns a block; the last two, one of them
    // FourStepFftConvolution.Factors(16384), run for the backward pass's correlation only (their direct sums take seconds).
    const int cases[][3] = { {512, 4, 5}, {512, 5, 1}, {2048, 6, 3}, {4096, 5, 2}, {16384, 2, 8}, {16384, 4, 8} };
    for (const auto& c : cases)
        for (int conj = c[0] > 4096 ? 1 : 0; conj < 2; conj++) worst = std::fmax(worst, run_case(c[0], conj, c[1], c[2], rng));
    // The filter's path through the same steps.
    for (const auto& c : cases)
        if (c[0] <= 4096) worst = std::fmax(worst, run_filter_case(c[0], c[1], c[2], rng));
    worst = std::fmax(worst, run_filter_case(16384, 2, 8, rng));   // rows of 4,096: the rows kernels' own build
    // The bfloat16 buffer (bpx, what bfloat16 streams take): each point rounded to bfloat16 where step 1 and step 2 write
    // it, so within a few of bfloat16's half units (2^-9) of the direct sums, where the float32 buffer is within 1e-5.
    double worstBf16 = 0;
    for (int conj = 0; conj < 2; conj++) worstBf16 = std::fmax(worstBf16, run_case<bpx>(2048, conj, 6, 3, rng));
    worstBf16 = std::fmax(worstBf16, run_case<bpx>(16384, 1, 2, 8, rng));   // rows of 4,096: the rows kernels' own build
    std::printf("worst %.2e, with the bfloat16 buffer %.2e\n", worst, worstBf16);
    return worst < 1e-5 && worstBf16 < 6e-3 ? 0 : 1;
}
