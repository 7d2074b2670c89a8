set -u
mkdir -p /tmp/n2 /tmp/fmnist; OUTDIR=/tmp/n2; source build/gpu/device-env.sh
ls /tmp/fmnist/train-images-idx3-ubyte.gz > /dev/null || { echo "no /tmp/fmnist: stage it first"; exit 1; }
H=$HB
md5sum $H/Microsoft.ML.Hyena.dll
nvidia-smi --query-gpu=index,name --format=csv,noheader
date -u +%H:%M:%S
# results.md's Fashion-MNIST command on GPU 0 and recall at 8k on GPU 1, at once, on the publish of the final HEAD.
(CUDA_VISIBLE_DEVICES=0 timeout 580 $H/SequentialFashionMnist --data /tmp/fmnist --device cuda:0 --no-baselines --total-minutes 9.2 --epochs 60 --width 128 --depth 4 --learning-rate 4e-3 --batch-size 256 --out /tmp/n2/fmnist-b256 > /tmp/n2/fmnist-b256.log 2>&1; echo "fmnist rc $?" >> /tmp/n2/fmnist-b256.log) &
(CUDA_VISIBLE_DEVICES=1 timeout 580 $H/AssociativeRecall --device cuda:0 --length 8192 --train 12000 --test 1000 --epochs 400 --max-minutes 8.4 --learning-rate 1e-3 --batch-size 32 --out /tmp/n2/ar-8k > /tmp/n2/ar-8k.log 2>&1; echo "ar-8k rc $?" >> /tmp/n2/ar-8k.log) &
wait
date -u +%H:%M:%S
tail -n 6 /tmp/n2/fmnist-b256.log | cut -c1-200
grep -E "epoch [0-9]+/|accuracy [0-9]|rror|xception|trained in|rc " /tmp/n2/ar-8k.log | cut -c1-160 | tail -n 5
rm -f /tmp/n2/*/model.zip; find /tmp/n2 -name '*.png' -delete
tar -cJf $OUT/n2.tar.xz -C /tmp n2
