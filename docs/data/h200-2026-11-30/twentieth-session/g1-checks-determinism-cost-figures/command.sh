set -u
mkdir -p /tmp/g1; OUTDIR=/tmp/g1; source build/gpu/device-env.sh
md5sum $HB/Microsoft.ML.Hyena.dll
date -u +%H:%M:%S
# 1. check-libtorch on HEAD (1f2a7fe's mend of the CUDA nodes), then with cuBLASLt off (03cc200's mend of that path).
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/g1/check > /tmp/g1/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|cuBLASLt\|cublasLt" /tmp/g1/check.log | cut -c1-300 | head -12
date -u +%H:%M:%S
HYENA_CUBLASLT=0 timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/g1/check-nolt > /tmp/g1/check-nolt.log 2>&1; echo "check (HYENA_CUBLASLT=0) rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|cuBLASLt\|cublasLt" /tmp/g1/check-nolt.log | cut -c1-300 | head -12
date -u +%H:%M:%S
md5s() { (cd $1 2>/dev/null && python3 -c "
import zipfile,hashlib
z=zipfile.ZipFile('model.zip'); print(' '.join(n.split('/')[-1][:20]+':'+hashlib.md5(z.read(n)).hexdigest()[:8] for n in z.namelist() if z.getinfo(n).file_size>10000))" 2>&1 | head -2); }
# 2. Options.Deterministic through the samples' --deterministic flag: the text trainer (associative recall at 8k) ...
ar() { # name flags...
  local name=$1; shift
  timeout 60 $HB/AssociativeRecall --device cuda:0 --length 8192 --train 1024 --test 64 --epochs 2 --width 64 "$@" --out /tmp/g1/$name > /tmp/g1/$name.log 2>&1
  echo "== $name rc $? $(grep -E 'epoch [0-9]|accuracy [0-9]|rror|xception' /tmp/g1/$name.log | cut -c1-200 | tr '\n' '|')"; md5s /tmp/g1/$name
}
ar ar-det-a --deterministic; ar ar-det-b --deterministic; ar ar-plain-a; ar ar-plain-b
# ... and the image trainer (the committed Fashion-MNIST subset)
fm() { local name=$1; shift
  timeout 90 $HB/SequentialFashionMnist --data subset --device cuda:0 --no-baselines --epochs 2 --width 128 --depth 4 --batch-size 64 "$@" --out /tmp/g1/$name > /tmp/g1/$name.log 2>&1
  echo "== $name rc $? $(grep -E 'epoch [0-9]|accuracy [0-9]|rror|xception' /tmp/g1/$name.log | cut -c1-200 | tr '\n' '|')"; md5s /tmp/g1/$name
}
fm fm-det-a --deterministic; fm fm-det-b --deterministic; fm fm-plain-a; fm fm-plain-b
date -u +%H:%M:%S
# 3. The switch's cost: results.md's 8k recall settings for 3 epochs of 4,096 sequences, alternating.
for i in 1 2; do
  for m in plain det; do f=; [ $m = det ] && f=--deterministic
    timeout 90 $HB/AssociativeRecall --device cuda:0 --length 8192 --train 4096 --test 64 --epochs 3 --learning-rate 1e-3 --batch-size 32 $f --out /tmp/g1/cost-$m-$i > /tmp/g1/cost-$m-$i.log 2>&1
    echo "== cost $m $i rc $? $(grep -E 'epoch [0-9]' /tmp/g1/cost-$m-$i.log | cut -c1-80 | tr '\n' '|')"
  done
done
date -u +%H:%M:%S
# 4. 64k and 128k with attention beside, while the call's time lasts.
for i in 1 2 3; do
  [ $SECONDS -lt 480 ] || break
  timeout 60 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 64k,128k --verify-length 0 --warmup 3 --reps 15 --out /tmp/g1/op-$i > /tmp/g1/op-$i.log 2>&1
  echo "== op $i"; grep -E "^(64k|128k) +(attention|hyena) " /tmp/g1/op-$i.log | awk '{print $1, $2, $6, $7, $9, $10}' | paste -sd';'
done
date -u +%H:%M:%S
rm -f /tmp/g1/*/model.zip; find /tmp/g1 -name '*.png' -delete
tar -cJf $OUT/g1.tar.xz -C /tmp g1
