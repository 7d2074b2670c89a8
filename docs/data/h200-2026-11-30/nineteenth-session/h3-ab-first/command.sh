set -u
mkdir -p /tmp/h3; OUTDIR=/tmp/h3; source build/gpu/device-env.sh
for v in hx hy; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S
timeout 200 /tmp/hb/hy/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/h3/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|batch 1\|widening linear node" /tmp/h3/check.log | cut -c1-330 | head -24
date -u +%H:%M:%S
tr() { # build length
  timeout 100 /tmp/hb/$1/Hyena.Benchmarks host-overhead --device cuda --width 768 --length $2 --filter-order 64 --pieces false --reference false \
    --warmup 5 --reps 50 --trace-reps 200 --out /tmp/h3/t-$1-$2 > /tmp/h3/t-$1-$2.log 2>&1
  echo "== $1 $2 rc $?"; grep -E "^TRACE|operator forward\+backward " /tmp/h3/t-$1-$2.log | tail -12 | cut -c1-200
}
tr hy 65536; tr hx 65536; tr hy 2048; tr hx 2048
date -u +%H:%M:%S
op() { timeout 120 /tmp/hb/$2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k,8k,16k,64k,128k --hyena-only-lengths 1M --verify-length $3 --warmup 3 --reps 15 --out /tmp/h3/op-$1 > /tmp/h3/op-$1.log 2>&1; echo "== $1"; grep -E "length=8k +variant|^(2k|8k|16k|64k|128k|1M) +(attention|hyena) " /tmp/h3/op-$1.log | awk '{print $1, $2, $3, $4, $5, $6, $7, $9, $10}' | tr '\n' ';'; echo; }
op new-1 hy 8k; op old-1 hx 0; op new-2 hy 0; op old-2 hx 0
date -u +%H:%M:%S
tar -cJf $OUT/h3.tar.xz -C /tmp h3
