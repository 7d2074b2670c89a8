set -u
mkdir -p $OUT/new
OUTDIR=$OUT; source build/gpu/device-env.sh
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > "$OUT/check.log" 2>&1
grep -h "option matrix:\|channels first\|Exception" $OUT/check.log | grep -v 8388608 | cut -c1-420
build/gpu/run-profile.sh $OUT/new 64k > $OUT/new/profile.txt 2>&1
grep -i "filter_\|last pass" $OUT/new/profile.txt | head -8
[ -d /tmp/hb/base ] || { cp -r /tmp/hb/hyena-bench /tmp/hb/base && cp .gpu/base/*.dll /tmp/hb/base/; }
for i in 1 2 3; do for b in new base; do dir=$HB; [ $b = base ] && dir=/tmp/hb/base
  pieces "$dir" 65536 "p64-$b-$i"; echo "== $b $i $(grep 'operator forward+backward.*bf16-auto' /tmp/p64-$b-$i.log)"; done; done
