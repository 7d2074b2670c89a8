set -u
mkdir -p /tmp/d1; OUTDIR=/tmp/d1; source build/gpu/device-env.sh
rm -rf /tmp/hb/hd; cp -r /tmp/hb/hyena-bench /tmp/hb/hd && cp .gpu/hd/*.dll /tmp/hb/hd/
date -u +%H:%M:%S
ar() { # name env...
  local name=$1; shift
  env "$@" timeout 40 /tmp/hb/hd/AssociativeRecall --device cuda:0 --length 8192 --train 1024 --test 64 --epochs 2 --width 64 --out /tmp/d1/$name > /tmp/d1/$name.log 2>&1
  echo "== $name rc $? $(grep -E 'EXPERIMENT|epoch [0-9]|accuracy [0-9]|rror|xception|determinis' /tmp/d1/$name.log | cut -c1-240 | tr '\n' '|')"
  (cd /tmp/d1/$name 2>/dev/null && python3 -c "
import zipfile,hashlib,sys
z=zipfile.ZipFile('model.zip'); print(' '.join(n.split('/')[-1][:20]+':'+hashlib.md5(z.read(n)).hexdigest()[:8] for n in z.namelist() if z.getinfo(n).file_size>10000))" 2>&1 | head -2)
}
ar det-a HYENA_DETERMINISTIC=1 CUBLAS_WORKSPACE_CONFIG=:4096:8
ar det-b HYENA_DETERMINISTIC=1 CUBLAS_WORKSPACE_CONFIG=:4096:8
ar plain-a X=1
ar plain-b X=1
ar cublas-a CUBLAS_WORKSPACE_CONFIG=:4096:8
ar cublas-b CUBLAS_WORKSPACE_CONFIG=:4096:8
date -u +%H:%M:%S
tar --exclude='*.zip' --exclude='*.png' -cJf $OUT/d1.tar.xz -C /tmp d1
