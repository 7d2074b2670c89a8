set -u
mkdir -p /tmp/s1; OUTDIR=/tmp/s1; source build/gpu/device-env.sh
rm -rf /tmp/hb/sb; cp -r /tmp/hb/hyena-bench /tmp/hb/sb && cp .gpu/sb/*.dll /tmp/hb/sb/
date -u +%H:%M:%S
timeout 150 /tmp/hb/sb/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/s1/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|short" /tmp/s1/check.log | cut -c1-300 | head -10
date -u +%H:%M:%S
# The backward kernel alone (Nsight Compute): time, DRAM throughput, registers, achieved occupancy, at 64k and 128k.
ncuk() { # name build env
  env $3 timeout 100 /usr/local/cuda/bin/ncu --clock-control none --print-units base --kernel-name regex:hyena_short --metrics \
    gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active \
    --csv /tmp/hb/$2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,128k --verify-length 0 \
    --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/ncu-out > /tmp/s1/ncu-$1.csv 2> /tmp/s1/ncu-$1.err
  echo "== ncu $1"; python3 - /tmp/s1/ncu-$1.csv <<'PY'
import csv, sys, collections
rows = [r for r in csv.reader(open(sys.argv[1])) if len(r) > 10]
h = rows[0]; ki = h.index("Kernel Name"); mi = h.index("Metric Name"); vi = h.index("Metric Value"); ii = h.index("ID")
by = collections.OrderedDict()
for r in rows[1:]: by.setdefault((r[ii], r[ki][:24]), {})[r[mi]] = r[vi]
big = [(k, v) for k, v in by.items() if float(v.get("gpu__time_duration.sum", "0").replace(",", "")) > 50000]
for k, v in big[-4:]: print(k[1], {m.split("__")[1][:14]: v[m] for m in v})
PY
}
ncuk old hyena-bench X=1
ncuk new3 sb X=1
ncuk new2 sb HYENA_NVRTC_OPTIONS=-DHYENA_SHORT_BWD_BLOCKS=2
ncuk new4 sb HYENA_NVRTC_OPTIONS=-DHYENA_SHORT_BWD_BLOCKS=4
date -u +%H:%M:%S
op() { timeout 100 env $4 /tmp/hb/$3/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths $2 --hyena-only-lengths 1M --verify-length 0 --warmup 3 --reps 15 --out /tmp/s1/op-$1 > /tmp/s1/op-$1.log 2>&1; echo "== $1"; grep -E "^(8k|16k|64k|128k|1M) +(attention|hyena) " /tmp/s1/op-$1.log | awk '{print $1, $2, $6, $7, $9, $10}' | tr '\n' ';'; echo; }
for i in 1 2 3; do op new-$i 64k,128k sb X=1; op old-$i 64k,128k hyena-bench X=1; done
date -u +%H:%M:%S
tar -cJf $OUT/s1.tar.xz -C /tmp s1
