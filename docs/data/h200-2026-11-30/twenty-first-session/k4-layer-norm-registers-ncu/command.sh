set -u
mkdir -p /tmp/k4; OUTDIR=/tmp/k4; source build/gpu/device-env.sh
rm -rf /tmp/hb/ln2; cp -r /tmp/hb/hyena-bench /tmp/hb/ln2 && cp .gpu/ln2/*.dll /tmp/hb/ln2/
md5sum /tmp/hb/ln2/Microsoft.ML.Hyena.dll
date -u +%H:%M:%S
# The layer norm's kernels of ed4f1f0 as compiled, and with NVRTC capping their registers (HYENA_NVRTC_OPTIONS, every
# kernel of the build: only these two are profiled), in a training step of the Hyena classifier at 16k.
for opt in none 80 64; do
  o=""; [ $opt = none ] || o="--maxrregcount=$opt"
  HYENA_NVRTC_OPTIONS="$o" timeout 70 /usr/local/cuda/bin/ncu --clock-control none -k regex:hyena_layer_norm \
    --metrics gpu__time_duration.sum,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,dram__throughput.avg.pct_of_peak_sustained_elapsed --csv \
    /tmp/hb/ln2/Hyena.Benchmarks training --device cuda --lengths 16k --models hyena-bf16 --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/k4/tr > /tmp/k4/ncu-$opt.csv 2> /tmp/k4/ncu-$opt.err
  echo "== maxrregcount $opt rc $?"
  python3 - /tmp/k4/ncu-$opt.csv <<'PY'
import csv,sys,collections
rows=[r for r in csv.reader(open(sys.argv[1])) if len(r)>10]
h=rows[0]; ki=h.index("Kernel Name"); mi=h.index("Metric Name"); vi=h.index("Metric Value")
agg=collections.defaultdict(list)
for r in rows[1:]:
    try: agg[(r[ki][:40], r[mi])].append(float(r[vi].replace(",","")))
    except: pass
for (k,m),v in sorted(agg.items()): print(f"  {k} {m}: median {sorted(v)[len(v)//2]:.1f} (n={len(v)})")
PY
done
rm -rf /tmp/k4/tr; gzip -f /tmp/k4/*.csv
date -u +%H:%M:%S
tar -cJf $OUT/k4.tar.xz -C /tmp k4
