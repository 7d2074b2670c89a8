set -u
mkdir -p /tmp/i1; OUTDIR=/tmp/i1; source build/gpu/device-env.sh
md5sum $HB/Microsoft.ML.Hyena.dll
date -u +%H:%M:%S
# 1. check-libtorch on the publish of b090db9 (the review mend and FusedAdamW's host-side order, never run on a GPU).
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/i1/check > /tmp/i1/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|AdamW" /tmp/i1/check.log | cut -c1-300 | head -12
date -u +%H:%M:%S
# 2. Training, both models, twice.
for r in 1 2; do
  timeout 100 $HB/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/i1/train-$r > /tmp/i1/train-$r.log 2>&1
  echo "== train $r rc $?"; grep -E "^(16k|64k) " /tmp/i1/train-$r.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
done
date -u +%H:%M:%S
# 3. Where a training step at 16k goes now, both models (the last such profile was the twelfth session's).
for m in hyena-bf16 transformer-bf16; do
  ARGS="training --device cuda --lengths 16k --models $m --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/i1/tr-$m"
  timeout 200 /usr/local/cuda/bin/ncu --clock-control none --metrics gpu__time_duration.sum --csv $HB/Hyena.Benchmarks $ARGS > /tmp/i1/ncu-$m.csv 2> /tmp/i1/ncu-$m.err
  echo "ncu $m rc $?"; date -u +%H:%M:%S
  gzip -f /tmp/i1/ncu-$m.csv
done
rm -rf /tmp/i1/tr-*
tar -cJf $OUT/i1.tar.xz -C /tmp i1
