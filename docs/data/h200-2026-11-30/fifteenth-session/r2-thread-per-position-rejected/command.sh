set -u
mkdir -p /tmp/r2; OUTDIR=/tmp/r2; source build/gpu/device-env.sh
for v in b5 mlp; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S
timeout 170 /tmp/hb/mlp/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/r2/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|filter MLP" /tmp/r2/check.log | cut -c1-330 | head -14
op() { timeout 120 $2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,128k,1M --verify-length 0 --warmup 3 --reps 15 --out /tmp/op-$1 > /tmp/r2/op-$1.log 2>&1; echo "== $1 $(grep -E '^(64k|128k|1M) .*fwd\+bwd' /tmp/r2/op-$1.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2; do op mlp-$i /tmp/hb/mlp; op b5-$i /tmp/hb/b5; done
timeout 100 /usr/local/cuda/bin/ncu --clock-control none --cache-control none -k regex:"hyena_filter_mlp" --metrics gpu__time_duration.sum,sm__throughput.avg.pct_of_peak_sustained_elapsed,dram__throughput.avg.pct_of_peak_sustained_elapsed,l1tex__throughput.avg.pct_of_peak_sustained_active,lts__throughput.avg.pct_of_peak_sustained_elapsed,sm__warps_active.avg.pct_of_peak_sustained_active --csv /tmp/hb/mlp/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/ncu-mlp > /tmp/r2/ncu-mlp.csv 2>/tmp/r2/ncu-mlp.err
grep -h "filter_mlp" /tmp/r2/ncu-mlp.csv | tail -12 | awk -F"\",\"" "{print \$5, \$(NF-2), \$(NF)}" | cut -c1-200
timeout 100 /tmp/hb/mlp/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 32k --verify-length 65536 --warmup 1 --reps 3 --out /tmp/ver-mlp > /tmp/r2/verify-mlp.log 2>&1; grep "length=64k  variant" /tmp/r2/verify-mlp.log
date -u +%H:%M:%S
gzip /tmp/r2/*.csv
tar -cJf $OUT/r2.tar.xz -C /tmp r2
