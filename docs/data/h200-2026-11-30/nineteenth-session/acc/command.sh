set -u
# /tmp/fmnist was unpacked by the call before on this machine (.gpu-acc3/stage.sh: the data and the build together exceed what one call carries)
ls /tmp/fmnist || exit 1
mkdir -p /tmp/a /tmp/acc && tar -xJf .gpu/app.tar.xz -C /tmp/a
export HYENA_LIBTORCH_DIR=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__)+"/lib")'); export LD_LIBRARY_PATH=$HYENA_LIBTORCH_DIR
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
H=/tmp/a/hyena-bench
# The archive is a fresh publish of 3e357a9 (build/gpu/publish.sh): fewer host calls a pass, float32 parameter gradients.
md5sum $H/Microsoft.ML.Hyena.dll
nvidia-smi --query-gpu=index,name,memory.total --format=csv
date -u +%H:%M:%S
(timeout 575 $H/SequentialFashionMnist --data /tmp/fmnist --device cuda:0 --no-baselines --total-minutes 9.2 --epochs 60 --width 128 --depth 4 --learning-rate 4e-3 --batch-size 256 --out /tmp/acc/fmnist-b256 > $OUT/fmnist-b256.log 2>&1) &
(timeout 575 $H/AssociativeRecall --device cuda:1 --length 8192 --train 12000 --test 1000 --epochs 400 --max-minutes 8.4 --learning-rate 1e-3 --batch-size 32 --out /tmp/acc/ar-8k > $OUT/ar-8k.log 2>&1) &
wait
date -u +%H:%M:%S
for f in $OUT/*.log; do echo "== $f"; tail -n 6 $f; done
cp /tmp/acc/fmnist-b256/*.csv /tmp/acc/ar-8k/*.csv $OUT/ 2>/dev/null; cp .gpu/acc19.sh $OUT/command.sh; true
