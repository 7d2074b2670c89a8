set -u
mkdir -p /tmp/n5; OUTDIR=/tmp/n5; source build/gpu/device-env.sh
md5sum $HB/Microsoft.ML.Hyena.dll
nvidia-smi --query-gpu=index,name --format=csv,noheader
export CUDA_VISIBLE_DEVICES=0
date -u +%H:%M:%S
# Classifier training beyond 64k (batch 1 at every length: 64k tokens a batch at most), both models, one process a cell.
timeout 560 $HB/Hyena.Benchmarks training --device cuda --lengths 128k,256k,512k --models transformer-bf16,hyena-bf16 --child-timeout 170 --out /tmp/n5/train-long > /tmp/n5/train-long.log 2>&1
echo "== train-long rc $?"; grep -E "^(128k|256k|512k) " /tmp/n5/train-long.log | awk '{print $1, $2, $3, $4, $5, $6, $7, $10}' | paste -sd';'
grep -iE "out of memory|error|timed out" /tmp/n5/train-long.log | head -5 | cut -c1-300
date -u +%H:%M:%S
tar -cJf $OUT/n5.tar.xz -C /tmp n5
