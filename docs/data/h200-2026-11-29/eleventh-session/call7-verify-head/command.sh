set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > "$OUT/check.log" 2>&1; echo "check rc $?"
grep -h "option matrix:\|Exception\|FAIL\|widened bias\|sine" $OUT/check.log | grep -v 8388608 | cut -c1-260 | head -12
for i in 1 2; do pieces $HB 65536 "p64-$i"; echo "== 64k $i $(grep 'operator forward+backward.*bf16-auto' /tmp/p64-$i.log | grep -v piece=)"; done
cp /tmp/p64-1.log $OUT/
