// Runs the filter MLP's CUDA source (FilterMlpFunction.Source, written next to this file as kernel.inc by
// FilterMlpEmulationTests) on the CPU, one thread per block (each phase's loop then covers the block's 256 threads; a
// block steps over the tiles of 4096 / F positions by the grid's block count), against the same MLP computed here in double precision:
// - forward: the output a_(n-1), and with the kept values every layer's p_l and a_l, relative L2 error at most 1e-5
//   (the sums in another order than here);
// - without the kept values (inference), the same output bit for bit as with them;
// - backward: every layer's p_l gradient, z's gradient, the frequency's gradient (the blocks' partial sums added here) and
//   the biases' gradients (the blocks' partial sums too), relative L2 error at most 1e-5.
// Widths 16, 32 and 64, one to four layers, embedding sizes 3, 5 and the width, partial tiles, grids with fewer blocks than
// tiles. Then each case's shared memory as the kernels write it ("shared ...": bytes up to the highest one written).
// Prints one line per case and exits 1 on any failure.
#include "CudaShim.h"
#include "kernel.inc"

typedef void (*forward_kernel)(const float*, int, hyena_mlp_layers, int, const float*, float*, float*, long long);
typedef void (*backward_kernel)(const float*, int, hyena_mlp_layers, int, const float*, const float*, float*, float*, float*, long long);

static double rel(const std::vector<double>& want, const float* got, size_t count) {
    double e2 = 0, n2 = 0;
    for (size_t i = 0; i < count; i++) { double d = got[i] - want[i]; e2 += d * d; n2 += want[i] * want[i]; }
    return n2 > 0 ? std::sqrt(e2 / n2) : std::sqrt(e2);
}

