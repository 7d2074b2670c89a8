set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > "$OUT/check.log" 2>&1; echo "check rc $?"
grep -h "option matrix:\|fp32-ref\|Exception\|FAIL" $OUT/check.log | cut -c1-300 | head -8
grep -h "on chip\|on-chip" $OUT/check.log | head -30 | cut -c1-250
[ -d /tmp/hb/base ] || { cp -r /tmp/hb/hyena-bench /tmp/hb/base && cp .gpu/base/*.dll /tmp/hb/base/; }
for i in 1 2 3; do for b in new base fast; do dir=$HB; [ $b = base ] && dir=/tmp/hb/base
  [ $b = fast ] && export HYENA_NVRTC_OPTIONS=-DHYENA_FAST_TWIDDLES
  pieces "$dir" 65536 "p64-$b-$i"; unset HYENA_NVRTC_OPTIONS; echo "== 64k $b $i $(grep 'operator forward+backward.*bf16-auto' /tmp/p64-$b-$i.log | grep -v piece=)"; done; done
for i in 1 2; do for b in new base; do dir=$HB; [ $b = base ] && dir=/tmp/hb/base
  pieces "$dir" 16384 "p16-$b-$i"; echo "== 16k $b $i $(grep 'operator forward+backward.*bf16-auto' /tmp/p16-$b-$i.log | grep -v piece=)"; done; done
grep -h "convolution" /tmp/p64-new-1.log /tmp/p64-base-1.log /tmp/p64-fast-1.log /tmp/p16-new-1.log /tmp/p16-base-1.log | grep -v "piece=" | cut -c1-160
cp /tmp/p64-new-1.log /tmp/p64-base-1.log /tmp/p64-fast-1.log $OUT/
