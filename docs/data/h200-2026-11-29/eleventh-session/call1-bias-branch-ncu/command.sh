set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > "$OUT/check.log" 2>&1; echo "check rc $?"
grep -h "widened bias\|option matrix:\|fp32-ref\|Exception\|FAIL" $OUT/check.log | grep -v 8388608 | cut -c1-300 | head -20
[ -d /tmp/hb/base ] || { cp -r /tmp/hb/hyena-bench /tmp/hb/base && cp .gpu/base/*.dll /tmp/hb/base/; }
for i in 1 2 3; do for b in new base; do dir=$HB; [ $b = base ] && dir=/tmp/hb/base
  pieces "$dir" 65536 "p64-$b-$i"; echo "== 64k $b $i $(grep 'operator forward+backward.*bf16-auto' /tmp/p64-$b-$i.log | grep -v piece=)"; done; done
grep -h "bias" /tmp/p64-new-1.log /tmp/p64-base-1.log | head -8
cp /tmp/p64-new-1.log /tmp/p64-base-1.log $OUT/
ARGS="operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/prof-out"
timeout 300 /usr/local/cuda/bin/ncu --section SpeedOfLight --section Occupancy --section LaunchStats --section WarpStateStats --section MemoryWorkloadAnalysis -k regex:"hyena_fourstep|hyena_bias_grad|hyena_filter" -c 40 $HB/Hyena.Benchmarks $ARGS > $OUT/ncu-detail.txt 2>&1
echo "ncu rc $?"; grep -c "hyena_" $OUT/ncu-detail.txt
