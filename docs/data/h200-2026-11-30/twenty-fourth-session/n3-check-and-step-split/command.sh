set -u
mkdir -p /tmp/n3; OUTDIR=/tmp/n3; source build/gpu/device-env.sh
H=$HB
md5sum $H/Microsoft.ML.Hyena.dll
nvidia-smi --query-gpu=index,name --format=csv,noheader
date -u +%H:%M:%S
# GPU 1 meanwhile: every kernel's time in a training step of each model at 16k and 64k (what of each step is its mixers).
(export CUDA_VISIBLE_DEVICES=1
 for l in 16k 64k; do for m in transformer-bf16 hyena-bf16; do
   timeout 100 /usr/local/cuda/bin/ncu --clock-control none --metrics gpu__time_duration.sum --csv \
     $H/Hyena.Benchmarks training --device cuda --lengths $l --models $m --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/n3/tr-$m-$l > /tmp/n3/ncu-$m-$l.csv 2> /tmp/n3/ncu-$m-$l.err
   echo "ncu $m $l rc $?" >> /tmp/n3/ncu.log; gzip -f /tmp/n3/ncu-$m-$l.csv
   python3 docs/data/h200-2026-11-30/twenty-first-session/step_kernels.py /tmp/n3/ncu-$m-$l.csv.gz 60 > /tmp/n3/ncu-$m-$l-step.txt 2>&1
 done; done; rm -rf /tmp/n3/tr-*) &
export CUDA_VISIBLE_DEVICES=0
# check-libtorch on the publish of the final HEAD, then with cuBLASLt off.
timeout 150 $H/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/n3/check > /tmp/n3/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound" /tmp/n3/check.log | cut -c1-300 | head -10
date -u +%H:%M:%S
HYENA_CUBLASLT=0 timeout 150 $H/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/n3/check-nolt > /tmp/n3/check-nolt.log 2>&1; echo "check cublaslt=0 rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound" /tmp/n3/check-nolt.log | cut -c1-300 | head -8
date -u +%H:%M:%S
wait
date -u +%H:%M:%S
cat /tmp/n3/ncu.log; for f in /tmp/n3/ncu-*-step.txt; do echo "== $f"; head -3 $f; done
tar -cJf $OUT/n3.tar.xz -C /tmp n3
