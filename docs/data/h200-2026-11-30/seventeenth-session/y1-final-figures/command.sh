set -u
mkdir -p /tmp/o /tmp/figures; OUTDIR=/tmp/o; source build/gpu/device-env.sh
date -u +%H:%M:%S; nvidia-smi --query-gpu=index,name --format=csv
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/o/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound" /tmp/o/check.log | cut -c1-200 | head -12
bash build/gpu/run-figures.sh /tmp/figures
cp /tmp/pieces-65536.log /tmp/figures/ 2>/dev/null
date -u +%H:%M:%S
gzip /tmp/o/*.csv /tmp/figures/*.csv 2>/dev/null
tar -cJf $OUT/y1.tar.xz -C /tmp o figures
