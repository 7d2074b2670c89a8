set -u
mkdir -p /tmp/m1; OUTDIR=/tmp/m1; source build/gpu/device-env.sh
rm -rf /tmp/hb/mend; cp -r /tmp/hb/hyena-bench /tmp/hb/mend && cp .gpu/mend/*.dll /tmp/hb/mend/
date -u +%H:%M:%S
timeout 170 /tmp/hb/mend/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/m1/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|one side" /tmp/m1/check.log | cut -c1-300 | head -8
grep -h "filter MLP kernels" /tmp/m1/check.log | grep -v "\.\.\. filter MLP kernels.*\.\.\.$" | cut -c1-420 | tail -4
date -u +%H:%M:%S
tar -cJf $OUT/m1.tar.xz -C /tmp m1
