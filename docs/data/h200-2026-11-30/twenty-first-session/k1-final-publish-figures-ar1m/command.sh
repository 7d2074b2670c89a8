set -u
mkdir -p /tmp/k1 /tmp/k1/figures; OUTDIR=/tmp/k1; source build/gpu/device-env.sh
H=$HB
rm -rf /tmp/hb/base; cp -r /tmp/hb/hyena-bench /tmp/hb/base && cp .gpu/base/*.dll /tmp/hb/base/
md5sum $H/Microsoft.ML.Hyena.dll /tmp/hb/base/Microsoft.ML.Hyena.dll
nvidia-smi --query-gpu=index,name --format=csv,noheader
date -u +%H:%M:%S
# GPU 1, beside the rest: results.md's recorded recall recipe at 1,048,576 tokens (no time budgets, --deterministic, seed 1).
(CUDA_VISIBLE_DEVICES=1 timeout 585 $H/AssociativeRecall --device cuda:0 --length 1048576 --train 250 --test 100 --batch-size 2 --warmup-batch-size 32 \
    --warmup-length 1024 --warmup-train 16000 --warmup-epochs 28 --learning-rate 1e-3 --epochs 3 \
    --deterministic --out /tmp/k1/ar-1m > /tmp/k1/ar-1m.log 2>&1; echo "ar-1m rc $?" >> /tmp/k1/ar-1m.log) &
export CUDA_VISIBLE_DEVICES=0
# 1. check-libtorch on the fresh publish (the layer norm's kernels, the widening node channels first over a batch).
timeout 150 $H/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/k1/check > /tmp/k1/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|layer norm node\|channels first" /tmp/k1/check.log | cut -c1-420 | head -14
date -u +%H:%M:%S
# 2. The figures of docs/benchmarks.md (the attention baseline's projections now add their biases in the product).
bash build/gpu/run-figures.sh /tmp/k1/figures
cp /tmp/pieces-65536.log /tmp/k1/figures/ 2>/dev/null
date -u +%H:%M:%S
# 3. Training: the build before the layer norm's kernels (9b3f361's DLLs) against the publish, alternating.
for r in 1 2; do for v in base hyena-bench; do
  timeout 100 /tmp/hb/$v/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/k1/train-$v-$r > /tmp/k1/train-$v-$r.log 2>&1
  echo "== train $v $r rc $?"; grep -E "^(16k|64k) " /tmp/k1/train-$v-$r.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
done; done
date -u +%H:%M:%S
# 4. Where the step's time goes at 16k now, both models.
for m in hyena-bf16 transformer-bf16; do
  timeout 100 /usr/local/cuda/bin/ncu --clock-control none --metrics gpu__time_duration.sum --csv $H/Hyena.Benchmarks training --device cuda --lengths 16k --models $m --isolate false --warmup-steps 1 --steps 2 --max-seconds 1 --out /tmp/k1/tr > /tmp/k1/ncu-$m.csv 2> /tmp/k1/ncu-$m.err
  echo "ncu $m rc $?"; gzip -f /tmp/k1/ncu-$m.csv
done
rm -rf /tmp/k1/tr
date -u +%H:%M:%S
wait
grep -E "epoch [0-9]+/|accuracy [0-9]|rror|xception|trained in|rc " /tmp/k1/ar-1m.log | cut -c1-160 | tail -n 6
(cd /tmp/k1/ar-1m 2>/dev/null && python3 -c "
import zipfile,hashlib
z=zipfile.ZipFile('model.zip'); print(' '.join(n.split('/')[-1][:20]+':'+hashlib.md5(z.read(n)).hexdigest()[:8] for n in z.namelist() if z.getinfo(n).file_size>10000))" 2>&1 | head -2)
rm -f /tmp/k1/*/model.zip; find /tmp/k1 -name '*.png' -delete
date -u +%H:%M:%S
tar -cJf $OUT/k1.tar.xz -C /tmp k1
