set -u
mkdir -p /tmp/r1; OUTDIR=/tmp/r1; source build/gpu/device-env.sh
for v in b5 mlp; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S
timeout 170 /tmp/hb/mlp/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/r1/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|filter MLP" /tmp/r1/check.log | cut -c1-330 | head -14
op() { timeout 120 $2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,128k,1M --verify-length 0 --warmup 3 --reps 15 --out /tmp/op-$1 > /tmp/r1/op-$1.log 2>&1; echo "== $1 $(grep -E '^(64k|128k|1M) .*fwd\+bwd' /tmp/r1/op-$1.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2; do op mlp-$i /tmp/hb/mlp; op b5-$i /tmp/hb/b5; done
timeout 100 /usr/local/cuda/bin/ncu --clock-control none --cache-control none -k regex:"hyena_filter_mlp|hyena_sin|gemm|splitK|reduce_kernel" --metrics gpu__time_duration.sum --csv /tmp/hb/mlp/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/ncu-mlp > /tmp/r1/ncu-mlp.csv 2>/tmp/r1/ncu-mlp.err
grep -h "filter_mlp" /tmp/r1/ncu-mlp.csv | tail -4 | awk -F'","' '{print $5, $(NF)}' | cut -c1-200
timeout 100 /tmp/hb/mlp/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 32k --verify-length 65536 --warmup 1 --reps 3 --out /tmp/ver-mlp > /tmp/r1/verify-mlp.log 2>&1; grep "length=64k  variant" /tmp/r1/verify-mlp.log
date -u +%H:%M:%S
gzip /tmp/r1/*.csv
tar -cJf $OUT/r1.tar.xz -C /tmp r1
