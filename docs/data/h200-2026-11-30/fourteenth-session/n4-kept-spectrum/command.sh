set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
for v in w16 w16u; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S
timeout 150 /tmp/hb/w16u/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/o/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound" /tmp/o/check.log | cut -c1-200 | head -12
grep -h "filter spectrum kernels, bfloat16 filter, L=65536 \.\.\.\|on-chip long convolution BFloat16 L=\(32768\|65536\|1048576\|4194304\) \.\.\." /tmp/o/check.log | cut -c1-360
op() { timeout 150 $2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,128k,1M --verify-length 0 --warmup 3 --reps 20 --out /tmp/op-$1 > /tmp/o/op-$1.log 2>&1; echo "== $1 $(grep -E '^(64k|128k|1M) .*fwd\+bwd' /tmp/o/op-$1.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2 3; do op w16u-$i /tmp/hb/w16u; op w16-$i /tmp/hb/w16; done
timeout 100 /tmp/hb/w16u/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 32k --verify-length 65536 --warmup 1 --reps 3 --out /tmp/ver-w16u > /tmp/o/verify-w16u.log 2>&1; grep "length=64k  variant" /tmp/o/verify-w16u.log
pieces /tmp/hb/w16u 65536 pieces-w16u-65536
grep -h "fp32-ref\|bf16-auto" /tmp/pieces-w16u-65536.log | head -4 | cut -c1-200
date -u +%H:%M:%S
tar -cJf $OUT/n4.tar.xz -C /tmp/o .
