set -u
mkdir -p /tmp/a1; OUTDIR=/tmp/a1; source build/gpu/device-env.sh
date -u +%H:%M:%S
# One publish of d97018e on two H200s of one host, side by side: GPU 0 as shipped (cuBLASLt products on),
# GPU 1 with HYENA_CUBLASLT=0 (the products of the sixteenth session's build). results.md's associative-recall
# command at 1,048,576 tokens, unchanged.
ar() { # name gpu env...
  local name=$1 gpu=$2; shift 2
  env "$@" timeout 420 $HB/AssociativeRecall --device cuda:$gpu --length 1048576 --train 250 --test 100 --batch-size 2 --warmup-batch-size 32 \
  --warmup-length 1024 --warmup-train 16000 --warmup-epochs 24 --warmup-minutes 4.2 --learning-rate 1e-3 --epochs 3 --max-minutes 3 \
  --out /tmp/runs/ar-$name > /tmp/a1/ar-$name.log 2>&1; echo "$name rc $?"
  cp /tmp/runs/ar-$name/results.csv /tmp/a1/ar-$name-results.csv 2>/dev/null; cp /tmp/runs/ar-$name/training-curve.png /tmp/a1/ar-$name-training-curve.png 2>/dev/null
}
ar cublaslt 0 HYENA_CUBLASLT=1 &
ar library 1 HYENA_CUBLASLT=0 &
wait
date -u +%H:%M:%S
for b in cublaslt library; do echo "== $b"; grep -E "^epoch (1|21|24)/|^epoch [0-9]/3|accuracy|Error|error|Exception" /tmp/a1/ar-$b.log | tail -n 8; done
timeout 120 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/a1/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|one side\|widening\|cuBLASLt" /tmp/a1/check.log | cut -c1-300 | head -12
date -u +%H:%M:%S
tar -cJf $OUT/a1.tar.xz -C /tmp a1
