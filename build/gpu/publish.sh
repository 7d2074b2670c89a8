#!/usr/bin/env bash
# Builds the self-contained GPU publish of the benchmarks and of the samples that run on the GPU
# (sequential Fashion-MNIST, associative recall, SpamAssassin, the sweep) into one folder, packed as
# .gpu/app.tar.xz. The programs share the runtime and their dependencies, so one folder holds them all.
#
# The publish references only the plain TorchSharp package (-p:HyenaGpuPublish=true): it carries
# TorchSharp's own libLibTorchSharp.so and no libtorch at all; at run time Microsoft.ML.Hyena's
# TorchBackend loads the CUDA libtorch of a PyTorch install (HYENA_LIBTORCH_DIR, LD_LIBRARY_PATH,
# or python3's torch/lib). Nothing is changed by hand: the repository's build (build/Hyena.NativeFix.targets)
# already marks GLIBCXX_3.4.32 weak in the published libLibTorchSharp.so when the build host lacks it;
# this script only checks that it did.
#
# The sources are copied to a temporary folder first, so the build neither disturbs nor is disturbed
# by builds running in the working tree at the same time.
#
# Usage: build/gpu/publish.sh            (writes .gpu/app.tar.xz, then runs the published app on CPU)
#        SKIP_SMOKE=1 build/gpu/publish.sh  (no CPU smoke test)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OUT_DIR="$ROOT/.gpu"
STAGE="$(mktemp -d /tmp/hyena-gpu-publish.XXXXXX)"
trap 'rm -rf "$STAGE"' EXIT
APP=hyena-bench
PROJECTS="benchmarks/Hyena.Benchmarks/Hyena.Benchmarks.csproj samples/SequentialFashionMnist/SequentialFashionMnist.csproj
  samples/AssociativeRecall/AssociativeRecall.csproj samples/SpamAssassin/SpamAssassin.csproj samples/Sweep/Sweep.csproj"

echo "== staging sources in $STAGE"
mkdir -p "$STAGE/src" "$STAGE/benchmarks" "$STAGE/samples"
cp "$ROOT"/Directory.Build.props "$ROOT"/Directory.Build.targets "$ROOT"/Directory.Packages.props "$ROOT"/global.json "$STAGE/"
[ -f "$ROOT/NuGet.config" ] && cp "$ROOT/NuGet.config" "$STAGE/"
[ -f "$ROOT/nuget.config" ] && cp "$ROOT/nuget.config" "$STAGE/"
# build/ (native fix targets) without the gpu output; the two projects without bin/ and obj/.
tar -C "$ROOT" --exclude='bin' --exclude='obj' -cf - build src benchmarks/Hyena.Benchmarks samples/Hyena.Samples.Common \
  samples/SequentialFashionMnist samples/AssociativeRecall samples/SpamAssassin samples/Sweep samples/data/fashion-mnist-subset | tar -C "$STAGE" -xf -

for project in $PROJECTS; do
  echo "== dotnet publish $project (Release, linux-x64, self-contained, HyenaGpuPublish=true)"
  dotnet publish "$STAGE/$project" -c Release -r linux-x64 --self-contained -p:HyenaGpuPublish=true \
    -o "$STAGE/out/$APP" -nologo -v:minimal
done

PUB="$STAGE/out/$APP"
# Native debug files and the copied Fashion-MNIST subset (the GPU runs read the full set) only take room.
find "$PUB" \( -name '*.dbg' -o -name 'libmscordaccore.so' -o -name 'libmscordbi.so' \) -delete
rm -rf "$PUB/samples/data"
echo "== checks"
if [ -n "$(find "$PUB" \( -name 'libtorch*.so*' -o -name 'libc10*.so*' -o -name 'libcudnn*' -o -name 'libcublas*' \))" ]; then
  echo "ERROR: the publish carries a libtorch (it must use the PyTorch install's):" >&2
  find "$PUB" \( -name 'libtorch*.so*' -o -name 'libc10*.so*' \) >&2
  exit 1
fi
LTS="$(find "$PUB" -name libLibTorchSharp.so | head -n 1)"
[ -n "$LTS" ] || { echo "ERROR: libLibTorchSharp.so missing from the publish" >&2; exit 1; }
echo "libLibTorchSharp.so: ${LTS#$STAGE/out/}"
# readelf -V prints "Name: GLIBCXX_3.4.32  Flags: WEAK  Version: N" for a weak requirement.
# (Its output is captured first: with pipefail, grep -q closing the pipe early would fail the test.)
VERSIONS="$(readelf -V "$LTS")"
REQ="$(printf '%s\n' "$VERSIONS" | grep 'Name: GLIBCXX_3\.4\.32' || true)"
if [ -z "$REQ" ]; then
  echo "GLIBCXX_3.4.32: not required"
elif printf '%s\n' "$REQ" | grep -q 'Flags: WEAK'; then
  echo "GLIBCXX_3.4.32 requirement is WEAK (loads on Debian 12 / Ubuntu 22.04 too):$REQ"
else
  echo "ERROR: GLIBCXX_3.4.32 is a strong requirement in the published libLibTorchSharp.so:$REQ" >&2
  exit 1
fi

echo "== packing"
mkdir -p "$OUT_DIR"
XZ_OPT="-9 -T0" tar -C "$STAGE/out" -cJf "$OUT_DIR/app.tar.xz.tmp" "$APP"
mv "$OUT_DIR/app.tar.xz.tmp" "$OUT_DIR/app.tar.xz"
SIZE=$(stat -c %s "$OUT_DIR/app.tar.xz")
echo "$OUT_DIR/app.tar.xz: $((SIZE / 1024 / 1024)) MiB ($SIZE bytes); unpacked $(du -sm "$PUB" | cut -f1) MiB"
if [ "$SIZE" -ge $((48 * 1024 * 1024)) ]; then
  echo "ERROR: the tarball is too large for the device (keep it well under 64 MiB)" >&2
  exit 1
fi

if [ "${SKIP_SMOKE:-0}" != "1" ]; then
  echo "== smoke test on CPU from the tarball (libtorch from the TorchSharp-cpu NuGet package via LD_LIBRARY_PATH)"
  CPU_LIB="$(ls -d "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/libtorch-cpu-linux-x64/*/runtimes/linux-x64/native 2>/dev/null | sort | tail -n 1)"
  if [ -z "$CPU_LIB" ]; then
    echo "no libtorch-cpu-linux-x64 package in the NuGet folder: run 'dotnet build' once, or SKIP_SMOKE=1" >&2
    exit 1
  fi
  RUN="$STAGE/run"
  mkdir -p "$RUN"
  tar -C "$RUN" -xJf "$OUT_DIR/app.tar.xz"
  export LD_LIBRARY_PATH="$CPU_LIB"
  "$RUN/$APP/Hyena.Benchmarks" check-libtorch --device auto --out "$RUN/out" | tail -n 12
  "$RUN/$APP/Hyena.Benchmarks" operator --device cpu --lengths 64 --hyena-only-lengths 128 --width 32 --heads 4 \
      --reps 2 --warmup 1 --verify-length 64 --out "$RUN/out" | tail -n 8
  "$RUN/$APP/Hyena.Benchmarks" training --device cpu --lengths 64 --batches 2 --width 16 --depth 1 --heads 2 \
      --steps 2 --isolate true --out "$RUN/out" | tail -n 6
  echo "smoke test passed"
fi
echo "done: $OUT_DIR/app.tar.xz"
