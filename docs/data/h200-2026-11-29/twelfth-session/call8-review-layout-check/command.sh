set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
rm -rf /tmp/hb/new; cp -r /tmp/hb/hyena-bench /tmp/hb/new && cp .gpu/new/*.dll /tmp/hb/new/
timeout 200 /tmp/hb/new/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > $OUT/check.log 2>&1; echo "check rc $?"
grep -h "filter spectrum\|kernel checks\|option matrix:\|check-libtorch done" $OUT/check.log | cut -c1-200
