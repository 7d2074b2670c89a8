set -u
ls /tmp/fmnist > /dev/null || { echo "no /tmp/fmnist: stage it first"; exit 1; }
mkdir -p /tmp/l1; OUTDIR=/tmp/l1; source build/gpu/device-env.sh
H=$HB
rm -rf /tmp/hb/base; cp -r /tmp/hb/hyena-bench /tmp/hb/base && cp .gpu/base/*.dll /tmp/hb/base/
md5sum $H/Microsoft.ML.Hyena.dll /tmp/hb/base/Microsoft.ML.Hyena.dll
nvidia-smi --query-gpu=index,name --format=csv,noheader
date -u +%H:%M:%S
# GPU 1, beside the rest: results.md's Fashion-MNIST command on the publish of f5b7a27.
(CUDA_VISIBLE_DEVICES=1 timeout 580 $H/SequentialFashionMnist --data /tmp/fmnist --device cuda:0 --no-baselines --total-minutes 9.2 --epochs 60 --width 128 --depth 4 --learning-rate 4e-3 --batch-size 256 --out /tmp/l1/fmnist-b256 > /tmp/l1/fmnist-b256.log 2>&1; echo "fmnist rc $?" >> /tmp/l1/fmnist-b256.log) &
export CUDA_VISIBLE_DEVICES=0
# 1. check-libtorch on the publish (the one-pass layer norm kernel; the review mend's CUDA paths), then with cuBLASLt off.
timeout 150 $H/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/l1/check > /tmp/l1/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|layer norm node" /tmp/l1/check.log | cut -c1-360 | head -12
date -u +%H:%M:%S
HYENA_CUBLASLT=0 timeout 150 $H/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/l1/check-nolt > /tmp/l1/check-nolt.log 2>&1; echo "check cublaslt=0 rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound" /tmp/l1/check-nolt.log | cut -c1-300 | head -6
date -u +%H:%M:%S
# 2. Training: e5de7f3 (two-pass layer norm) against the publish (one pass), alternating.
for r in 1 2; do for v in base hyena-bench; do
  timeout 60 /tmp/hb/$v/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/l1/train-$v-$r > /tmp/l1/train-$v-$r.log 2>&1
  echo "== train $v $r rc $?"; grep -E "^(16k|64k) " /tmp/l1/train-$v-$r.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
done; done
date -u +%H:%M:%S
# 3. The layer norm kernels' times, registers, occupancy and DRAM throughput in a Hyena step at 16k, both builds.
for v in base hyena-bench; do
  timeout 70 /usr/local/cuda/bin/ncu --clock-control none -k regex:layer_norm \
    --metrics gpu__time_duration.sum,launch__registers_per_thread,sm__warps_active.avg.pct_of_peak_sustained_active,dram__throughput.avg.pct_of_peak_sustained_elapsed,launch__grid_size --csv \
    /tmp/hb/$v/Hyena.Benchmarks training --device cuda --lengths 16k --models hyena-bf16 --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/l1/tr > /tmp/l1/ncu-$v.csv 2> /tmp/l1/ncu-$v.err
  echo "== ncu $v rc $?"
  python3 - /tmp/l1/ncu-$v.csv <<'PY'
import csv,sys,collections
rows=[r for r in csv.reader(open(sys.argv[1])) if len(r)>10]
h=rows[0]; ki=h.index("Kernel Name"); mi=h.index("Metric Name"); vi=h.index("Metric Value")
agg=collections.defaultdict(list)
for r in rows[1:]:
    try: agg[(r[ki][:48], r[mi])].append(float(r[vi].replace(",","")))
    except: pass
for (k,m),v in sorted(agg.items()): print(f"  {k} {m}: median {sorted(v)[len(v)//2]:.1f} (n={len(v)})")
PY
done
rm -rf /tmp/l1/tr; gzip -f /tmp/l1/*.csv
date -u +%H:%M:%S
wait
date -u +%H:%M:%S
tail -n 6 /tmp/l1/fmnist-b256.log | cut -c1-200
rm -f /tmp/l1/*/model.zip; find /tmp/l1 -name '*.png' -delete
tar -cJf $OUT/l1.tar.xz -C /tmp l1
