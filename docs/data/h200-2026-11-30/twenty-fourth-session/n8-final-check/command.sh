set -u
mkdir -p /tmp/n8; OUTDIR=/tmp/n8; source build/gpu/device-env.sh
H=$HB
md5sum $H/Microsoft.ML.Hyena.dll
export CUDA_VISIBLE_DEVICES=0
date -u +%H:%M:%S
# check-libtorch on the publish of the final HEAD (the block recompute case with dropout: DropoutReplay on the GPU).
timeout 120 $H/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/n8/check > /tmp/n8/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound" /tmp/n8/check.log | cut -c1-300 | head -6
grep -h "block recompute" /tmp/n8/check.log | grep -v " \.\.\. " | cut -c1-400
grep -h "block recompute.*: logits" /tmp/n8/check.log | sed 's/.*: logits/logits/' | cut -c1-300
date -u +%H:%M:%S
timeout 60 $H/Hyena.Benchmarks training --device cuda --lengths 16k --models hyena-bf16 --recompute-blocks true --child-timeout 50 --out /tmp/n8/train > /tmp/n8/train.log 2>&1
echo "== train rc $?"; grep -E "^16k " /tmp/n8/train.log | cut -c1-160
date -u +%H:%M:%S
tar -cJf $OUT/n8.tar.xz -C /tmp n8
