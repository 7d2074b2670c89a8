set -u
mkdir -p /tmp/n6; OUTDIR=/tmp/n6; source build/gpu/device-env.sh
H=$HB
md5sum $H/Microsoft.ML.Hyena.dll
nvidia-smi --query-gpu=index,name --format=csv,noheader
export CUDA_VISIBLE_DEVICES=0
date -u +%H:%M:%S
# 1. check-libtorch on the publish (its new case: the classifier with its blocks recomputed against the plain pass).
timeout 150 $H/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/n6/check > /tmp/n6/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|block recompute" /tmp/n6/check.log | cut -c1-400 | head -10
date -u +%H:%M:%S
# 2. Training with every block recomputed in the backward pass (both models), at 16k, 64k and 512k, then at 1M.
timeout 300 $H/Hyena.Benchmarks training --device cuda --lengths 16k,64k,512k --models transformer-bf16,hyena-bf16 --recompute-blocks true --child-timeout 150 --out /tmp/n6/train-recompute > /tmp/n6/train-recompute.log 2>&1
echo "== train-recompute rc $?"; grep -E "^(16k|64k|512k) " /tmp/n6/train-recompute.log | awk '{print $1, $2, $3, $4, $6, $7, $10}' | paste -sd';'
date -u +%H:%M:%S
timeout 200 $H/Hyena.Benchmarks training --device cuda --lengths 1M --models hyena-bf16 --recompute-blocks true --child-timeout 90 --out /tmp/n6/train-1m-recompute > /tmp/n6/train-1m-recompute.log 2>&1
echo "== 1M recompute rc $?"; grep -E "^1M " /tmp/n6/train-1m-recompute.log | cut -c1-200
timeout 200 $H/Hyena.Benchmarks training --device cuda --lengths 1M --models hyena-bf16,transformer-bf16 --child-timeout 90 --out /tmp/n6/train-1m > /tmp/n6/train-1m.log 2>&1
echo "== 1M plain rc $?"; grep -E "^1M " /tmp/n6/train-1m.log | cut -c1-250
date -u +%H:%M:%S
tar -cJf $OUT/n6.tar.xz -C /tmp n6
