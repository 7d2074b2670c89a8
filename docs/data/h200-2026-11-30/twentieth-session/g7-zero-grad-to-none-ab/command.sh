set -u
mkdir -p /tmp/g7; OUTDIR=/tmp/g7; source build/gpu/device-env.sh
for v in hf hz; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
md5sum /tmp/hb/hf/Microsoft.ML.Hyena.dll /tmp/hb/hz/Microsoft.ML.Hyena.dll
date -u +%H:%M:%S
# FusedAdamW as committed (hf: zero_grad fills zeros, as AdamW) against zero_grad setting gradients to none (hz), alternating.
for r in 1 2; do for v in hf hz; do
  timeout 100 /tmp/hb/$v/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --child-timeout 45 --out /tmp/g7/train-$v-$r > /tmp/g7/train-$v-$r.log 2>&1
  echo "== $v $r rc $?"; grep -E "^(16k|64k) " /tmp/g7/train-$v-$r.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
done; done
date -u +%H:%M:%S
# The trainers with hz: the recall sample at 8k and Fashion-MNIST's subset (seed 1), as in g5.
timeout 60 /tmp/hb/hz/AssociativeRecall --device cuda:0 --length 8192 --train 1024 --test 64 --epochs 2 --width 64 --out /tmp/g7/ar > /tmp/g7/ar.log 2>&1
echo "== ar rc $? $(grep -E 'epoch [0-9]|accuracy [0-9]' /tmp/g7/ar.log | cut -c1-120 | tr '\n' '|')"
timeout 60 /tmp/hb/hz/SequentialFashionMnist --data subset --device cuda:0 --no-baselines --epochs 2 --width 128 --depth 4 --batch-size 64 --out /tmp/g7/fm > /tmp/g7/fm.log 2>&1
echo "== fm rc $? $(grep -E 'epoch [0-9]|accuracy [0-9]' /tmp/g7/fm.log | cut -c1-120 | tr '\n' '|')"
date -u +%H:%M:%S
rm -f /tmp/g7/*/model.zip; find /tmp/g7 -name '*.png' -delete
tar -cJf $OUT/g7.tar.xz -C /tmp g7
