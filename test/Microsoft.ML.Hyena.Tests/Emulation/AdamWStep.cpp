// Runs the AdamW step's CUDA source (AdamWStepKernel.Source, written next to this file as kernel.inc by
// AdamWStepEmulationTests) on the CPU, through a grid of several blocks of several threads whose grid-stride loops
// together visit every element once, for five steps, and checks the parameter and both moments after the five against
// AdamW's update computed in double precision from the same start: the parameter within 2e-6 (relative to its size plus
// the learning rate), the first moment within 1e-6 of the gradients' summed magnitudes (its terms may cancel), the second
// within 1e-5 (relative). A second grid shape must give the same bits. Prints one
// line per case and exits 1 on any difference.
#include "CudaShim.h"
#include "kernel.inc"

static std::vector<float> run_steps(const std::vector<float>& p0, const std::vector<std::vector<float>>& grads, unsigned blocks, unsigned threads,
                                    double lr, double wd, double b1, double b2, double eps, std::vector<float>& m, std::vector<float>& v) {
    std::vector<float> p = p0;
    const long long n = (long long)p.size();
    m.assign(n, 0.f); v.assign(n, 0.f);
    for (size_t s = 0; s < grads.size(); s++) {
        const long long t = (long long)s + 1;
        const float decay = (float)(1 - lr * wd), fb1 = (float)b1, c1 = (float)(1 - b1), fb2 = (float)b2, c2 = (float)(1 - b2);
        const float invRoot = (float)(1 / std::sqrt(1 - std::pow(b2, (double)t))), e = (float)eps, negStep = (float)(-lr / (1 - std::pow(b1, (double)t)));
        gridDim.x = blocks; blockDim.x = threads;
        for (unsigned b = 0; b < blocks; b++)
            for (unsigned th = 0; th < threads; th++) {
                blockIdx.x = b; threadIdx.x = th;
                hyena_adamw_step(p.data(), grads[s].data(), m.data(), v.data(), n, decay, fb1, c1, fb2, c2, invRoot, e, negStep);
            }
    }
    return p;
}

static int run_case(long long n, double lr, double wd, std::mt19937& rng) {
    std::normal_distribution<float> normal(0.f, 1.f);
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    std::vector<float> p0(n);
    for (auto& x : p0) x = normal(rng);
    std::vector<std::vector<float>> grads(5, std::vector<float>(n));
    for (auto& g : grads) for (auto& x : g) x = 0.1f * normal(rng);
    if (n > 0) grads[2][0] = 0.f;    // a zero gradient: the moments decay, the parameter still moves
    std::vector<float> m, v, m2, v2;
    auto p = run_steps(p0, grads, 3, 4, lr, wd, b1, b2, eps, m, v);
    auto p2 = run_steps(p0, grads, 1, 1, lr, wd, b1, b2, eps, m2, v2);
    int wrong = 0, differ = 0;
    for (long long i = 0; i < n; i++) {
        double P = p0[i], M = 0, V = 0, G = 1e-30;   // G: the gradients' magnitudes, the scale of the first moment's rounding
        for (int s = 0; s < 5; s++) G += std::fabs(grads[s][i]);
        for (int s = 0; s < 5; s++) {
            const double g = grads[s][i], t = s + 1;
            P *= 1 - lr * wd;
            M = b1 * M + (1 - b1) * g;
            V = b2 * V + (1 - b2) * g * g;
            P -= lr / (1 - std::pow(b1, t)) * M / (std::sqrt(V) / std::sqrt(1 - std::pow(b2, t)) + eps);
        }
        const bool bad = std::fabs(p[i] - P) > 2e-6 * (std::fabs(P) + lr) || std::fabs(m[i] - M) > 1e-6 * G
                         || std::fabs(v[i] - V) > 1e-5 * std::fabs(V) + 1e-30;
        if (bad && wrong < 5) std::printf("  i=%lld p %.9g / %.9g m %.9g / %.9g v %.9g / %.9g\n", i, p[i], P, m[i], M, v[i], V);
        wrong += bad;
        if (std::memcmp(&p[i], &p2[i], 4) != 0 || std::memcmp(&m[i], &m2[i], 4) != 0 || std::memcmp(&v[i], &v2[i], 4) != 0) differ++;
    }
    std::printf("n=%lld lr=%g wd=%g wrong=%d grids differ=%d\n", n, lr, wd, wrong, differ);
    return wrong + differ;
}

int main() {
    std::mt19937 rng(5);
    int wrong = 0;
    wrong += run_case(1000, 1e-3, 0.01, rng);
    wrong += run_case(37, 1e-2, 0.0, rng);
    wrong += run_case(1, 1e-5, 0.1, rng);
    wrong += run_case(0, 1e-3, 0.01, rng);
    std::printf("wrong %d\n", wrong);
    return wrong == 0 ? 0 : 1;
}
