set -u
mkdir -p /tmp/u1; OUTDIR=/tmp/u1; source build/gpu/device-env.sh
for v in mlp pk; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S
timeout 170 /tmp/hb/pk/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/u1/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound" /tmp/u1/check.log | cut -c1-330 | head -8
grep -h "bfloat16 filter, L=65536\|four-step kernels L=65536\|long convolution BFloat16 L=65536\|long convolution BFloat16 L=1048576" /tmp/u1/check.log | cut -c1-420
op() { timeout 150 $2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 8k,16k,64k,128k --hyena-only-lengths 1M --verify-length 0 --warmup 3 --reps 15 --out /tmp/u1/op-$1 > /tmp/u1/op-$1.log 2>&1; echo "== $1"; grep -E "^(8k|16k|64k|128k|1M) +(attention|hyena) " /tmp/u1/op-$1.log | awk '{print $1, $2, $6, $7, $9, $10}' | tr '\n' ';'; echo; }
for i in 1 2 3; do op pk-$i /tmp/hb/pk; op mlp-$i /tmp/hb/mlp; done
date -u +%H:%M:%S
timeout 100 /usr/local/cuda/bin/ncu --clock-control none --cache-control none -k regex:"hyena_fourstep" --metrics gpu__time_duration.sum --csv /tmp/hb/pk/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/ncu-pk > /tmp/u1/ncu-pk.csv 2>/tmp/u1/ncu-pk.err
grep -h "fourstep" /tmp/u1/ncu-pk.csv | tail -12 | awk -F'","' '{print $5, $(NF)}'
for v in pk mlp; do timeout 100 /tmp/hb/$v/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 32k --verify-length 65536 --warmup 1 --reps 3 --out /tmp/u1/ver-$v > /tmp/u1/verify-$v.log 2>&1; grep "length=64k  variant" /tmp/u1/verify-$v.log; done
date -u +%H:%M:%S
gzip /tmp/u1/*.csv
tar -cJf $OUT/u1.tar.xz -C /tmp u1
