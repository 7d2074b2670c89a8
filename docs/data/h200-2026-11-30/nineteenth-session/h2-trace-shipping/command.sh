set -u
mkdir -p /tmp/h2; OUTDIR=/tmp/h2; source build/gpu/device-env.sh
rm -rf /tmp/hb/hx; cp -r /tmp/hb/hyena-bench /tmp/hb/hx && cp .gpu/hx/*.dll /tmp/hb/hx/
date -u +%H:%M:%S
for L in 65536 2048; do
  timeout 100 /tmp/hb/hx/Hyena.Benchmarks host-overhead --device cuda --width 768 --length $L --filter-order 64 --pieces false --reference false \
    --warmup 5 --reps 50 --trace-reps 200 --out /tmp/h2/t$L > /tmp/h2/t$L.log 2>&1
  echo "== $L rc $?"; grep -E "^rep|^TRACE|operator" /tmp/h2/t$L.log | cut -c1-900
done
date -u +%H:%M:%S
tar -cJf $OUT/h2.tar.xz -C /tmp h2
