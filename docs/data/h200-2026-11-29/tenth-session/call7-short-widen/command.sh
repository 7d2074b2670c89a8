set -u
mkdir -p /tmp/o /tmp/prof7; OUTDIR=/tmp/o; source build/gpu/device-env.sh
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > "$OUT/check.log" 2>&1
grep -h "short-filter kernel\|widened bias\|option matrix:\|fp32-ref\|Exception" $OUT/check.log | grep -v 8388608 | cut -c1-300
[ -d /tmp/hb/base ] || { cp -r /tmp/hb/hyena-bench /tmp/hb/base && cp .gpu/base/*.dll /tmp/hb/base/; }
for i in 1 2 3; do for b in new base; do dir=$HB; [ $b = base ] && dir=/tmp/hb/base
  pieces "$dir" 65536 "p64-$b-$i"; echo "== 64k $b $i $(grep 'operator forward+backward.*bf16-auto' /tmp/p64-$b-$i.log | grep -v piece=)"; done; done
build/gpu/run-profile.sh /tmp/prof7 64k > $OUT/profile.txt 2>&1
grep -i "short_\|widen\|direct_copy\|bfloat16_copy\|reduce_kernel\|last pass" $OUT/profile.txt | head -12
cp /tmp/p64-new-1.log /tmp/p64-base-1.log $OUT/
