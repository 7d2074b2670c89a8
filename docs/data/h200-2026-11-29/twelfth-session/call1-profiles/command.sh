set -u
mkdir -p /tmp/o $OUT/p64 $OUT/p1m; OUTDIR=/tmp/o; source build/gpu/device-env.sh
date -u +%H:%M:%S
build/gpu/run-profile.sh $OUT/p64 64k > $OUT/profile-64k.txt 2>&1
date -u +%H:%M:%S
ARGS="operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/prof-out2"
timeout 200 /usr/local/cuda/bin/ncu --clock-control none --section SpeedOfLight --section MemoryWorkloadAnalysis --section Occupancy --section LaunchStats --section WarpStateStats --section SchedulerStats -k regex:"hyena_short|hyena_widen|hyena_bias|reduce_kernel|copy_kernel" -c 12 $HB/Hyena.Benchmarks $ARGS > $OUT/ncu-short.txt 2>&1
date -u +%H:%M:%S
build/gpu/run-profile.sh $OUT/p1m 1M > $OUT/profile-1m.txt 2>&1
date -u +%H:%M:%S
head -45 $OUT/profile-64k.txt; head -40 $OUT/profile-1m.txt
grep -E "^  hyena|^  void|Duration|Memory Throughput|DRAM Throughput|Achieved Occupancy|Registers Per|Theoretical Occ|Block Size|Grid Size|Compute \(SM\)" $OUT/ncu-short.txt | head -120
