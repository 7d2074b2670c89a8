set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
for b in new rows; do rm -rf /tmp/hb/$b; cp -r /tmp/hb/hyena-bench /tmp/hb/$b && cp .gpu/$b/*.dll /tmp/hb/$b/; done
date -u +%H:%M:%S
timeout 200 /tmp/hb/new/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > $OUT/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|Exception\|FAIL\|failures" $OUT/check.log | grep -v 8388608 | cut -c1-250 | head -20
grep -h "four-step kernels L=\|Float32 L=65536 \.\.\.\|Float32 L=1048576 \.\.\." $OUT/check.log | cut -c1-250
op() { timeout 150 $1/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,128k,1M --verify-length 0 --warmup 2 --reps 10 --out /tmp/op-$2 > /tmp/o/op-$2.log 2>&1; echo "== $2 $(grep -E '^(64k|128k|1M) .*fwd\+bwd' /tmp/o/op-$2.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2; do op /tmp/hb/new new-$i; op /tmp/hb/rows rows-$i; op $HB base-$i; done
tar -cJf $OUT/ops.tar.xz -C /tmp/o .
date -u +%H:%M:%S
