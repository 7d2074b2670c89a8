set -u
mkdir -p /tmp/m3/figures; OUTDIR=/tmp/m3; source build/gpu/device-env.sh
md5sum $HB/Microsoft.ML.Hyena.dll
nvidia-smi --query-gpu=index,name --format=csv,noheader
export CUDA_VISIBLE_DEVICES=0
date -u +%H:%M:%S
# benchmarks.md's figures command on the publish of the final build.
bash build/gpu/run-figures.sh /tmp/m3/figures 2>&1 | tail -n 40
date -u +%H:%M:%S
# Training once more on the same build.
timeout 70 $HB/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/m3/train-2 > /tmp/m3/train-2.log 2>&1
echo "== train 2 rc $?"; grep -E "^(16k|64k) " /tmp/m3/train-2.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
date -u +%H:%M:%S
tar -cJf $OUT/m3.tar.xz -C /tmp m3
