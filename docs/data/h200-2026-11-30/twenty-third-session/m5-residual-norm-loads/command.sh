set -u
mkdir -p /tmp/m5; OUTDIR=/tmp/m5; source build/gpu/device-env.sh
for v in rs rs2; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
md5sum /tmp/hb/*/Microsoft.ML.Hyena.dll
export CUDA_VISIBLE_DEVICES=0
date -u +%H:%M:%S
# 1. check-libtorch on rs2 (the residual gradient loaded with the row).
timeout 150 /tmp/hb/rs2/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/m5/check > /tmp/m5/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|must be identical\|add and layer norm node\|classifiers" /tmp/m5/check.log | cut -c1-420 | head -10
date -u +%H:%M:%S
# 2. Training: the publish (1168ebe), rs (1729144 + the final add apart) and rs2, alternating.
for r in 1 2; do for v in hyena-bench rs rs2; do
  timeout 60 /tmp/hb/$v/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/m5/train-$v-$r > /tmp/m5/train-$v-$r.log 2>&1
  echo "== train $v $r rc $?"; grep -E "^(16k|64k) " /tmp/m5/train-$v-$r.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
done; done
date -u +%H:%M:%S
# 3. The layer norm kernels in a Hyena step at 16k on rs2.
timeout 60 /usr/local/cuda/bin/ncu --clock-control none -k regex:layer_norm --metrics gpu__time_duration.sum,launch__registers_per_thread,dram__throughput.avg.pct_of_peak_sustained_elapsed --csv \
  /tmp/hb/rs2/Hyena.Benchmarks training --device cuda --lengths 16k --models hyena-bf16 --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/m5/tr > /tmp/m5/ncu-rs2.csv 2> /tmp/m5/ncu-rs2.err
echo "== ncu rs2 rc $?"
python3 - /tmp/m5/ncu-rs2.csv <<'PY'
import csv,sys,collections
rows=[r for r in csv.reader(open(sys.argv[1])) if len(r)>10]
h=rows[0]; ki=h.index("Kernel Name"); mi=h.index("Metric Name"); vi=h.index("Metric Value")
agg=collections.defaultdict(list)
for r in rows[1:]:
    try: agg[(r[ki][:48], r[mi])].append(float(r[vi].replace(",","")))
    except: pass
for (k,m),v in sorted(agg.items()): print(f"  {k} {m}: median {sorted(v)[len(v)//2]:.1f} min {min(v):.1f} max {max(v):.1f} (n={len(v)})")
PY
gzip -f /tmp/m5/ncu-rs2.csv; rm -rf /tmp/m5/tr
date -u +%H:%M:%S
tar -cJf $OUT/m5.tar.xz -C /tmp m5
