set -u
mkdir -p /tmp/m4; OUTDIR=/tmp/m4; source build/gpu/device-env.sh
H=$HB
rm -rf /tmp/hb/rs; cp -r /tmp/hb/hyena-bench /tmp/hb/rs && cp .gpu/rs/*.dll /tmp/hb/rs/
md5sum $H/Microsoft.ML.Hyena.dll /tmp/hb/rs/Microsoft.ML.Hyena.dll
nvidia-smi --query-gpu=index,name --format=csv,noheader
export CUDA_VISIBLE_DEVICES=0
date -u +%H:%M:%S
# 1. check-libtorch on rs (1729144: the residual adds in the layer norm's node).
timeout 150 /tmp/hb/rs/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/m4/check > /tmp/m4/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|must be identical\|add and layer norm node\|classifiers" /tmp/m4/check.log | cut -c1-420 | head -14
date -u +%H:%M:%S
# 2. Training: the publish (1168ebe) against rs, alternating.
for r in 1 2; do for v in hyena-bench rs; do
  timeout 60 /tmp/hb/$v/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/m4/train-$v-$r > /tmp/m4/train-$v-$r.log 2>&1
  echo "== train $v $r rc $?"; grep -E "^(16k|64k) " /tmp/m4/train-$v-$r.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
done; done
date -u +%H:%M:%S
# 3. A Hyena training step at 16k on rs, every kernel's time.
timeout 100 /usr/local/cuda/bin/ncu --clock-control none --metrics gpu__time_duration.sum --csv \
  /tmp/hb/rs/Hyena.Benchmarks training --device cuda --lengths 16k --models hyena-bf16 --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/m4/tr > /tmp/m4/ncu-rs.csv 2> /tmp/m4/ncu-rs.err
echo "== ncu rs rc $?"; gzip -f /tmp/m4/ncu-rs.csv
python3 .gpu/step_kernels.py /tmp/m4/ncu-rs.csv.gz 16 > /tmp/m4/ncu-rs-step.txt 2>&1; head -19 /tmp/m4/ncu-rs-step.txt | cut -c1-150
rm -rf /tmp/m4/tr
date -u +%H:%M:%S
tar -cJf $OUT/m4.tar.xz -C /tmp m4
