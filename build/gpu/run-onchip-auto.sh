#!/usr/bin/env bash
# Second on-chip run, with Auto picking the on-chip long convolution from 8k (OnChipFftConvolution.AutoMinLength
# was 8k for this run; after it, 16k): the operator at 8k, 16k and 32k (where the cuFFT node runs again) and the
# classifier's training throughput with Auto (hyena-bf16) against the cuFFT node forced (hyena-bf16-cufft) at 8k and
# 16k. Usage, in the repository copy on the device, with .gpu/ carried: build/gpu/run-onchip-auto.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
timeout 150 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-fused,bf16-onchip,infer-bf16-fused,infer-bf16-onchip \
  --lengths 8k,16k --hyena-only-lengths 32k --budget-seconds 100 --out "$OUTDIR" > "$OUTDIR/onchip.log" 2>&1
timeout 300 $HB/Hyena.Benchmarks training --device cuda --lengths 8k,16k \
  --models transformer-bf16,hyena-bf16-cufft,hyena-bf16 --budget-seconds 240 --child-timeout 60 --out "$OUTDIR" > "$OUTDIR/training.log" 2>&1
tail -n 8 "$OUTDIR/onchip.log"; tail -n 10 "$OUTDIR/training.log"
