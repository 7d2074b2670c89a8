set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
rm -rf /tmp/hb/new; cp -r /tmp/hb/hyena-bench /tmp/hb/new && cp .gpu/new/*.dll /tmp/hb/new/
NCU=/usr/local/cuda/bin/ncu
op() { timeout 150 $2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,128k,1M --verify-length 0 --warmup 2 --reps 10 --out /tmp/op-$1 > /tmp/o/op-$1.log 2>&1; echo "== $1 $(grep -E '^(64k|128k|1M) .*fwd\+bwd' /tmp/o/op-$1.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
op new-1 /tmp/hb/new; op base-1 $HB; op new-2 /tmp/hb/new; op base-2 $HB
export HYENA_NVRTC_OPTIONS="-lineinfo"
ARGS="operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/prof-out"
timeout 200 $NCU --section SourceCounters --section WarpStateStats --section ComputeWorkloadAnalysis --section LaunchStats --section Occupancy --section SpeedOfLight --section MemoryWorkloadAnalysis \
  -k regex:"hyena_short_(fwd|bwd)_bf16" -c 2 -o /tmp/o/rep /tmp/hb/new/Hyena.Benchmarks $ARGS > /tmp/o/ncu.log 2>&1; echo "ncu rc $?"
$NCU -i /tmp/o/rep.ncu-rep --print-details all > /tmp/o/details.txt 2>&1
for k in hyena_short_fwd_bf16 hyena_short_bwd_bf16; do $NCU -i /tmp/o/rep.ncu-rep -k "$k" -c 1 --page source --csv --print-source cuda,sass > /tmp/o/srcl-$k.csv 2>&1; done
rm -f /tmp/o/rep.ncu-rep /tmp/o/nvidia-smi.csv
grep -E "^  hyena|Duration|DRAM Throughput|Issue Slots Busy|Achieved Occupancy|Registers Per|L1/TEX Hit|Mem Busy|Max Bandwidth|Stall Long|Stall Not|Stall Barrier|Stall LG|Stall MIO" /tmp/o/details.txt | grep -v pcsamp | cut -c1-120
tar -cJf $OUT/p3.tar.xz -C /tmp/o .
