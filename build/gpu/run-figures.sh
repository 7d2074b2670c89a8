#!/usr/bin/env bash
# The issue's speed figures of one build on one H200 (about two minutes after the machine starts): the operator's pieces
# at 64k with the reference composition beside the default path (host-overhead: fp32-ref and bf16-auto in one run), the
# operator verb at its default lengths with attention beside it (2k to 128k, Hyena alone to 1M), and classifier training
# against the Transformer at 16k and 64k. Usage, in the repository copy on the device, with .gpu/ carried:
# build/gpu/run-figures.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
pieces "$HB" 65536 pieces-65536
grep "operator forward+backward" /tmp/pieces-65536.log
timeout 260 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-auto,infer-bf16-auto --budget-seconds 200 \
  --out "$OUTDIR" > "$OUTDIR/operator.log" 2>&1
grep -A4 "verifying" "$OUTDIR/operator.log" | head -4; tail -n 16 "$OUTDIR/operator.log"
timeout 220 $HB/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 \
  --budget-seconds 180 --child-timeout 60 --out /tmp/training > /tmp/training.log 2>&1
cp /tmp/training/training.csv "$OUTDIR/"; cp /tmp/training.log "$OUTDIR/training.log"; tail -n 8 /tmp/training.log
