set -u
mkdir -p /tmp/o /tmp/figures; OUTDIR=/tmp/o; source build/gpu/device-env.sh
date -u +%H:%M:%S; nvidia-smi --query-gpu=index,name --format=csv
# GPU 1: associative recall at 1M tokens (the curriculum of results.md's third-session table) on this build
(timeout 570 $HB/AssociativeRecall --device cuda:1 --length 1048576 --train 250 --test 100 --batch-size 2 --warmup-batch-size 32 \
  --warmup-length 1024 --warmup-train 16000 --warmup-epochs 24 --warmup-minutes 4.2 --learning-rate 1e-3 --epochs 3 --max-minutes 3 \
  --out /tmp/runs/ar-1048576 > /tmp/o/ar-1048576.log 2>&1; cp /tmp/runs/ar-1048576/results.csv /tmp/o/ar-1048576-results.csv 2>/dev/null; cp /tmp/runs/ar-1048576/training-curve.png /tmp/o/ar-1048576-training-curve.png 2>/dev/null) &
# GPU 0: the checks, then the figures
export CUDA_VISIBLE_DEVICES=0
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/o/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound" /tmp/o/check.log | cut -c1-200 | head -12
bash build/gpu/run-figures.sh /tmp/figures
cp /tmp/pieces-65536.log /tmp/figures/ 2>/dev/null
unset CUDA_VISIBLE_DEVICES
date -u +%H:%M:%S
wait
date -u +%H:%M:%S
grep -E "^epoch|accuracy|Error|error|Exception" /tmp/o/ar-1048576.log | tail -n 8
gzip /tmp/o/*.csv /tmp/figures/*.csv 2>/dev/null
tar -cJf $OUT/v1.tar.xz -C /tmp o figures
