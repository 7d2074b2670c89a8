#!/usr/bin/env bash
# Second round of GPU accuracy runs (4 GPUs at once), after run-accuracy.sh: associative recall at 8k
# with more distinct training sequences (the first round memorised 4,000), and sequential
# Fashion-MNIST with larger batches (the first round was still improving when its time ran out).
# Usage: build/gpu/run-accuracy-tuned.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
[ -f /tmp/fmnist/train-images-idx3-ubyte ] || { mkdir -p /tmp/fmnist && tar -xJf "$R/.gpu/fmnist.tar.xz" -C /tmp/fmnist; }
W=/tmp/acc2; mkdir -p $W
(timeout 585 $HB/AssociativeRecall --device cuda:0 --length 8192 --train 16000 --test 1000 --epochs 400 --max-minutes 8.4 \
   --learning-rate 5e-4 --batch-size 32 --out $W/ar-8k-16000 > $W/ar-8k-16000.log 2>&1) &
(timeout 585 $HB/AssociativeRecall --device cuda:1 --length 8192 --train 12000 --test 1000 --epochs 400 --max-minutes 8.4 \
   --learning-rate 1e-3 --batch-size 32 --out $W/ar-8k-12000 > $W/ar-8k-12000.log 2>&1) &
(timeout 585 $HB/SequentialFashionMnist --data /tmp/fmnist --device cuda:2 --no-baselines --total-minutes 9.2 --epochs 60 \
   --width 128 --depth 4 --learning-rate 3e-3 --batch-size 128 --out $W/fmnist-b128 > $W/fmnist-b128.log 2>&1) &
(timeout 585 $HB/SequentialFashionMnist --data /tmp/fmnist --device cuda:3 --no-baselines --total-minutes 9.2 --epochs 60 \
   --width 128 --depth 4 --learning-rate 4e-3 --batch-size 256 --out $W/fmnist-b256 > $W/fmnist-b256.log 2>&1) &
wait
find $W -name model.zip -delete
tar -czf "$OUTDIR/accuracy-tuned.tar.gz" -C $W .
for f in $W/*.log; do echo "== $f"; grep -E 'epoch [0-9]+/' $f | tail -n 2; grep -E '^Hyena' $f; done
