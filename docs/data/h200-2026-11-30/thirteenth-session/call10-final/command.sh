set -u
mkdir -p /tmp/o/figures; OUTDIR=/tmp/o; source build/gpu/device-env.sh
date -u +%H:%M:%S
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/o/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|Exception\|FAIL\|failures\|fp32-ref" /tmp/o/check.log | grep -v 8388608 | cut -c1-250 | head -12
build/gpu/run-figures.sh /tmp/o/figures
cp /tmp/o/pieces-65536.csv /tmp/o/figures/ 2>/dev/null
date -u +%H:%M:%S
rm -f /tmp/o/nvidia-smi.csv
tar -cJf $OUT/final.tar.xz -C /tmp/o .
