set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > "$OUT/check.log" 2>&1; echo "check rc $?"
grep -h "option matrix:\|Exception\|FAIL" $OUT/check.log | grep -v 8388608 | cut -c1-200 | head -8
grep -h "on-chip long convolution" $OUT/check.log | grep -v 8388608 | sed 's/.*: relative/relative/' | cut -c1-200 | head -30
for b in base; do [ -d /tmp/hb/$b ] || { cp -r /tmp/hb/hyena-bench /tmp/hb/$b && cp .gpu/$b/*.dll /tmp/hb/$b/; }; done
for i in 1 2 3; do for b in new base; do dir=$HB; [ $b != new ] && dir=/tmp/hb/$b
  pieces "$dir" 65536 "p64-$b-$i"; echo "== 64k $b $i $(grep 'operator forward+backward.*bf16-auto' /tmp/p64-$b-$i.log | grep -v piece=)"; done; done
grep -h "convolution node, bf16, forward+backward  *on-chip" /tmp/p64-new-1.log /tmp/p64-base-1.log /tmp/p64-fast.log
ARGS="operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/prof-out"
for b in new base; do dir=$HB; [ $b != new ] && dir=/tmp/hb/$b
  timeout 200 /usr/local/cuda/bin/ncu --clock-control none --metrics gpu__time_duration.sum -k regex:"hyena_fourstep|hyena_bias|hyena_widen" --csv $dir/Hyena.Benchmarks $ARGS > /tmp/ncu-$b.csv 2>/dev/null
  python3 - /tmp/ncu-$b.csv $b <<'PY'
import csv, sys, collections
rows=[r for r in csv.reader(open(sys.argv[1])) if len(r) > 10]
h=rows[0]; ki=h.index("Kernel Name"); vi=h.index("Metric Value")
tot=collections.defaultdict(float); cnt=collections.Counter()
for r in rows[1:]:
    try: v=float(r[vi].replace(",",""))
    except ValueError: continue
    tot[r[ki][:60]]+=v; cnt[r[ki][:60]]+=1
for k,v in sorted(tot.items(), key=lambda kv:-kv[1]): print(f"{sys.argv[2]} {v/1e3:9.1f} us {cnt[k]:4d} {k}")
PY
done
cp /tmp/p64-new-1.log /tmp/p64-base-1.log $OUT/
