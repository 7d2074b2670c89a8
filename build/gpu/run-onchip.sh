#!/usr/bin/env bash
# The on-chip long convolution (LongConvolution = CudaOnChip) on one GPU: checked first against the cuFFT node
# (check-libtorch: a whole operator, batch 3, float32 and bfloat16, lengths 16 to 32k) and every variant against
# fp32-ref at 8k (the operator verb's verification), then timed beside the cuFFT node it replaces, then the
# classifier's training throughput with each against the Transformer. Usage, in the repository copy on the
# device, with .gpu/ carried: build/gpu/run-onchip.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
timeout 90 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > "$OUTDIR/check.log" 2>&1
cp /tmp/check/check-libtorch.txt "$OUTDIR/" 2>/dev/null
timeout 200 $HB/Hyena.Benchmarks operator --device cuda \
  --variants fp32-fused,fp32-onchip,bf16-fused,bf16-onchip,infer-bf16-fused,infer-bf16-onchip \
  --lengths 2k,4k,8k,16k --hyena-only-lengths 64k --budget-seconds 150 --out "$OUTDIR" > "$OUTDIR/onchip.log" 2>&1
timeout 280 $HB/Hyena.Benchmarks training --device cuda --lengths 1k,4k,16k \
  --models transformer-bf16,hyena-bf16,hyena-bf16-onchip --budget-seconds 240 --child-timeout 60 --out "$OUTDIR" > "$OUTDIR/training.log" 2>&1
grep -h "NVRTC\|on-chip" "$OUTDIR/check.log"; grep -A10 "verifying" "$OUTDIR/onchip.log" | head -12; tail -n 12 "$OUTDIR/onchip.log"; tail -n 10 "$OUTDIR/training.log"
