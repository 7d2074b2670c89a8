set -u
mkdir -p /tmp/g2; OUTDIR=/tmp/g2; source build/gpu/device-env.sh
rm -rf /tmp/hb/hn; cp -r /tmp/hb/hyena-bench /tmp/hb/hn && cp .gpu/hn/*.dll /tmp/hb/hn/; H=/tmp/hb/hn
md5sum $H/Microsoft.ML.Hyena.dll $H/Hyena.Trainers.dll
date -u +%H:%M:%S
# check-libtorch with cuBLASLt off, the check now aware of it (the fallback must be the library calls to the bit).
HYENA_CUBLASLT=0 timeout 150 $H/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/g2/check-nolt > /tmp/g2/check-nolt.log 2>&1; echo "check (HYENA_CUBLASLT=0) rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|cuBLASLt\|widening" /tmp/g2/check-nolt.log | grep -v "^  option matrix L=" | cut -c1-330 | head -16
date -u +%H:%M:%S
md5s() { (cd $1 2>/dev/null && python3 -c "
import zipfile,hashlib
z=zipfile.ZipFile('model.zip'); print(' '.join(n.split('/')[-1][:20]+':'+hashlib.md5(z.read(n)).hexdigest()[:8] for n in z.namelist() if z.getinfo(n).file_size>10000))" 2>&1 | head -2); }
# The image trainer (dropout 0.1) with the CUDA generators now seeded: --deterministic twice, plain twice.
fm() { local name=$1; shift
  timeout 90 $H/SequentialFashionMnist --data subset --device cuda:0 --no-baselines --epochs 2 --width 128 --depth 4 --batch-size 64 "$@" --out /tmp/g2/$name > /tmp/g2/$name.log 2>&1
  echo "== $name rc $? $(grep -E 'epoch [0-9]|accuracy [0-9]|rror|xception' /tmp/g2/$name.log | cut -c1-200 | tr '\n' '|')"; md5s /tmp/g2/$name
}
fm fm-det-a --deterministic; fm fm-det-b --deterministic; fm fm-plain-a; fm fm-plain-b
# The text trainer again (no dropout): the same weights as before the change (df893877).
timeout 60 $H/AssociativeRecall --device cuda:0 --length 8192 --train 1024 --test 64 --epochs 2 --width 64 --deterministic --out /tmp/g2/ar-det > /tmp/g2/ar-det.log 2>&1
echo "== ar-det rc $? $(grep -E 'epoch [0-9]|accuracy [0-9]' /tmp/g2/ar-det.log | cut -c1-120 | tr '\n' '|')"; md5s /tmp/g2/ar-det
date -u +%H:%M:%S
rm -f /tmp/g2/*/model.zip; find /tmp/g2 -name '*.png' -delete
tar -cJf $OUT/g2.tar.xz -C /tmp g2
