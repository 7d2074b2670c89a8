set -u
mkdir -p /tmp/n4/figures; OUTDIR=/tmp/n4; source build/gpu/device-env.sh
md5sum $HB/Microsoft.ML.Hyena.dll
nvidia-smi --query-gpu=index,name --format=csv,noheader
export CUDA_VISIBLE_DEVICES=0
date -u +%H:%M:%S
# benchmarks.md's figures command on the publish of the final HEAD.
bash build/gpu/run-figures.sh /tmp/n4/figures 2>&1 | tail -n 40
date -u +%H:%M:%S
timeout 70 $HB/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/n4/train-2 > /tmp/n4/train-2.log 2>&1
echo "== train 2 rc $?"; grep -E "^(16k|64k) " /tmp/n4/train-2.log | awk '{print $1, $3, $5, $6, $7, $10}' | paste -sd';'
date -u +%H:%M:%S
tar -cJf $OUT/n4.tar.xz -C /tmp n4
