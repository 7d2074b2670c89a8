#!/usr/bin/env bash
# This build's operator pieces (host-overhead, as run-compare.sh runs them) at one length with the CUDA kernels compiled
# under several sets of NVRTC options: HYENA_NVRTC_OPTIONS sets the kernel source's tuning macros (for example the
# batched loads' HYENA_ROWS_LOAD), one process each, so that one call measures several variants of a kernel without a
# rebuild. Usage, in the repository copy on the device, with .gpu/ carried:
#   build/gpu/run-variants.sh "$OUT" 65536 'rows4=-DHYENA_ROWS_LOAD=4' 'cols4=-DHYENA_COLUMNS_LOAD=4'
set -u
OUTDIR="${1:?output folder}"
L="${2:?length}"
shift 2
source "$(dirname "$0")/device-env.sh"
for spec in "$@"; do
  name="${spec%%=*}"
  export HYENA_NVRTC_OPTIONS="${spec#*=}"
  pieces "$HB" "$L" "variant-$name-$L"
  echo "== $name ($HYENA_NVRTC_OPTIONS) L=$L"
  grep "convolution node\|kernel\|bf16-auto" "/tmp/variant-$name-$L.log" | grep -v "piece="
done
unset HYENA_NVRTC_OPTIONS
