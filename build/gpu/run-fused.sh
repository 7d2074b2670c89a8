#!/usr/bin/env bash
# The fused gated long convolution (LongConvolution = CudaKernel) and float16 transforms
# (HalfPrecisionTransforms) on one GPU: every variant checked against fp32-ref at 8k first (the
# operator verb's verification), then timed beside the variants they replace, then the classifier's
# training throughput with each against the Transformer. Usage, in the repository copy on the device,
# with .gpu/ carried: build/gpu/run-fused.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
timeout 60 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > "$OUTDIR/check.log" 2>&1
timeout 240 $HB/Hyena.Benchmarks operator --device cuda \
  --variants fp32-kernel,fp32-fused,bf16-kernel,bf16-fused,bf16-fused-f16fft,infer-bf16-kernel,infer-bf16-fused,infer-bf16-fused-f16fft \
  --lengths 16k,64k,128k --hyena-only-lengths 1M --budget-seconds 200 --out "$OUTDIR" > "$OUTDIR/fused.log" 2>&1
timeout 300 $HB/Hyena.Benchmarks training --device cuda --lengths 16k,64k \
  --models transformer-bf16,hyena-bf16-composed,hyena-bf16,hyena-bf16-f16fft --budget-seconds 240 --child-timeout 60 --out "$OUTDIR" > "$OUTDIR/training.log" 2>&1
grep -h "NVRTC" "$OUTDIR/check.log"; grep -A14 "verifying" "$OUTDIR/fused.log" | head -16; tail -n 16 "$OUTDIR/fused.log"; tail -n 10 "$OUTDIR/training.log"
