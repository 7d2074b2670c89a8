#!/usr/bin/env bash
# Associative recall (vocabulary 30) at 32k and 64k on one GPU, both runs at once (the 2 x 64 model
# leaves the H200 mostly idle; each run has its own training budget, so sharing the GPU costs
# epochs, never time). Each run is a curriculum: up to 24 epochs of 16,000 sequences at length 1,024
# (where the recall mechanism is learned cheaply; at most 4.2 minutes), then continued training at
# the long length for at most 3 minutes. Usage, in the repository copy on the device, with .gpu/
# carried: build/gpu/run-long-recall.sh "$OUT" [length:train:test:batch:epochs[:warmup-batch] ...]
# (default: 32768:2000:500:32:12 65536:2000:500:32:6; the optional sixth field is stage 1's batch size,
# --warmup-batch-size, which otherwise is the long stage's)
set -u
RETURN="${1:?output folder}"
OUTDIR=/tmp/long-recall; mkdir -p $OUTDIR
source "$(dirname "$0")/device-env.sh"
recall() { # length train test batch epochs [warmup-batch]
  timeout 570 $HB/AssociativeRecall --device cuda --length $1 --train $2 --test $3 --batch-size $4 ${6:+--warmup-batch-size $6} \
    --warmup-length 1024 --warmup-train 16000 --warmup-epochs 24 --warmup-minutes 4.2 --learning-rate 1e-3 --epochs $5 --max-minutes 3 \
    --out /tmp/runs/ar-$1 > "$OUTDIR/ar-$1.log" 2>&1
  cp /tmp/runs/ar-$1/results.csv "$OUTDIR/ar-$1-results.csv" 2>/dev/null
  cp /tmp/runs/ar-$1/training-curve.png "$OUTDIR/ar-$1-training-curve.png" 2>/dev/null
}
shift
RUNS="${*:-32768:2000:500:32:12 65536:2000:500:32:6}"
for r in $RUNS; do recall ${r//:/ } & done
wait
nvidia-smi --query-gpu=index,name,memory.total --format=csv
for r in $RUNS; do l=${r%%:*}; echo "== ar $l"; grep -E "^epoch|accuracy|Error|error|Exception" "$OUTDIR/ar-$l.log" | tail -n 12; done
tar -czf "$RETURN/long-recall.tar.gz" -C "$OUTDIR" .
cp "$OUTDIR"/*.log "$RETURN/"
