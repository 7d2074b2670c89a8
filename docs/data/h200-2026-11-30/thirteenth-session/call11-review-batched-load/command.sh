set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
rm -rf /tmp/hb/new; cp -r /tmp/hb/hyena-bench /tmp/hb/new && cp .gpu/new/*.dll /tmp/hb/new/
date -u +%H:%M:%S
timeout 150 /tmp/hb/new/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/o/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|Exception\|FAIL\|failures" /tmp/o/check.log | grep -v 8388608 | cut -c1-200 | head -8
grep -h "BFloat16 L=8192 \.\.\.\|BFloat16 L=16384 \.\.\.\|Float32 L=16384 \.\.\." /tmp/o/check.log | cut -c1-220
op() { timeout 100 $2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 8k,16k,64k --verify-length 0 --warmup 3 --reps 15 --out /tmp/op-$1 > /tmp/o/op-$1.log 2>&1; echo "== $1 $(grep -E '^(8k|16k|64k) .*fwd\+bwd' /tmp/o/op-$1.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2; do op new-$i /tmp/hb/new; op base-$i $HB; done
date -u +%H:%M:%S
tar -cJf $OUT/m1.tar.xz -C /tmp/o .
