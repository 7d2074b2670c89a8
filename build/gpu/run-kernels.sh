#!/usr/bin/env bash
# The experimental NVRTC short-filter kernels on one GPU: checked against Conv1d (float32 and
# bfloat16, output and gradients; check-libtorch's last step), then timed in the operator benchmark
# beside the composed variants they replace, alone on the GPU. Usage, in the repository copy on the
# device, with .gpu/ carried: build/gpu/run-kernels.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
timeout 60 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > "$OUTDIR/check.log" 2>&1
timeout 150 $HB/Hyena.Benchmarks operator --device cuda --variants fp32-fold,fp32-kernel,bf16-fast,bf16-conv1d,bf16-kernel,infer-bf16-cached,infer-bf16-kernel \
  --lengths 16k,64k,128k --hyena-only-lengths 1M --budget-seconds 120 --out "$OUTDIR" > "$OUTDIR/kernels.log" 2>&1
grep -h "NVRTC" "$OUTDIR/check.log"; tail -n 14 "$OUTDIR/kernels.log"
