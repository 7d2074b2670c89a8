set -u
mkdir -p /tmp/r6; OUTDIR=/tmp/r6; source build/gpu/device-env.sh
for v in b5 mlp; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S
timeout 170 /tmp/hb/mlp/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/r6/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|filter MLP kernels (L 65536" /tmp/r6/check.log | cut -c1-330 | head -8
op() { timeout 150 $2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 8k,16k,64k,128k --hyena-only-lengths 1M --verify-length 0 --warmup 3 --reps 15 --out /tmp/r6/op-$1 > /tmp/r6/op-$1.log 2>&1; echo "== $1"; grep -E "^(8k|16k|64k|128k|1M) +(attention|hyena) " /tmp/r6/op-$1.log | awk '{print $1, $2, $6, $7, $9, $10}' | tr '\n' ';'; echo; }
for i in 1 2 3; do op mlp-$i /tmp/hb/mlp; op b5-$i /tmp/hb/b5; done
timeout 100 /usr/local/cuda/bin/ncu --clock-control none --cache-control none -k regex:"hyena_filter_mlp" --metrics gpu__time_duration.sum --csv /tmp/hb/mlp/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/ncu-mlp > /tmp/r6/ncu-mlp.csv 2>/tmp/r6/ncu-mlp.err
grep -h "filter_mlp" /tmp/r6/ncu-mlp.csv | tail -2 | awk -F'","' '{print $5, $(NF)}'
pieces /tmp/hb/mlp 65536 pieces-mlp-65536
grep -h "fp32-ref\|bf16-auto" /tmp/pieces-mlp-65536.log | head -4 | cut -c1-200
timeout 100 /tmp/hb/mlp/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 32k --verify-length 65536 --warmup 1 --reps 3 --out /tmp/r6/ver-mlp > /tmp/r6/verify-mlp.log 2>&1; grep "length=64k  variant" /tmp/r6/verify-mlp.log
date -u +%H:%M:%S
gzip /tmp/r6/*.csv
tar -cJf $OUT/r6.tar.xz -C /tmp r6
