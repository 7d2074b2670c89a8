set -u
mkdir -p /tmp/h6; OUTDIR=/tmp/h6; source build/gpu/device-env.sh
for v in hx hz; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S
timeout 200 /tmp/hb/hz/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/h6/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|widening linear node" /tmp/h6/check.log | cut -c1-330 | head -12
date -u +%H:%M:%S
trace() { # build length round
  taskset -c 6,7 timeout 100 /tmp/hb/$1/Hyena.Benchmarks host-overhead --device cuda --width 768 --length $2 --filter-order 64 --pieces false --reference false \
    --warmup 5 --reps 10 --trace-reps 300 --out /tmp/h6/t-$1-$2-$3 > /tmp/h6/t-$1-$2-$3.log 2>&1
  echo "$1 $2 $3 $(grep -E "^TRACE" /tmp/h6/t-$1-$2-$3.log | sed -E 's/TRACE node //; s/TRACE 300 reps, medians: //; s/ us, gap before it /\//; s/ us//g' | tr '\n' '|')"
}
for r in 1 2 3; do trace hz 65536 $r; trace hx 65536 $r; trace hx 2048 $r; trace hz 2048 $r; done
date -u +%H:%M:%S
op() { timeout 120 /tmp/hb/$2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k,8k,16k,64k,128k --hyena-only-lengths 1M --verify-length $3 --warmup 3 --reps 15 --out /tmp/h6/op-$1 > /tmp/h6/op-$1.log 2>&1; echo "== $1"; grep -E "length=8k +variant|^(2k|8k|16k|64k|128k|1M) +(attention|hyena) " /tmp/h6/op-$1.log | awk '{print $1, $2, $6, $7, $9, $10}' | tr '\n' ';'; echo; }
op new-1 hz 8k; op old-1 hx 0; op new-2 hz 0; op old-2 hx 0
date -u +%H:%M:%S
tar -cJf $OUT/h6.tar.xz -C /tmp h6
