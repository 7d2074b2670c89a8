set -u
mkdir -p /tmp/l3; OUTDIR=/tmp/l3; source build/gpu/device-env.sh
H=$HB
# The one-pass layer norm kernel as compiled, and with NVRTC capping registers (every kernel of the build; only the
# layer norm's are profiled), in a Hyena training step at 16k.
for opt in none 128 96; do
  o=""; [ $opt = none ] || o="--maxrregcount=$opt"
  HYENA_NVRTC_OPTIONS="$o" timeout 70 /usr/local/cuda/bin/ncu --clock-control none -k regex:hyena_layer_norm \
    --metrics gpu__time_duration.sum,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,dram__throughput.avg.pct_of_peak_sustained_elapsed --csv \
    $H/Hyena.Benchmarks training --device cuda --lengths 16k --models hyena-bf16 --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/l3/tr > /tmp/l3/ncu-$opt.csv 2> /tmp/l3/ncu-$opt.err
  echo "== maxrregcount $opt rc $?"
  python3 - /tmp/l3/ncu-$opt.csv <<'PY'
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
rm -rf /tmp/l3/tr; gzip -f /tmp/l3/*.csv
tar -cJf $OUT/l3.tar.xz -C /tmp l3