template <int F>
static int run_case(long long L, int E, int n, unsigned blocks, bool withDz, std::mt19937& rng, forward_kernel fwd, backward_kernel bwd) {
    std::normal_distribution<float> normal(0.f, 1.f);
    std::vector<float> z(L * E), g(L * F), freq(F);
    std::vector<std::vector<float>> W(n), b(n);
    for (auto& v : z) v = normal(rng);
    for (auto& v : g) v = normal(rng);
    for (int j = 0; j < F; j++) freq[j] = 0.5f + 1.5f * j / F;
    hyena_mlp_layers layers{};
    for (int l = 0; l < n; l++) {
        int in = l == 0 ? E : F;
        W[l].resize((size_t)F * in);
        b[l].resize(F);
        for (auto& v : W[l]) v = normal(rng) / std::sqrt((float)in);
        for (auto& v : b[l]) v = 0.3f * normal(rng);
        layers.weight[l] = W[l].data();
        layers.bias[l] = b[l].data();
    }
    // The MLP in double precision: p_l and a_l for every layer, then the gradients from g.
    std::vector<double> P((size_t)n * L * F), A((size_t)n * L * F), dP((size_t)n * L * F), dZ(L * E), dFreq(F, 0.0), dBias((size_t)n * F, 0.0);
    for (long long r = 0; r < L; r++) {
        for (int l = 0; l < n; l++) {
            for (int j = 0; j < F; j++) {
                double s = b[l][j];
                if (l == 0) for (int e = 0; e < E; e++) s += (double)W[0][(size_t)j * E + e] * z[r * E + e];
                else for (int i = 0; i < F; i++) s += (double)W[l][(size_t)j * F + i] * A[((size_t)(l - 1) * L + r) * F + i];
                P[((size_t)l * L + r) * F + j] = s;
                A[((size_t)l * L + r) * F + j] = std::sin((double)freq[j] * s);
            }
        }
        std::vector<double> d(g.begin() + r * F, g.begin() + (r + 1) * F), next(F);
        for (int l = n - 1; l >= 0; l--) {
            for (int j = 0; j < F; j++) {
                double p = P[((size_t)l * L + r) * F + j], t = d[j] * std::cos((double)freq[j] * p);
                dFreq[j] += t * p;
                dP[((size_t)l * L + r) * F + j] = t * freq[j];
                dBias[(size_t)l * F + j] += t * freq[j];
            }
            const double* dp = &dP[((size_t)l * L + r) * F];
            if (l > 0) {
                for (int i = 0; i < F; i++) { double s = 0; for (int j = 0; j < F; j++) s += (double)W[l][(size_t)j * F + i] * dp[j]; next[i] = s; }
                d = next;
            } else {
                for (int e = 0; e < E; e++) { double s = 0; for (int j = 0; j < F; j++) s += (double)W[0][(size_t)j * E + e] * dp[j]; dZ[r * E + e] = s; }
            }
        }
    }
    std::vector<float> pre((size_t)n * L * F, -1e30f), act((size_t)n * L * F, -1e30f), out(L * F, -1e30f);
    std::vector<float> dpre((size_t)n * L * F, -1e30f), dz(L * E, -1e30f), partial((size_t)(n + 1) * F * blocks, -1e30f);
    blockDim.x = 1; threadIdx.x = 0;
    run_grid(blocks, 1, [&] { fwd(z.data(), E, layers, n, freq.data(), pre.data(), act.data(), L); });
    run_grid(blocks, 1, [&] { fwd(z.data(), E, layers, n, freq.data(), nullptr, out.data(), L); });
    run_grid(blocks, 1, [&] { bwd(g.data(), E, layers, n, freq.data(), pre.data(), dpre.data(), withDz ? dz.data() : nullptr, partial.data(), L); });
    std::vector<double> lastA(A.begin() + (size_t)(n - 1) * L * F, A.end());
    double eOut = rel(lastA, out.data(), out.size()), eP = rel(P, pre.data(), pre.size()), eA = rel(A, act.data(), act.size());
    int sameOut = std::memcmp(out.data(), act.data() + (size_t)(n - 1) * L * F, out.size() * 4) == 0;
    // partial[c][block]: c = j for the frequency's sums, (l + 1) F + j for layer l's bias's
    std::vector<float> gotFreq(F, 0.f), gotBias((size_t)n * F, 0.f);
    for (unsigned k = 0; k < blocks; k++) {
        for (int j = 0; j < F; j++) gotFreq[j] += partial[(size_t)j * blocks + k];
        for (int c = 0; c < n * F; c++) gotBias[c] += partial[(size_t)(F + c) * blocks + k];
    }
    double eDp = rel(dP, dpre.data(), dpre.size()), eDz = withDz ? rel(dZ, dz.data(), dz.size()) : 0, eFreq = rel(dFreq, gotFreq.data(), F);
    double eBias = rel(dBias, gotBias.data(), gotBias.size());
    bool ok = eOut <= 1e-5 && eP <= 1e-5 && eA <= 1e-5 && sameOut && eDp <= 1e-5 && eDz <= 1e-5 && eFreq <= 1e-5 && eBias <= 1e-5;
    std::printf("F=%d E=%d layers=%d L=%lld blocks=%u dz=%d: output %.2e p %.2e a %.2e inference same=%d; grad p %.2e z %.2e freq %.2e biases %.2e %s\n",
                F, E, n, L, blocks, withDz ? 1 : 0, eOut, eP, eA, sameOut, eDp, eDz, eFreq, eBias, ok ? "ok" : "FAIL");
    // The shared memory each kernel writes (its first block, after the checks above: the outputs are written again with
    // the same values), for FilterMlpEmulationTests to hold against the host's ForwardSharedBytes and BackwardSharedBytes.
    gridDim.x = blocks; gridDim.y = 1; blockIdx.x = 0; blockIdx.y = 0;
    size_t forwardBytes = shared_extent([&] { fwd(z.data(), E, layers, n, freq.data(), pre.data(), act.data(), L); });
    size_t backwardBytes = shared_extent([&] { bwd(g.data(), E, layers, n, freq.data(), pre.data(), dpre.data(), withDz ? dz.data() : nullptr, partial.data(), L); });
    std::printf("shared F=%d E=%d layers=%d: forward %zu backward %zu\n", F, E, n, forwardBytes, backwardBytes);
    return ok ? 0 : 1;
}

int main() {
    std::mt19937 rng(11);
    int failures = 0;
    failures += run_case<16>(37, 3, 1, 5, true, rng, hyena_filter_mlp_forward_f16, hyena_filter_mlp_backward_f16);
    failures += run_case<16>(100, 16, 3, 3, false, rng, hyena_filter_mlp_forward_f16, hyena_filter_mlp_backward_f16);
    failures += run_case<16>(600, 5, 3, 2, true, rng, hyena_filter_mlp_forward_f16, hyena_filter_mlp_backward_f16);
    failures += run_case<32>(129, 5, 3, 7, true, rng, hyena_filter_mlp_forward_f32, hyena_filter_mlp_backward_f32);
    failures += run_case<64>(1, 3, 3, 1, true, rng, hyena_filter_mlp_forward_f64, hyena_filter_mlp_backward_f64);
    failures += run_case<64>(300, 3, 3, 4, true, rng, hyena_filter_mlp_forward_f64, hyena_filter_mlp_backward_f64);
    failures += run_case<64>(65, 5, 4, 64, false, rng, hyena_filter_mlp_forward_f64, hyena_filter_mlp_backward_f64);
    std::printf("failures %d\n", failures);
    return failures == 0 ? 0 : 1;
}
