set -u
mkdir -p /tmp/w; OUTDIR=/tmp/w; source build/gpu/device-env.sh
rm -rf /tmp/hb/base; cp -r /tmp/hb/hyena-bench /tmp/hb/base && cp .gpu/base/Microsoft.ML.Hyena.dll /tmp/hb/base/
date -u +%H:%M:%S
ar() { # build gpu
  timeout 570 /tmp/hb/$1/AssociativeRecall --device cuda:$2 --length 1048576 --train 250 --test 100 --batch-size 2 --warmup-batch-size 32 \
  --warmup-length 1024 --warmup-train 16000 --warmup-epochs 24 --warmup-minutes 4.2 --learning-rate 1e-3 --epochs 3 --max-minutes 3 \
  --out /tmp/runs/ar-$1 > /tmp/w/ar-$1.log 2>&1; cp /tmp/runs/ar-$1/results.csv /tmp/w/ar-$1-results.csv 2>/dev/null; cp /tmp/runs/ar-$1/training-curve.png /tmp/w/ar-$1-training-curve.png 2>/dev/null
}
ar hyena-bench 0 &
ar base 1 &
wait
date -u +%H:%M:%S
for b in hyena-bench base; do echo "== $b"; grep -E "^epoch [0-9]/3|accuracy|Error|error|Exception" /tmp/w/ar-$b.log | tail -n 5; done
tar -cJf $OUT/w1.tar.xz -C /tmp w
