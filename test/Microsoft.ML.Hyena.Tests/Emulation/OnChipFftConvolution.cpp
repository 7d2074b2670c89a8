// Runs the on-chip long convolution kernel's CUDA source (OnChipFftConvolution.Source, written next to this
// file as kernel.inc by OnChipFftConvolutionEmulationTests) on the CPU, one thread per block: every phase of the
// kernel between two __syncthreads() reads and writes disjoint elements, so running a block's threads one after
// another computes what the GPU computes. Checked against the convolution and the spectrum computed directly in
// double precision. Prints one line per case and exits 1 when an error exceeds 1e-5.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>
#define __device__
#define __forceinline__ inline
#define __global__
#define __launch_bounds__(x)
#define __align__(x)
#define __shared__
struct dim3_ { unsigned x, y, z; };
static dim3_ blockIdx, threadIdx, blockDim;
inline void __syncthreads() {}
inline int __clz(int x) { return x == 0 ? 32 : __builtin_clz((unsigned)x); }
inline unsigned __brev(unsigned v) { unsigned r = 0; for (int i = 0; i < 32; i++) { r = (r << 1) | (v & 1); v >>= 1; } return r; }
inline float __uint_as_float(unsigned u) { float f; std::memcpy(&f, &u, 4); return f; }
inline unsigned __float_as_uint(float f) { unsigned u; std::memcpy(&u, &f, 4); return u; }
inline void sincospif(float x, float* s, float* c) { *s = (float)std::sin(M_PI * (double)x); *c = (float)std::cos(M_PI * (double)x); }
alignas(16) unsigned char hyena_smem[8 * 2048];
#include "kernel.inc"

int main() {
    std::mt19937 rng(1);
    std::normal_distribution<float> normal(0.f, 1.f);
    double worst = 0;
    for (int L : {16, 32, 64, 128, 2048}) {
        for (int conj = 0; conj < 2; conj++) {
            const int B = 2, D = 3, M = L, N = 2 * L;
            const long long rows = B * D, sb = 3LL * D * L;   // v, x1, x0: channel slices of a (B, 3D, L) tensor
            std::vector<float> streams(B * sb), filter(D * L), side(rows * L), out1(rows * L), out2(rows * L), sideOut(rows * L);
            for (auto& x : streams) x = normal(rng);
            for (auto& x : filter) x = normal(rng) / std::sqrt((float)L);
            for (auto& x : side) x = normal(rng);
            float *x0 = streams.data(), *x1 = x0 + D * L, *v = x0 + 2 * D * L;
            std::vector<cpx> K(D * (M + 1)), spectrum(rows * (M + 1));
            for (int d = 0; d < D; d++)            // rfft(k, 2L) / 2L, as FftConvolution.FilterSpectrum gives it
                for (int f = 0; f <= M; f++) {
                    double re = 0, im = 0;
                    for (int s = 0; s < L; s++) { double a = -2 * M_PI * (double)f * s / N; re += filter[d * L + s] * std::cos(a); im += filter[d * L + s] * std::sin(a); }
                    K[d * (M + 1) + f] = cmake((float)(re / N), (float)(im / N));
                }
            int logM = 0;
            while ((1 << logM) < M) logM++;
            blockDim.x = 1;
            threadIdx.x = 0;
            for (long long r = 0; r < rows; r++) {
                blockIdx.x = (unsigned)r;
                onchip_conv<float>(v, sb, x1, sb, 1.f, side.data(), sideOut.data(), K.data(), conj, spectrum.data(),
                                   x0, sb, out1.data(), v, sb, out2.data(), L, D, logM);
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
                    e2 += std::pow(out1[r * L + t] - y1, 2) + std::pow(out2[r * L + t] - y2, 2);
                    n2 += y1 * y1 + y2 * y2;
                    de2 += std::pow(sideOut[r * L + t] - sv, 2);
                    dn2 += sv * sv;
                }
                for (int f = 0; f <= M; f++) {
                    double re = 0, im = 0;
                    for (int t = 0; t < L; t++) { double an = -2 * M_PI * (double)f * t / N; re += a[t] * std::cos(an); im += a[t] * std::sin(an); }
                    cpx g = spectrum[r * (M + 1) + f];
                    se2 += std::pow(g.x - re, 2) + std::pow(g.y - im, 2);
                    sn2 += re * re + im * im;
                }
            }
            double e = std::sqrt(e2 / n2), es = std::sqrt(se2 / sn2), ed = std::sqrt(de2 / dn2);
            std::printf("L=%d conj=%d output %.2e spectrum %.2e side %.2e\n", L, conj, e, es, ed);
            worst = std::fmax(worst, std::fmax(e, std::fmax(es, ed)));
        }
    }
    std::printf("worst %.2e\n", worst);
    return worst < 1e-5 ? 0 : 1;
}
