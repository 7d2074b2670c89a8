set -u
mkdir -p /tmp/m1; OUTDIR=/tmp/m1; source build/gpu/device-env.sh
H=$HB
rm -rf /tmp/hb/base; cp -r /tmp/hb/hyena-bench /tmp/hb/base && cp .gpu/base/*.dll /tmp/hb/base/
md5sum $H/Microsoft.ML.Hyena.dll /tmp/hb/base/Microsoft.ML.Hyena.dll
nvidia-smi --query-gpu=index,name --format=csv,noheader
date -u +%H:%M:%S
# GPU 1, beside the rest: results.md's recorded million-token recall recipe on the publish of e986f2c.
(CUDA_VISIBLE_DEVICES=1 timeout 560 $H/AssociativeRecall --device cuda:0 --length 1048576 --train 250 --test 100 --batch-size 2 --warmup-batch-size 32 \
    --warmup-length 1024 --warmup-train 16000 --warmup-epochs 28 --learning-rate 1e-3 --epochs 3 \
    --deterministic --out /tmp/m1/ar-1m > /tmp/m1/ar-1m.log 2>&1; echo "ar-1m rc $?" >> /tmp/m1/ar-1m.log) &
export CUDA_VISIBLE_DEVICES=0
# 1. check-libtorch on the publish (the linear GELU node; first GPU run of 0955a80's forward kernel in a publish, e37bc80, 31751cd), then with cuBLASLt off.
timeout 150 $H/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/m1/check > /tmp/m1/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|linear GELU node\|layer norm node" /tmp/m1/check.log | cut -c1-420 | head -14
date -u +%H:%M:%S
HYENA_CUBLASLT=0 timeout 150 $H/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/m1/check-nolt > /tmp/m1/check-nolt.log 2>&1; echo "check cublaslt=0 rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|linear GELU node" /tmp/m1/check-nolt.log | cut -c1-300 | head -8
date -u +%H:%M:%S
# 2. Training: 31751cd (libtorch's GELU, fc1's bias summed in bfloat16, x's gradient widened) against the publish, alternating.
for r in 1 2; do for v in base hyena-bench; do
  timeout 60 /tmp/hb/$v/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/m1/train-$v-$r > /tmp/m1/train-$v-$r.log 2>&1
  echo "== train $v $r rc $?"; grep -E "^(16k|64k) " /tmp/m1/train-$v-$r.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
done; done
date -u +%H:%M:%S
# 3. A Hyena training step at 16k, every kernel's time, both builds.
for v in base hyena-bench; do
  timeout 110 /usr/local/cuda/bin/ncu --clock-control none --metrics gpu__time_duration.sum --csv \
    /tmp/hb/$v/Hyena.Benchmarks training --device cuda --lengths 16k --models hyena-bf16 --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/m1/tr > /tmp/m1/ncu-$v.csv 2> /tmp/m1/ncu-$v.err
  echo "== ncu $v rc $?"; gzip -f /tmp/m1/ncu-$v.csv
  python3 .gpu/step_kernels.py /tmp/m1/ncu-$v.csv.gz 14 > /tmp/m1/ncu-$v-step.txt 2>&1; head -17 /tmp/m1/ncu-$v-step.txt | cut -c1-150
done
rm -rf /tmp/m1/tr
date -u +%H:%M:%S
wait
date -u +%H:%M:%S
grep -E "epoch [0-9]+/|accuracy [0-9]|rror|xception|trained in|rc " /tmp/m1/ar-1m.log | cut -c1-160 | tail -n 6
(cd /tmp/m1/ar-1m 2>/dev/null && python3 -c "
import zipfile,hashlib
z=zipfile.ZipFile('model.zip'); print(' '.join(n.split('/')[-1][:20]+':'+hashlib.md5(z.read(n)).hexdigest()[:8] for n in z.namelist() if z.getinfo(n).file_size>10000))" 2>&1 | head -2)
rm -f /tmp/m1/*/model.zip; find /tmp/m1 -name '*.png' -delete
tar -cJf $OUT/m1.tar.xz -C /tmp m1
