set -u
mkdir -p /tmp/h5; OUTDIR=/tmp/h5; source build/gpu/device-env.sh
for v in hx hy; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S; nproc
trace() { # build length round
  taskset -c 6,7 timeout 100 /tmp/hb/$1/Hyena.Benchmarks host-overhead --device cuda --width 768 --length $2 --filter-order 64 --pieces false --reference false \
    --warmup 5 --reps 10 --trace-reps 300 --out /tmp/h5/t-$1-$2-$3 > /tmp/h5/t-$1-$2-$3.log 2>&1
  echo "$1 $2 $3 $(grep -E "^TRACE" /tmp/h5/t-$1-$2-$3.log | sed -E 's/TRACE node //; s/TRACE 300 reps, medians: //; s/ us, gap before it /\//; s/ us//g' | tr '\n' '|')"
}
for r in 1 2 3 4; do trace hy 65536 $r; trace hx 65536 $r; trace hx 2048 $r; trace hy 2048 $r; done
date -u +%H:%M:%S
tar -cJf $OUT/h5.tar.xz -C /tmp h5
