set -u
# /tmp/fmnist was unpacked by the call before on this machine (.gpu-acc3/stage.sh)
ls /tmp/fmnist > /dev/null || { echo "no /tmp/fmnist: stage it first"; exit 1; }
mkdir -p /tmp/k2; OUTDIR=/tmp/k2; source build/gpu/device-env.sh
H=$HB
md5sum $H/Microsoft.ML.Hyena.dll
date -u +%H:%M:%S
# results.md's two accuracy commands, one GPU each, at once.
(timeout 580 $H/SequentialFashionMnist --data /tmp/fmnist --device cuda:0 --no-baselines --total-minutes 9.2 --epochs 60 --width 128 --depth 4 --learning-rate 4e-3 --batch-size 256 --out /tmp/k2/fmnist-b256 > /tmp/k2/fmnist-b256.log 2>&1) &
(timeout 580 $H/AssociativeRecall --device cuda:1 --length 8192 --train 12000 --test 1000 --epochs 400 --max-minutes 8.4 --learning-rate 1e-3 --batch-size 32 --out /tmp/k2/ar-8k > /tmp/k2/ar-8k.log 2>&1) &
wait
date -u +%H:%M:%S
for f in /tmp/k2/*.log; do echo "== $f"; tail -n 5 $f | cut -c1-200; done
rm -f /tmp/k2/*/model.zip; find /tmp/k2 -name '*.png' -delete
tar -cJf $OUT/k2.tar.xz -C /tmp k2
