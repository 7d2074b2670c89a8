set -u
mkdir -p /tmp/g5; OUTDIR=/tmp/g5; source build/gpu/device-env.sh
rm -rf /tmp/hb/hf; cp -r /tmp/hb/hyena-bench /tmp/hb/hf && cp .gpu/hf/*.dll /tmp/hb/hf/; H=/tmp/hb/hf
md5sum $H/Microsoft.ML.Hyena.dll $H/Hyena.Trainers.dll $H/Hyena.Benchmarks.dll
date -u +%H:%M:%S
# FusedAdamW: every kernel check (the program now also holds the AdamW kernel) and the new one against TorchSharp's AdamW.
timeout 150 $H/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/g5/check > /tmp/g5/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|fused AdamW" /tmp/g5/check.log | grep -v "^  option matrix L=" | cut -c1-330 | head -12
date -u +%H:%M:%S
# Training at 16k and 64k, both models, TorchSharp's AdamW against FusedAdamW, alternating, two rounds.
for r in 1 2; do for opt in adamw fused; do
  timeout 120 $H/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models transformer-bf16,hyena-bf16 --optimizer $opt --child-timeout 50 --out /tmp/g5/train-$opt-$r > /tmp/g5/train-$opt-$r.log 2>&1
  echo "== $opt $r rc $?"; grep -E "^(16k|64k) " /tmp/g5/train-$opt-$r.log | awk '{print $1, $3, $5, $6, $10}' | paste -sd';'
done; done
date -u +%H:%M:%S
# The trainers with it: the recall sample at 8k and Fashion-MNIST's subset, as in g2 (seed 1).
timeout 60 $H/AssociativeRecall --device cuda:0 --length 8192 --train 1024 --test 64 --epochs 2 --width 64 --out /tmp/g5/ar > /tmp/g5/ar.log 2>&1
echo "== ar rc $? $(grep -E 'epoch [0-9]|accuracy [0-9]' /tmp/g5/ar.log | cut -c1-120 | tr '\n' '|')"
timeout 90 $H/SequentialFashionMnist --data subset --device cuda:0 --no-baselines --epochs 2 --width 128 --depth 4 --batch-size 64 --out /tmp/g5/fm > /tmp/g5/fm.log 2>&1
echo "== fm rc $? $(grep -E 'epoch [0-9]|accuracy [0-9]' /tmp/g5/fm.log | cut -c1-120 | tr '\n' '|')"
date -u +%H:%M:%S
rm -f /tmp/g5/*/model.zip; find /tmp/g5 -name '*.png' -delete
tar -cJf $OUT/g5.tar.xz -C /tmp g5
