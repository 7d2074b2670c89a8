#!/usr/bin/env bash
# The default path in bfloat16 (bf16-auto: what the trainers run on CUDA) against the attention block and the
# reference composition (fp32-ref), 2k to 128k with attention and 256k to 1M alone, in one run: the table and the
# plot of docs/benchmarks.md "The default path, 2k to 1M". Usage, in the repository copy on the device, with .gpu/
# carried: build/gpu/run-default-path.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
timeout 500 $HB/Hyena.Benchmarks operator --device cuda --variants fp32-ref,bf16-auto,infer-bf16-auto \
  --budget-seconds 420 --out "$OUTDIR" > "$OUTDIR/operator.log" 2>&1
grep -A8 "verifying" "$OUTDIR/operator.log" | head -6; tail -n 16 "$OUTDIR/operator.log"
