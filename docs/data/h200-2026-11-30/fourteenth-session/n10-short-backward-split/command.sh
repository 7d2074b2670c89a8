set -u
mkdir -p /tmp/o10; OUTDIR=/tmp/o10; source build/gpu/device-env.sh
for v in iss b5; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S
timeout 150 /tmp/hb/b5/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/o10/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound" /tmp/o10/check.log | cut -c1-200 | head -8
grep -h "NVRTC short-filter kernel BFloat16" /tmp/o10/check.log | cut -c1-250 | head -2
op() { timeout 100 $2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,128k --verify-length 0 --warmup 3 --reps 15 --out /tmp/o10/op-$1 > /tmp/o10/op-$1.log 2>&1; echo "== $1 $(grep -E '^(64k|128k) .*fwd\+bwd' /tmp/o10/op-$1.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2; do op b5-$i /tmp/hb/b5; op iss-$i /tmp/hb/iss; done
timeout 100 /usr/local/cuda/bin/ncu --clock-control none --cache-control none -k regex:"hyena_short_bwd" --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__warps_active.avg.pct_of_peak_sustained_active --csv /tmp/hb/b5/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/ncu-b5 > /tmp/o10/ncu-b5.csv 2>/tmp/o10/ncu-b5.err
grep "2304, 8, 1" /tmp/o10/ncu-b5.csv | tail -3 | cut -c1-400
date -u +%H:%M:%S
tar -cJf $OUT/n10.tar.xz -C /tmp o10
