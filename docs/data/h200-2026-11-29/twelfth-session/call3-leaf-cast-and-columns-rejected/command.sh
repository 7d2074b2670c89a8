set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
for b in base new; do [ -d /tmp/hb/$b ] || { cp -r /tmp/hb/hyena-bench /tmp/hb/$b && cp .gpu/$b/*.dll /tmp/hb/$b/; }; done
timeout 150 /tmp/hb/new/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > $OUT/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|Exception\|FAIL" $OUT/check.log | head -5
for i in 1 2; do for b in new base; do
  timeout 120 /tmp/hb/$b/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,1M --verify-length 0 --warmup 2 --reps 10 --out /tmp/op-$b-$i > $OUT/op-$b-$i.log 2>&1
  echo "== $b $i"; grep -E "^(64k|1M) " $OUT/op-$b-$i.log
done; done
for L in 65536 1048576; do
timeout 150 /tmp/hb/new/Hyena.Benchmarks host-overhead --device cuda --width 768 --length $L --filter-order 64 --warmup 2 --reps 10 --pieces false --reference false --out /tmp/ho-$L > $OUT/ho-$L.log 2>&1
grep "operator" $OUT/ho-$L.log
done
ARGS="operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/prof-out3"
timeout 200 /usr/local/cuda/bin/ncu --clock-control none --section SpeedOfLight --section MemoryWorkloadAnalysis --section Occupancy --section LaunchStats --section WarpStateStats -k regex:"hyena_short" --launch-skip 4 -c 2 /tmp/hb/new/Hyena.Benchmarks $ARGS > $OUT/ncu-short.txt 2>&1
grep -E "^  hyena|Duration|Memory Throughput|DRAM Throughput|L1/TEX Hit|L2 Hit|Achieved Occupancy|Registers Per|Theoretical Occ|Compute \(SM\)|Stall|Warp Cycles Per Issued" $OUT/ncu-short.txt | head -60
