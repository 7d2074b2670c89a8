set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
rm -rf /tmp/hb/new; cp -r /tmp/hb/hyena-bench /tmp/hb/new && cp .gpu/new/*.dll /tmp/hb/new/
date -u +%H:%M:%S
timeout 200 /tmp/hb/new/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > $OUT/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|Exception\|FAIL\|failures" $OUT/check.log | grep -v 8388608 | cut -c1-250 | head -20
grep -h "four-step kernels L=\|Float32 L=65536 \.\.\.\|Float32 L=1048576 \.\.\.\|Float32 L=4194304 \.\.\.\|Float32 L=32768 \.\.\." $OUT/check.log | cut -c1-250
op() { timeout 150 /tmp/hb/new/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,128k,1M --verify-length 0 --warmup 2 --reps 10 --out /tmp/op-$1 > /tmp/o/op-$1.log 2>&1; echo "== $1 $HYENA_NVRTC_OPTIONS $(grep -E '^(64k|128k|1M) .*fwd\+bwd' /tmp/o/op-$1.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2; do
  export HYENA_NVRTC_OPTIONS="-DHYENA_COLUMN_TWIDDLE_STEPS=1"; op ts-$i
  export HYENA_NVRTC_OPTIONS="-DHYENA_COLUMN_TWIDDLE_STEPS=0"; op plain-$i
  export HYENA_NVRTC_OPTIONS="-DHYENA_COLUMN_RADIX16=1"; op r16-$i
done
tar -cJf $OUT/ops.tar.xz -C /tmp/o .
date -u +%H:%M:%S
