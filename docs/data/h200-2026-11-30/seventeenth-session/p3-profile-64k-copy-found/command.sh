set -u
mkdir -p /tmp/p3; OUTDIR=/tmp/p3; source build/gpu/device-env.sh
[ -d /tmp/hb/lt ] || { rm -rf /tmp/hb/lt; cp -r /tmp/hb/hyena-bench /tmp/hb/lt && cp .gpu/lt/*.dll /tmp/hb/lt/; }
date -u +%H:%M:%S
HB=/tmp/hb/lt build/gpu/run-profile.sh /tmp/p3 64k > /tmp/p3/profile-new-64k.txt 2>&1
HYENA_CUBLASLT=0 HB=/tmp/hb/lt build/gpu/run-profile.sh /tmp/p3 64k > /tmp/p3/profile-old-64k.txt 2>&1
date -u +%H:%M:%S
for v in new old; do echo "== $v"; grep -A 200 "last pass" /tmp/p3/profile-$v-64k.txt | awk '$1+0 > 25' | cut -c1-120; done
gzip /tmp/p3/*.csv
tar -cJf $OUT/p3.tar.xz -C /tmp p3
