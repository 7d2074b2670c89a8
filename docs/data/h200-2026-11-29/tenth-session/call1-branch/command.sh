set -u
OUTDIR=$OUT
SKIP_OPERATOR=1 build/gpu/run-compare.sh "$OUT" 2>&1 | tee $OUT/compare.txt
source build/gpu/device-env.sh
timeout 120 /tmp/hb/base/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/checkb > "$OUT/check-base.log" 2>&1; echo "base check rc=$?"
grep -h "NVRTC\|on-chip\|fp32-ref at\|widened\|cached inference\|four-step kernels L=\|bfloat16 filter\|sin activation\|unwindowed\|FAIL\|rror" "$OUT/check-base.log" | head -40
for i in 1 2; do for b in new base; do dir=$HB; [ $b = base ] && dir=/tmp/hb/base
 timeout 60 $dir/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 16k --batch 4 --hyena-only-lengths 64k --budget-seconds 40 --out /tmp/op-$b-$i > $OUT/op-b4-$b-$i.log 2>&1; echo "== op batch4 $b $i"; tail -n 4 $OUT/op-b4-$b-$i.log; done; done
for b in new base; do dir=$HB; [ $b = base ] && dir=/tmp/hb/base
 timeout 100 $dir/Hyena.Benchmarks training --device cuda --lengths 16k --models hyena-bf16 --budget-seconds 80 --child-timeout 60 --out /tmp/tr-$b > $OUT/train-$b.log 2>&1; echo "== train $b"; tail -n 3 $OUT/train-$b.log; done
