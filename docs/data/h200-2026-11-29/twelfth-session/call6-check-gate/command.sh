set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
rm -rf /tmp/hb/new; cp -r /tmp/hb/hyena-bench /tmp/hb/new && cp .gpu/new/*.dll /tmp/hb/new/
timeout 200 /tmp/hb/new/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > $OUT/check.log 2>&1; echo "check rc $?"
grep -h "kernel checks\|option matrix:\|check-libtorch done\|as expected" $OUT/check.log | cut -c1-220
HYENA_CUDA_KERNELS=0 timeout 200 /tmp/hb/new/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check0 > $OUT/check-kernels-off.log 2>&1; echo "check with HYENA_CUDA_KERNELS=0 rc $?"
grep -h -A12 "kernel checks" $OUT/check-kernels-off.log | cut -c1-220 | head -16; grep -h "check-libtorch done" $OUT/check-kernels-off.log
