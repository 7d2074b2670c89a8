#!/usr/bin/env bash
# Where the bfloat16 operator's time goes at 16k, 64k, 256k and 1M on one GPU: the host-overhead verb's pieces (implicit
# filter, filter and spectrum, in projection with the short filter, the long convolution node with the cuFFT node and
# with the on-chip/four-step kernels, out projection, whole operator) at width 768, filter order 64, batch 1.
# Usage, in the repository copy on the device, with .gpu/ carried: build/gpu/run-breakdown.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
for L in 16384 65536 262144; do
  timeout 120 $HB/Hyena.Benchmarks host-overhead --device cuda --width 768 --length $L --filter-order 64 --warmup 3 --reps 20 \
    --out "$OUTDIR/w768-$L" > "$OUTDIR/w768-$L.log" 2>&1
  tail -n 28 "$OUTDIR/w768-$L.log"
done
timeout 200 $HB/Hyena.Benchmarks host-overhead --device cuda --width 768 --length 1048576 --filter-order 64 --warmup 2 --reps 8 \
  --out "$OUTDIR/w768-1048576" > "$OUTDIR/w768-1048576.log" 2>&1
tail -n 28 "$OUTDIR/w768-1048576.log"
