#!/usr/bin/env bash
# A short check of a build on one GPU (about 40 s after the machine starts): the operator's pieces at 64k
# (host-overhead) and the default path against the cuFFT node at 64k and 1M, forward+backward and forward alone.
# Usage, in the repository copy on the device, with .gpu/ carried: build/gpu/run-quick-check.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
pieces "$HB" 65536 pieces-65536 60
grep "filter\|projection\|convolution node\|bf16-auto" /tmp/pieces-65536.log | grep -v "piece="
timeout 60 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-fused,bf16-auto,infer-bf16-auto --lengths 64k \
  --hyena-only-lengths 1M --budget-seconds 40 --out "$OUTDIR" > "$OUTDIR/run.log" 2>&1
grep -A4 "verifying" "$OUTDIR/run.log" | head -5; tail -n 6 "$OUTDIR/run.log"
