set -u
mkdir -p /tmp/l4; OUTDIR=/tmp/l4; source build/gpu/device-env.sh
rm -rf /tmp/hb/lb2; cp -r /tmp/hb/hyena-bench /tmp/hb/lb2 && cp .gpu/lb2/*.dll /tmp/hb/lb2/
md5sum /tmp/hb/*/Microsoft.ML.Hyena.dll
date -u +%H:%M:%S
# 1. check-libtorch on __launch_bounds__(256, 2) for the one-pass layer norm kernel.
timeout 150 /tmp/hb/lb2/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/l4/check > /tmp/l4/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|layer norm node" /tmp/l4/check.log | cut -c1-300 | head -9
date -u +%H:%M:%S
# 2. Training: the publish of f5b7a27 against the bound, alternating.
for r in 1 2; do for v in hyena-bench lb2; do
  timeout 60 /tmp/hb/$v/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/l4/train-$v-$r > /tmp/l4/train-$v-$r.log 2>&1
  echo "== train $v $r rc $?"; grep -E "^(16k|64k) " /tmp/l4/train-$v-$r.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
done; done
date -u +%H:%M:%S
timeout 70 /usr/local/cuda/bin/ncu --clock-control none -k regex:hyena_layer_norm \
    --metrics gpu__time_duration.sum,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,dram__throughput.avg.pct_of_peak_sustained_elapsed --csv \
    /tmp/hb/lb2/Hyena.Benchmarks training --device cuda --lengths 16k --models hyena-bf16 --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/l4/tr > /tmp/l4/ncu-lb2.csv 2> /tmp/l4/ncu-lb2.err
echo "== ncu lb2 rc $?"
python3 - /tmp/l4/ncu-lb2.csv <<'PY'
import csv,sys,collections
rows=[r for r in csv.reader(open(sys.argv[1])) if len(r)>10]
h=rows[0]; ki=h.index("Kernel Name"); mi=h.index("Metric Name"); vi=h.index("Metric Value")
agg=collections.defaultdict(list)
for r in rows[1:]:
    try: agg[(r[ki][:40], r[mi])].append(float(r[vi].replace(",","")))
    except: pass
for (k,m),v in sorted(agg.items()): print(f"  {k} {m}: median {sorted(v)[len(v)//2]:.1f} (n={len(v)})")
PY
rm -rf /tmp/l4/tr; gzip -f /tmp/l4/*.csv
tar -cJf $OUT/l4.tar.xz -C /tmp l4
