set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
rm -rf /tmp/hb/new; cp -r /tmp/hb/hyena-bench /tmp/hb/new && cp .gpu/new/*.dll /tmp/hb/new/
op() { timeout 100 /tmp/hb/new/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,128k --verify-length 0 --warmup 2 --reps 15 --out /tmp/op-$1 > /tmp/o/op-$1.log 2>&1; echo "== $1 ${HYENA_NVRTC_OPTIONS:-} $(grep -E '^(64k|128k|1M) .*fwd\+bwd' /tmp/o/op-$1.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2; do
  unset HYENA_NVRTC_OPTIONS; op d-$i
  export HYENA_NVRTC_OPTIONS="-DHYENA_COLUMNS_LOAD=4"; op c4-$i
  export HYENA_NVRTC_OPTIONS="-DHYENA_COLUMNS_LOAD=16"; op c16-$i
  export HYENA_NVRTC_OPTIONS="-DHYENA_ROWS_LOAD=4"; op r4-$i
  export HYENA_NVRTC_OPTIONS="-DHYENA_COLUMNS_LOAD=2"; op c2-$i
  export HYENA_NVRTC_OPTIONS="-DHYENA_ROWS_SPECTRUM=2"; op s2-$i
done
tar -cJf $OUT/k1.tar.xz -C /tmp/o .
