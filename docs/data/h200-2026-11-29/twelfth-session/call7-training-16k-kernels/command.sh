set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
date -u +%H:%M:%S
ARGS="training --device cuda --lengths 16k --models hyena-bf16 --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/tr"
timeout 400 /usr/local/cuda/bin/ncu --clock-control none --metrics gpu__time_duration.sum --csv $HB/Hyena.Benchmarks $ARGS > /tmp/tr-ncu.csv 2> /tmp/tr-ncu.err
echo "ncu rc $?"; tail -2 /tmp/tr-ncu.err; date -u +%H:%M:%S
gzip -c /tmp/tr-ncu.csv > $OUT/training-16k-ncu.csv.gz
python3 - /tmp/tr-ncu.csv <<'PY' | tee $OUT/training-16k-summary.txt
import csv, sys, collections
rows=[r for r in csv.reader(open(sys.argv[1])) if len(r) > 10]
h=rows[0]; ki=h.index("Kernel Name"); vi=h.index("Metric Value")
seq=[(r[ki], float(r[vi].replace(",",""))) for r in rows[1:] if r[vi].replace(",","").replace(".","").isdigit()]
print(f"kernels {len(seq)}, total {sum(v for _,v in seq)/1e6:.2f} ms (three steps and the model's setup)")
# steps: the AdamW step ends each; find the cross-entropy / embedding kernel that starts each forward
starts=[i for i,(n,_) in enumerate(seq) if "embedding" in n.lower() and "backward" not in n.lower()]
print("embedding forward kernels at", starts[:10])
bounds=starts+[len(seq)]
for a,b in zip(bounds, bounds[1:]):
    print(f"step from kernel {a}: {b-a} kernels, {sum(v for _,v in seq[a:b])/1e6:.2f} ms")
if len(starts) >= 2:
    a,b=starts[-2],starts[-1]
    cat=collections.defaultdict(float); cnt=collections.Counter()
    for n,v in seq[a:b]:
        k = "hyena four-step/on-chip" if ("fourstep" in n or "onchip" in n) else "hyena other kernels" if n.startswith("hyena_") else "gemm" if any(t in n for t in ["nvjet","gemm","sgemm","splitK","cutlass","xmma"]) else "adam/foreach" if ("foreach" in n.lower() or "adam" in n.lower() or "multi_tensor" in n.lower()) else "norm" if "norm" in n.lower() else "elementwise/copy" if ("elementwise" in n or "copy" in n) else "reduce" if "reduce" in n else n[:50]
        cat[k]+=v; cnt[k]+=1
    for k,v in sorted(cat.items(), key=lambda kv:-kv[1]): print(f"  {v/1e3:9.1f} us  {cnt[k]:5d}  {k}")
PY
tail -5 /tmp/tr/training.csv 2>/dev/null
