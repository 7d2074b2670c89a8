#!/usr/bin/env bash
# The four-step long convolution (LongConvolution = CudaOnChip past one block's 16k, and Auto from 16k): checked first
# against the cuFFT node (check-libtorch: a whole operator, batch 3, float32 and bfloat16, lengths 16 to 8M) and every
# variant against fp32-ref at 8k; the operator's pieces at 16k and 64k (host-overhead); then the operator timed beside
# the cuFFT node from 16k to 1M, and the classifier's training throughput at 16k and 64k with Auto against the cuFFT
# node forced and the Transformer. Usage, in the repository copy on the device, with .gpu/ carried:
# build/gpu/run-fourstep.sh "$OUT"
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
# At most 8 files come back from the device: check.log, pieces-*.csv, operator.csv, operator-verify.csv, training.csv,
# run.log (the operator and training verbs' output) and device-env.sh's nvidia-smi.csv.
timeout 120 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > "$OUTDIR/check.log" 2>&1
grep -h "NVRTC\|on-chip" "$OUTDIR/check.log"
for L in 16384 65536; do
  pieces "$HB" $L "pieces-$L"
  grep "filter\|projection\|convolution\|kernel\|bf16-auto" "/tmp/pieces-$L.log" | grep -v "piece="
done
timeout 200 $HB/Hyena.Benchmarks operator --device cuda \
  --variants fp32-fused,fp32-onchip,bf16-fused,bf16-auto,infer-bf16-fused,infer-bf16-auto \
  --lengths 16k,32k,64k,128k --hyena-only-lengths 256k,1M --budget-seconds 170 --out "$OUTDIR" > "$OUTDIR/run.log" 2>&1
grep -A8 "verifying" "$OUTDIR/run.log" | head -9; tail -n 12 "$OUTDIR/run.log"
timeout 200 $HB/Hyena.Benchmarks training --device cuda --lengths 16k,64k \
  --models transformer-bf16,hyena-bf16-cufft,hyena-bf16 --budget-seconds 180 --child-timeout 60 --out /tmp/training > /tmp/training.log 2>&1
cp /tmp/training/training.csv "$OUTDIR/"; cat /tmp/training.log >> "$OUTDIR/run.log"; tail -n 10 /tmp/training.log
