#!/usr/bin/env bash
# SpamAssassin byte-level settings on one GPU, several runs at once (small models leave the H200 mostly
# idle), Hyena only (the baselines are CPU-only and deterministic on the split; they are measured by the
# CPU runs). The corpus travels as .gpu/spam.tar.xz (the five folders' .txt files, made by
# build/gpu/pack-spam.sh). Usage, in the repository copy on the device, with .gpu/ carried:
#   build/gpu/run-spam.sh "$OUT" "name:--option value --option value" ...
set -u
RETURN="${1:?output folder}"
OUTDIR=/tmp/spam-runs; mkdir -p $OUTDIR
source "$(dirname "$0")/device-env.sh"
mkdir -p /tmp/spam && tar -xJf "$R/.gpu/spam.tar.xz" -C /tmp/spam
shift
for run in "$@"; do
  name=${run%%:*}; opts=${run#*:}
  ( timeout 560 $HB/SpamAssassin --device cuda --data /tmp/spam/package --no-baselines $opts --out /tmp/runs/spam-$name \
      > "$OUTDIR/spam-$name.log" 2>&1
    cp /tmp/runs/spam-$name/results.csv "$OUTDIR/spam-$name-results.csv" 2>/dev/null ) &
done
wait
for run in "$@"; do name=${run%%:*}; echo "== $name: ${run#*:}"; grep -E "^epoch|Hyena bytes|Error|error|Exception" "$OUTDIR/spam-$name.log" | tail -n 14; done
tar -czf "$RETURN/spam-runs.tar.gz" -C "$OUTDIR" .
