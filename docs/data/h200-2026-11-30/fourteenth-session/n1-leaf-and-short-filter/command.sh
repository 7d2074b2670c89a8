set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
for v in leaf new; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S
timeout 150 /tmp/hb/new/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/o/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL" /tmp/o/check.log | cut -c1-200 | head -8
grep -h "NVRTC short-filter kernel" /tmp/o/check.log | cut -c1-260 | head -4
op() { timeout 120 $2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,128k,1M --verify-length 0 --warmup 2 --reps 10 --out /tmp/op-$1 > /tmp/o/op-$1.log 2>&1; echo "== $1 $(grep -E '^(64k|128k|1M) .*fwd\+bwd' /tmp/o/op-$1.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2; do op new-$i /tmp/hb/new; op leaf-$i /tmp/hb/leaf; op base-$i $HB; done
date -u +%H:%M:%S
for v in base new; do B=$HB; [ $v = new ] && B=/tmp/hb/new
timeout 150 /usr/local/cuda/bin/ncu --clock-control none --cache-control none -k regex:"hyena_short|hyena_widen|hyena_bias_grad" --metrics gpu__time_duration.sum,dram__throughput.avg.pct_of_peak_sustained_elapsed,sm__throughput.avg.pct_of_peak_sustained_elapsed --csv $B/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/ncu-$v > /tmp/o/ncu-$v.csv 2>/tmp/o/ncu-$v.err
python3 - /tmp/o/ncu-$v.csv $v <<'PY'
import csv, sys
rows=[r for r in csv.reader(open(sys.argv[1])) if len(r)>10]
h=rows[0]; k=h.index("Kernel Name"); m=h.index("Metric Name"); v=h.index("Metric Value"); g=h.index("Grid Size") if "Grid Size" in h else None
last={}
for r in rows[1:]:
    last.setdefault((r[k],r[g] if g is not None else ''),{})[r[m]]=r[v]
for (name,grid),d in last.items(): print(sys.argv[2], name, grid, d)
PY
done
date -u +%H:%M:%S
tar -cJf $OUT/n1.tar.xz -C /tmp/o .
