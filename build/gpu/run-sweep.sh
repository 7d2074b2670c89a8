#!/usr/bin/env bash
# The sweep sample on one GPU and on two GPUs at the same time (disjoint GPUs), same seed and trials,
# to measure the speed-up of one trial per GPU. Usage: build/gpu/run-sweep.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
W=/tmp/sweep; mkdir -p $W
ARGS="--task image --tuner random --trials 12 --max-epochs 6 --minutes 8 --seed 3"
(CUDA_VISIBLE_DEVICES=0 timeout 560 $HB/Sweep $ARGS --state $W/one-state --out $W/one-gpu > $W/one-gpu.log 2>&1) &
(CUDA_VISIBLE_DEVICES=1,2 timeout 560 $HB/Sweep $ARGS --state $W/two-state --out $W/two-gpus > $W/two-gpus.log 2>&1) &
wait
find $W -name 'model*.zip' -delete
tar -czf "$OUTDIR/sweep.tar.gz" -C $W .
for f in $W/one-gpu.log $W/two-gpus.log; do echo "== $f"; grep -E 'devices:|sweep stopped|beats|does not beat|total time' $f; done
