set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
NCU=/usr/local/cuda/bin/ncu
$NCU --version > /tmp/o/ncu-version.txt 2>&1
$NCU --help > /tmp/o/ncu-help.txt 2>&1
export HYENA_NVRTC_OPTIONS="-lineinfo"
ARGS="operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/prof-out"
timeout 300 $NCU --section SourceCounters --section InstructionStats --section WarpStateStats --section ComputeWorkloadAnalysis \
  -k regex:"hyena_fourstep_rows$|hyena_fourstep_columns_forward_bf16|hyena_fourstep_columns_inverse_bf16|hyena_fourstep_rows_spectrum|hyena_fourstep_columns_forward_filter" \
  -c 5 -o /tmp/o/rep $HB/Hyena.Benchmarks $ARGS > /tmp/o/ncu.log 2>&1; echo "ncu rc $?"
tail -5 /tmp/o/ncu.log
$NCU -i /tmp/o/rep.ncu-rep --print-details all > /tmp/o/details.txt 2>&1; echo "details rc $?"
for k in hyena_fourstep_rows hyena_fourstep_columns_forward_bf16 hyena_fourstep_columns_inverse_bf16 hyena_fourstep_rows_spectrum hyena_fourstep_columns_forward_filter_bf16; do
  $NCU -i /tmp/o/rep.ncu-rep -k "$k" -c 1 --page source --csv --print-source sass > /tmp/o/src-$k.csv 2>&1; echo "$k sass rc $? $(wc -l < /tmp/o/src-$k.csv)"
  $NCU -i /tmp/o/rep.ncu-rep -k "$k" -c 1 --page source --csv --print-source cuda,sass > /tmp/o/srcl-$k.csv 2>&1; echo "$k cuda,sass rc $? $(wc -l < /tmp/o/srcl-$k.csv)"
done
head -c 600 /tmp/o/src-hyena_fourstep_rows.csv; echo; head -c 600 /tmp/o/srcl-hyena_fourstep_rows.csv; echo
rm -f /tmp/o/nvidia-smi.csv
tar -cJf $OUT/p1.tar.xz -C /tmp/o .
ls -la /tmp/o
