set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
for L in 64k 1M; do
for R in 1 4; do
SHIM_LOG=$OUT/shim-$L-r$R.log SHIM_SUMMARY=$OUT/shim-$L-r$R-summary.txt LD_PRELOAD=$PWD/.gpu/shim/libshim.so timeout 200 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths $L --verify-length 0 --warmup 1 --reps $R --max-seconds 0.1 --out /tmp/sh-$L-$R > $OUT/op-$L-r$R.log 2>&1
echo "== $L reps $R"; cat $OUT/shim-$L-r$R-summary.txt; grep -i "forward+backward" $OUT/op-$L-r$R.log | tail -2
done; done
