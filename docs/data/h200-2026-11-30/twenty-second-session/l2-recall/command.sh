set -u
mkdir -p /tmp/l2; OUTDIR=/tmp/l2; source build/gpu/device-env.sh
H=$HB
md5sum $H/Microsoft.ML.Hyena.dll
date -u +%H:%M:%S
# results.md's recall commands on the publish of f5b7a27: 8k on GPU 0, the recorded 1M recipe on GPU 1.
(CUDA_VISIBLE_DEVICES=1 timeout 585 $H/AssociativeRecall --device cuda:0 --length 1048576 --train 250 --test 100 --batch-size 2 --warmup-batch-size 32 \
    --warmup-length 1024 --warmup-train 16000 --warmup-epochs 28 --learning-rate 1e-3 --epochs 3 \
    --deterministic --out /tmp/l2/ar-1m > /tmp/l2/ar-1m.log 2>&1; echo "ar-1m rc $?" >> /tmp/l2/ar-1m.log) &
(timeout 580 $H/AssociativeRecall --device cuda:0 --length 8192 --train 12000 --test 1000 --epochs 400 --max-minutes 8.4 --learning-rate 1e-3 --batch-size 32 --out /tmp/l2/ar-8k > /tmp/l2/ar-8k.log 2>&1; echo "ar-8k rc $?" >> /tmp/l2/ar-8k.log) &
wait
date -u +%H:%M:%S
for f in /tmp/l2/*.log; do echo "== $f"; grep -E "epoch [0-9]+/|accuracy [0-9]|rror|xception|trained in|rc " $f | cut -c1-160 | tail -n 5; done
(cd /tmp/l2/ar-1m 2>/dev/null && python3 -c "
import zipfile,hashlib
z=zipfile.ZipFile('model.zip'); print(' '.join(n.split('/')[-1][:20]+':'+hashlib.md5(z.read(n)).hexdigest()[:8] for n in z.namelist() if z.getinfo(n).file_size>10000))" 2>&1 | head -2)
rm -f /tmp/l2/*/model.zip; find /tmp/l2 -name '*.png' -delete
tar -cJf $OUT/l2.tar.xz -C /tmp l2
