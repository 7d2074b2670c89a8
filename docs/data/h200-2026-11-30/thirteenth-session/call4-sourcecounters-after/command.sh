set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
rm -rf /tmp/hb/new; cp -r /tmp/hb/hyena-bench /tmp/hb/new && cp .gpu/new/*.dll /tmp/hb/new/
NCU=/usr/local/cuda/bin/ncu
export HYENA_NVRTC_OPTIONS="-lineinfo"
for LEN in 64k 1M; do
ARGS="operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths $LEN --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/prof-out"
timeout 280 $NCU --section SourceCounters --section WarpStateStats --section ComputeWorkloadAnalysis --section LaunchStats --section Occupancy --section SpeedOfLight \
  -k regex:"hyena_fourstep_rows_4096$|hyena_fourstep_columns_forward_bf16|hyena_fourstep_columns_inverse_bf16|hyena_fourstep_rows_spectrum_4096|hyena_fourstep_columns_forward_filter_bf16|hyena_fourstep_columns_inverse_filter_bf16|hyena_fourstep_rows_inverse_4096" \
  -c 7 -o /tmp/o/rep-$LEN /tmp/hb/new/Hyena.Benchmarks $ARGS > /tmp/o/ncu-$LEN.log 2>&1; echo "ncu $LEN rc $?"
$NCU -i /tmp/o/rep-$LEN.ncu-rep --print-details all > /tmp/o/details-$LEN.txt 2>&1
for k in hyena_fourstep_rows_4096 hyena_fourstep_columns_forward_bf16 hyena_fourstep_columns_inverse_bf16 hyena_fourstep_rows_spectrum_4096 hyena_fourstep_columns_forward_filter_bf16 hyena_fourstep_columns_inverse_filter_bf16 hyena_fourstep_rows_inverse_4096; do
  $NCU -i /tmp/o/rep-$LEN.ncu-rep -k "$k" -c 1 --page source --csv --print-source cuda,sass > /tmp/o/srcl-$LEN-$k.csv 2>&1
done
rm -f /tmp/o/rep-$LEN.ncu-rep
done
grep -E "^  hyena|Duration|Registers Per|Achieved Occ|Issue Slots Busy" /tmp/o/details-*.txt | cut -c1-150
rm -f /tmp/o/nvidia-smi.csv
tar -cJf $OUT/p2.tar.xz -C /tmp/o .
