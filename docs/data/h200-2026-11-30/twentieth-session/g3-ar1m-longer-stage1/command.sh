set -u
mkdir -p /tmp/g3; OUTDIR=/tmp/g3; source build/gpu/device-env.sh
rm -rf /tmp/hb/hn; cp -r /tmp/hb/hyena-bench /tmp/hb/hn && cp .gpu/hn/*.dll /tmp/hb/hn/; H=/tmp/hb/hn
md5sum $H/Microsoft.ML.Hyena.dll $H/Hyena.Trainers.dll
date -u +%H:%M:%S
# results.md's associative-recall command at 1,048,576 tokens with a longer stage 1 (32 epochs in at most 5.5 minutes)
# and --deterministic, the same seed (1) on both GPUs of one machine at once.
for g in 0 1; do
  (timeout 585 $H/AssociativeRecall --device cuda:$g --length 1048576 --train 250 --test 100 --batch-size 2 --warmup-batch-size 32 \
    --warmup-length 1024 --warmup-train 16000 --warmup-epochs 32 --warmup-minutes 5.5 --learning-rate 1e-3 --epochs 3 --max-minutes 3 \
    --deterministic --out /tmp/g3/ar-1m-gpu$g > /tmp/g3/ar-1m-gpu$g.log 2>&1; echo "gpu$g rc $?") &
done
wait
date -u +%H:%M:%S
md5s() { (cd $1 2>/dev/null && python3 -c "
import zipfile,hashlib
z=zipfile.ZipFile('model.zip'); print(' '.join(n.split('/')[-1][:20]+':'+hashlib.md5(z.read(n)).hexdigest()[:8] for n in z.namelist() if z.getinfo(n).file_size>10000))" 2>&1 | head -2); }
for g in 0 1; do echo "== gpu$g"; grep -E "epoch [0-9]+/|accuracy [0-9]|rror|xception|stage|trained in" /tmp/g3/ar-1m-gpu$g.log | cut -c1-160 | tail -n 9; md5s /tmp/g3/ar-1m-gpu$g; done
rm -f /tmp/g3/*/model.zip; find /tmp/g3 -name '*.png' -delete
tar -cJf $OUT/g3.tar.xz -C /tmp g3
