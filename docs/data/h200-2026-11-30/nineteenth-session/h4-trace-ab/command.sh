set -u
mkdir -p /tmp/h4; OUTDIR=/tmp/h4; source build/gpu/device-env.sh
for v in hx hy; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S
trace() { # build length round
  timeout 100 /tmp/hb/$1/Hyena.Benchmarks host-overhead --device cuda --width 768 --length $2 --filter-order 64 --pieces false --reference false \
    --warmup 5 --reps 30 --trace-reps 300 --out /tmp/h4/t-$1-$2-$3 > /tmp/h4/t-$1-$2-$3.log 2>&1
  echo "== $1 $2 $3 rc $?"; grep -E "^TRACE|operator forward\+backward " /tmp/h4/t-$1-$2-$3.log | tail -12 | cut -c1-200
}
for r in 1 2; do trace hy 65536 $r; trace hx 65536 $r; trace hy 2048 $r; trace hx 2048 $r; done
date -u +%H:%M:%S
tar -cJf $OUT/h4.tar.xz -C /tmp h4
