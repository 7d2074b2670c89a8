set -u
mkdir -p $OUT/new $OUT/base
OUTDIR=$OUT; source build/gpu/device-env.sh
[ -d /tmp/hb/base ] || { cp -r /tmp/hb/hyena-bench /tmp/hb/base && cp .gpu/base/*.dll /tmp/hb/base/; }
build/gpu/run-profile.sh $OUT/new 64k > $OUT/new/profile.txt 2>&1
HB=/tmp/hb/base build/gpu/run-profile.sh $OUT/base 64k > $OUT/base/profile.txt 2>&1
for b in new base; do echo "== $b"; grep -i "filter\|nvjet\|gemm\|splitK\|last pass" $OUT/$b/profile.txt | head -20; done
