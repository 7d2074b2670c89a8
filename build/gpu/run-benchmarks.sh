#!/usr/bin/env bash
# Runs the benchmarks on a GPU machine (see README.md here). Usage, in the repository copy on the
# device, with .gpu/ carried: build/gpu/run-benchmarks.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
timeout 45 $HB/Hyena.Benchmarks check-libtorch --device cuda --out "$OUTDIR" > "$OUTDIR/check.log" 2>&1
timeout 210 $HB/Hyena.Benchmarks operator --device cuda --budget-seconds 160 --out "$OUTDIR" > "$OUTDIR/operator.log" 2>&1
timeout 170 $HB/Hyena.Benchmarks training --device cuda --budget-seconds 120 --child-timeout 60 --out "$OUTDIR" > "$OUTDIR/training.log" 2>&1
timeout 50 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-fast,bf16-kernel,infer-bf16-cached,infer-bf16-kernel \
  --lengths 16k,64k,128k --hyena-only-lengths 512k --budget-seconds 30 --out "$OUTDIR/kernels" > "$OUTDIR/kernels.log" 2>&1
tail -n 24 "$OUTDIR/check.log"; tail -n 20 "$OUTDIR/operator.log"; tail -n 18 "$OUTDIR/training.log"; tail -n 8 "$OUTDIR/kernels.log"
