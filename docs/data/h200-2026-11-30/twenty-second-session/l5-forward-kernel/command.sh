set -u
mkdir -p /tmp/l5; OUTDIR=/tmp/l5; source build/gpu/device-env.sh
rm -rf /tmp/hb/ln3; cp -r /tmp/hb/hyena-bench /tmp/hb/ln3 && cp .gpu/ln3/*.dll /tmp/hb/ln3/
md5sum /tmp/hb/*/Microsoft.ML.Hyena.dll
date -u +%H:%M:%S
# 1. check-libtorch on the layer norm's forward kernel (ln3).
timeout 150 /tmp/hb/ln3/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/l5/check > /tmp/l5/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|layer norm node" /tmp/l5/check.log | cut -c1-330 | head -9
date -u +%H:%M:%S
# 2. Training: the publish of f5b7a27 against ln3, alternating.
for r in 1 2; do for v in hyena-bench ln3; do
  timeout 60 /tmp/hb/$v/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/l5/train-$v-$r > /tmp/l5/train-$v-$r.log 2>&1
  echo "== train $v $r rc $?"; grep -E "^(16k|64k) " /tmp/l5/train-$v-$r.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
done; done
date -u +%H:%M:%S
timeout 60 /usr/local/cuda/bin/ncu --clock-control none -k regex:layer_norm \
    --metrics gpu__time_duration.sum,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,dram__throughput.avg.pct_of_peak_sustained_elapsed --csv \
    /tmp/hb/ln3/Hyena.Benchmarks training --device cuda --lengths 16k --models hyena-bf16 --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/l5/tr > /tmp/l5/ncu-ln3.csv 2> /tmp/l5/ncu-ln3.err
echo "== ncu ln3 rc $?"
python3 - /tmp/l5/ncu-ln3.csv <<'PY'
import csv,sys,collections
rows=[r for r in csv.reader(open(sys.argv[1])) if len(r)>10]
h=rows[0]; ki=h.index("Kernel Name"); mi=h.index("Metric Name"); vi=h.index("Metric Value")
agg=collections.defaultdict(list)
for r in rows[1:]:
    try: agg[(r[ki][:40], r[mi])].append(float(r[vi].replace(",","")))
    except: pass
for (k,m),v in sorted(agg.items()): print(f"  {k} {m}: median {sorted(v)[len(v)//2]:.1f} (n={len(v)})")
PY
rm -rf /tmp/l5/tr; gzip -f /tmp/l5/*.csv
tar -cJf $OUT/l5.tar.xz -C /tmp l5
