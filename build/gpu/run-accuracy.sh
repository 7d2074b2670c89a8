#!/usr/bin/env bash
# GPU accuracy runs, one per GPU at the same time (4 GPUs): sequential Fashion-MNIST on the full data
# (two model sizes) and associative recall (vocabulary 30) at 8k and 1k tokens, each within its own
# time budget. Needs .gpu/fmnist.tar.xz (the four IDX files, uncompressed inside). Usage:
# build/gpu/run-accuracy.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
mkdir -p /tmp/fmnist && tar -xJf "$R/.gpu/fmnist.tar.xz" -C /tmp/fmnist
W=/tmp/acc; mkdir -p $W
(timeout 585 $HB/SequentialFashionMnist --data /tmp/fmnist --device cuda:0 --no-baselines --total-minutes 9.2 --epochs 60 \
   --width 128 --depth 4 --learning-rate 2e-3 --batch-size 64 --out $W/fmnist-128 > $W/fmnist-128.log 2>&1) &
(timeout 585 $HB/SequentialFashionMnist --data /tmp/fmnist --device cuda:1 --no-baselines --total-minutes 9.2 --epochs 60 \
   --width 256 --depth 4 --learning-rate 1e-3 --dropout 0.2 --batch-size 64 --out $W/fmnist-256 > $W/fmnist-256.log 2>&1) &
(timeout 585 $HB/AssociativeRecall --device cuda:2 --length 8192 --train 4000 --test 500 --epochs 400 --max-minutes 8.4 \
   --learning-rate 5e-4 --batch-size 32 --out $W/ar-8k > $W/ar-8k.log 2>&1) &
(timeout 585 $HB/AssociativeRecall --device cuda:3 --length 1024 --train 8000 --test 1000 --epochs 400 --max-minutes 8.4 \
   --learning-rate 1e-3 --batch-size 32 --out $W/ar-1k > $W/ar-1k.log 2>&1) &
wait
find $W -name model.zip -delete
tar -czf "$OUTDIR/accuracy.tar.gz" -C $W .
for f in $W/*.log; do echo "== $f"; grep -E 'epoch [0-9]+/' $f | tail -n 3; tail -n 8 $f; done
