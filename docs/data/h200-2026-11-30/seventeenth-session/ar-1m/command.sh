set -u
mkdir -p /tmp/w; OUTDIR=/tmp/w; source build/gpu/device-env.sh
date -u +%H:%M:%S
# The fresh publish of c9b0ecd (the cuBLASLt products); results.md's associative-recall command at 1,048,576 tokens.
timeout 400 $HB/AssociativeRecall --device cuda:0 --length 1048576 --train 250 --test 100 --batch-size 2 --warmup-batch-size 32 \
  --warmup-length 1024 --warmup-train 16000 --warmup-epochs 24 --warmup-minutes 4.2 --learning-rate 1e-3 --epochs 3 --max-minutes 3 \
  --out /tmp/runs/ar > /tmp/w/ar-1m.log 2>&1; echo "rc $?"; cp /tmp/runs/ar/results.csv /tmp/w/ar-1m-results.csv 2>/dev/null
date -u +%H:%M:%S
grep -E "^epoch [0-9]/3|accuracy|Error|error|Exception|total time" /tmp/w/ar-1m.log | tail -n 6
cp /tmp/w/* $OUT/ 2>/dev/null; true
