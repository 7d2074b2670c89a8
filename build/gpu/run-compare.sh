#!/usr/bin/env bash
# One build against another on one GPU (about a minute after the machine starts): this build checked against the
# cuFFT node first (check-libtorch), then the operator's pieces at 16k and 64k (host-overhead) for this build and for
# the build in .gpu/base/ (another commit's Microsoft.ML.Hyena.dll and Hyena.Benchmarks.dll, laid over a copy of this
# publish), then this build's operator verb at the default lengths with attention beside it. Usage, in the repository
# copy on the device, with .gpu/ carried: build/gpu/run-compare.sh "$OUT" (SKIP_OPERATOR=1: without the operator verb)
set -u
OUTDIR="${1:?output folder}"
source "$(dirname "$0")/device-env.sh"
NEW="$HB"
BASE=/tmp/hb/base
if [ -d "$R/.gpu/base" ] && [ ! -d "$BASE" ]; then cp -r "$NEW" "$BASE" && cp "$R"/.gpu/base/*.dll "$BASE/"; fi
timeout 120 $NEW/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > "$OUTDIR/check.log" 2>&1
grep -h "NVRTC\|on-chip\|fp32-ref at\|widened\|cached inference\|four-step kernels L=\|bfloat16 filter\|sin activation" "$OUTDIR/check.log"
for L in 16384 65536; do
  for build in base new; do
    dir=$NEW; [ $build = base ] && dir=$BASE
    [ -x "$dir/Hyena.Benchmarks" ] || continue
    pieces "$dir" $L "pieces-$build-$L"
    echo "== $build L=$L"; grep "convolution node\|kernel\|bf16-auto" "/tmp/pieces-$build-$L.log" | grep -v "piece="
  done
done
[ "${SKIP_OPERATOR:-0}" = 1 ] && exit 0   # SKIP_OPERATOR=1: the pieces only
timeout 260 $NEW/Hyena.Benchmarks operator --device cuda --variants bf16-auto,infer-bf16-auto --budget-seconds 200 \
  --out "$OUTDIR" > "$OUTDIR/operator.log" 2>&1
grep -A8 "verifying" "$OUTDIR/operator.log" | head -6; tail -n 16 "$OUTDIR/operator.log"
