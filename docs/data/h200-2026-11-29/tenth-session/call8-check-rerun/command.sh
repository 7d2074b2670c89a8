set -u
OUTDIR=/tmp; source build/gpu/device-env.sh
[ -d /tmp/hb/base ] || { cp -r /tmp/hb/hyena-bench /tmp/hb/base && cp .gpu/base/*.dll /tmp/hb/base/; }
for b in new base; do dir=$HB; [ $b = base ] && dir=/tmp/hb/base
  timeout 150 $dir/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check-$b > "$OUT/check-$b.log" 2>&1
  echo "== $b"; grep -h "option matrix:\|FAIL\|L=65536 Auto order 3" $OUT/check-$b.log | sed 's/.*: \(PASS\|FAIL\)/\1/' | cut -c1-300; done
