set -u
mkdir -p /tmp/k3; OUTDIR=/tmp/k3; source build/gpu/device-env.sh
for v in base ln2; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
md5sum /tmp/hb/*/Microsoft.ML.Hyena.dll
date -u +%H:%M:%S
# 1. check-libtorch on the second form of the layer norm's input-gradient kernel (the row in registers, as vectors).
timeout 150 /tmp/hb/ln2/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/k3/check > /tmp/k3/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|layer norm node" /tmp/k3/check.log | cut -c1-300 | head -8
date -u +%H:%M:%S
# 2. Training: 9b3f361 (no layer norm node) against the second form, alternating; the publish of 03de6be (first form) once.
for r in 1 2; do for v in base ln2; do
  timeout 60 /tmp/hb/$v/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/k3/train-$v-$r > /tmp/k3/train-$v-$r.log 2>&1
  echo "== train $v $r rc $?"; grep -E "^(16k|64k) " /tmp/k3/train-$v-$r.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
done; done
date -u +%H:%M:%S
timeout 60 /usr/local/cuda/bin/ncu --clock-control none --metrics gpu__time_duration.sum --csv -k regex:layer_norm /tmp/hb/ln2/Hyena.Benchmarks training --device cuda --lengths 16k --models hyena-bf16 --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/k3/tr > /tmp/k3/ncu-ln.csv 2> /tmp/k3/ncu.err
echo "ncu rc $?"; grep -o '"[a-z_:<>]*layer_norm[a-z_]*[^"]*","[^"]*","[^"]*","[^"]*","[^"]*","[^"]*","[^"]*","[^"]*","[^"]*","[^"]*"' /tmp/k3/ncu-ln.csv | head -0
python3 - <<'PY'
import csv,collections
rows=[r for r in csv.reader(open('/tmp/k3/ncu-ln.csv')) if len(r)>10]
h=rows[0]; ki=h.index("Kernel Name"); vi=h.index("Metric Value")
agg=collections.defaultdict(list)
for r in rows[1:]:
    try: agg[r[ki][:60]].append(float(r[vi].replace(",","")))
    except: pass
for k,v in agg.items(): print(f"{k}: n={len(v)} median {sorted(v)[len(v)//2]/1000:.1f} us")
PY
rm -rf /tmp/k3/tr; gzip -f /tmp/k3/ncu-ln.csv
tar -cJf $OUT/k3.tar.xz -C /tmp k3
