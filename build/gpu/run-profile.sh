#!/usr/bin/env bash
# Per-kernel GPU time of the default bfloat16 operator (bf16-auto), forward+backward, at one length on one GPU: the
# operator verb under Nsight Systems (kernel summary: total time, calls, average per kernel name), or, where nsys is
# missing, under Nsight Compute with one duration metric per kernel. The 2k cell (with attention) is tiny next to it.
# Usage, in the repository copy on the device, with .gpu/ carried: build/gpu/run-profile.sh "$OUT" [length, default 64k]
set -u
OUTDIR="${1:?output folder}"
LEN="${2:-64k}"
source "$(dirname "$0")/device-env.sh"
ARGS="operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths $LEN --verify-length 0 --warmup 1 --reps 1 --max-seconds 0.1 --out /tmp/prof-out"
NSYS=$(command -v nsys || ls /usr/local/cuda/bin/nsys /opt/nvidia/nsight-systems/*/bin/nsys /usr/local/cuda/nsight-systems*/bin/nsys 2>/dev/null | head -n 1)
if [ -n "$NSYS" ]; then
  echo "nsys: $NSYS"
  timeout 240 "$NSYS" profile -t cuda -s none --cpuctxsw=none -o /tmp/prof --force-overwrite true $HB/Hyena.Benchmarks $ARGS > /tmp/prof.log 2>&1
  tail -n 5 /tmp/prof.log
  "$NSYS" stats --report cuda_gpu_kern_sum --format csv -o /tmp/kern /tmp/prof.nsys-rep > /dev/null 2>&1
  "$NSYS" stats --report cuda_gpu_kern_sum /tmp/prof.nsys-rep 2>/dev/null | cut -c1-220 | head -n 60
  cp /tmp/kern*.csv "$OUTDIR/kernels-$LEN.csv" 2>/dev/null
else
  NCU=/usr/local/cuda/bin/ncu
  echo "no nsys; $NCU with gpu__time_duration per kernel"
  timeout 400 $NCU --clock-control none --cache-control none --metrics gpu__time_duration.sum --csv $HB/Hyena.Benchmarks $ARGS > /tmp/ncu.csv 2> /tmp/ncu.err
  tail -n 3 /tmp/ncu.err
  cp /tmp/ncu.csv "$OUTDIR/kernels-$LEN-ncu.csv"
  python3 - /tmp/ncu.csv <<'PY'
import csv, sys, collections
tot = collections.defaultdict(float); cnt = collections.Counter()
rows = [r for r in csv.reader(open(sys.argv[1])) if len(r) > 10]
head = rows[0]; ki = head.index("Kernel Name"); vi = head.index("Metric Value")
for r in rows[1:]:
    try: v = float(r[vi].replace(",", ""))
    except ValueError: continue
    tot[r[ki][:90]] += v; cnt[r[ki][:90]] += 1
s = sum(tot.values())
for k, v in sorted(tot.items(), key=lambda kv: -kv[1])[:30]:
    print(f"{100*v/s:6.2f}%  {v/1e3:10.1f} us  {cnt[k]:5d}  {k}")
# The last forward+backward pass at the long length, kernel by kernel (it starts after the last randn of its input).
seq = [(r[ki], float(r[vi].replace(",", ""))) for r in rows[1:] if r[vi].replace(",", "").replace(".", "").isdigit()]
starts = [i for i, (n, _) in enumerate(seq) if "normal_and_transform" in n]
last = seq[starts[-1]:] if starts else seq[-120:]
print(f"last pass: {len(last)} kernels, {sum(v for _, v in last)/1e3:.1f} us")
for n, v in last:
    print(f"{v/1e3:9.1f} us  {n[:110]}")
PY
fi
