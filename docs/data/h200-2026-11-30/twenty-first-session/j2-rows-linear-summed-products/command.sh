set -u
mkdir -p /tmp/j2; OUTDIR=/tmp/j2; source build/gpu/device-env.sh
rm -rf /tmp/hb/new; cp -r /tmp/hb/hyena-bench /tmp/hb/new && cp .gpu/j1/*.dll /tmp/hb/new/
ln -sfn /tmp/hb/hyena-bench /tmp/hb/base
md5sum /tmp/hb/base/Microsoft.ML.Hyena.dll /tmp/hb/new/Microsoft.ML.Hyena.dll
date -u +%H:%M:%S
# 1. check-libtorch on the new build (the MLP on rows, the weight gradient's summed products).
timeout 150 /tmp/hb/new/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/j2/check > /tmp/j2/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|widening linear node\|classifiers" /tmp/j2/check.log | cut -c1-400 | head -12
date -u +%H:%M:%S
# 2. Training, both models, base (b090db9) against new, alternating.
for r in 1 2; do for v in base new; do
  timeout 100 /tmp/hb/$v/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/j2/train-$v-$r > /tmp/j2/train-$v-$r.log 2>&1
  echo "== train $v $r rc $?"; grep -E "^(16k|64k) " /tmp/j2/train-$v-$r.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
done; done
date -u +%H:%M:%S
# 3. The operator against the attention block (whose projections now add their biases in the product), alternating.
for r in 1 2; do for v in base new; do
  timeout 60 /tmp/hb/$v/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 16k,64k,128k --verify-length 0 --warmup 3 --reps 15 --out /tmp/j2/op-$v-$r > /tmp/j2/op-$v-$r.log 2>&1
  echo "== op $v $r rc $?"; grep -E "^(16k|64k|128k) +(attention|hyena) " /tmp/j2/op-$v-$r.log | awk '{print $1, $2, $6, $7, $9, $10}' | tr '\n' ';'; echo
done; done
date -u +%H:%M:%S
# 4. Where the new step's time goes at 16k (Hyena).
ARGS="training --device cuda --lengths 16k --models hyena-bf16 --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/j2/tr"
timeout 120 /usr/local/cuda/bin/ncu --clock-control none --metrics gpu__time_duration.sum --csv /tmp/hb/new/Hyena.Benchmarks $ARGS > /tmp/j2/ncu-hyena-bf16.csv 2> /tmp/j2/ncu.err
echo "ncu rc $?"; gzip -f /tmp/j2/ncu-hyena-bf16.csv; rm -rf /tmp/j2/tr
date -u +%H:%M:%S
tar -cJf $OUT/j2.tar.xz -C /tmp j2
