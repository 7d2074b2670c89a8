set -u
mkdir -p /tmp/q1; OUTDIR=/tmp/q1; source build/gpu/device-env.sh
for v in b5; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S
HB=/tmp/hb/b5 build/gpu/run-profile.sh /tmp/q1 64k > /tmp/q1/profile-64k.txt 2>&1
tail -n 200 /tmp/q1/profile-64k.txt | head -40
date -u +%H:%M:%S
gzip /tmp/q1/*.csv
tar -cJf $OUT/q1.tar.xz -C /tmp q1
