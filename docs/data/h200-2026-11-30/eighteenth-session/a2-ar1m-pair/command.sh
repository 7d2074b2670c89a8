set -u
mkdir -p $OUT/a2; OUTDIR=$OUT/a2; source build/gpu/device-env.sh
date -u +%H:%M:%S
# The fresh publish of 307a047 on both H200s of one host at once: results.md's associative-recall command at 1,048,576 tokens.
ar() { # name gpu env...
  local name=$1 gpu=$2; shift 2
  env "$@" timeout 345 $HB/AssociativeRecall --device cuda:$gpu --length 1048576 --train 250 --test 100 --batch-size 2 --warmup-batch-size 32 \
  --warmup-length 1024 --warmup-train 16000 --warmup-epochs 24 --warmup-minutes 4.2 --learning-rate 1e-3 --epochs 3 --max-minutes 3 \
  --out /tmp/runs/ar-$name > $OUT/a2/ar-$name.log 2>&1; echo "$name rc $?"
  cp /tmp/runs/ar-$name/results.csv $OUT/a2/ar-$name-results.csv 2>/dev/null; cp /tmp/runs/ar-$name/training-curve.png $OUT/a2/ar-$name-training-curve.png 2>/dev/null
}
ar gpu0 0 X=1 &
ar gpu1 1 X=1 &
wait
date -u +%H:%M:%S
for b in gpu0 gpu1; do echo "== $b"; grep -E "^epoch (1|21|24)/|^epoch [0-9]/3|accuracy|Error|error|Exception" $OUT/a2/ar-$b.log | tail -n 8; done
date -u +%H:%M:%S
