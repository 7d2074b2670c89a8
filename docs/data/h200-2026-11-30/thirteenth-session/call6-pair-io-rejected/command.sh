set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
for b in new ts; do rm -rf /tmp/hb/$b; cp -r /tmp/hb/hyena-bench /tmp/hb/$b && cp .gpu/$b/*.dll /tmp/hb/$b/; done
date -u +%H:%M:%S
timeout 200 /tmp/hb/new/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > $OUT/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|Exception\|FAIL\|failures" $OUT/check.log | grep -v 8388608 | cut -c1-250 | head -20
grep -h "BFloat16 L=65536 \.\.\.\|BFloat16 L=1048576 \.\.\.\|BFloat16 L=16384 \.\.\.\|BFloat16 L=8192 \.\.\." $OUT/check.log | cut -c1-250
op() { timeout 150 $2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,128k,1M --verify-length 0 --warmup 2 --reps 10 --out /tmp/op-$1 > /tmp/o/op-$1.log 2>&1; echo "== $1 ${HYENA_NVRTC_OPTIONS:-} $(grep -E '^(64k|128k|1M) .*fwd\+bwd' /tmp/o/op-$1.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2; do
  unset HYENA_NVRTC_OPTIONS; op new-$i /tmp/hb/new; op ts-$i /tmp/hb/ts; op base-$i $HB
  export HYENA_NVRTC_OPTIONS="-DHYENA_COLUMN_RADIX16=1"; op r16-$i /tmp/hb/new
done
unset HYENA_NVRTC_OPTIONS
oc() { timeout 100 $2/Hyena.Benchmarks operator --device cuda --variants bf16-onchip,bf16-auto --lengths 16k,32k --verify-length 0 --warmup 2 --reps 10 --out /tmp/oc-$1 > /tmp/o/oc-$1.log 2>&1; echo "== $1 $(grep -E '^(16k|32k) .*fwd\+bwd' /tmp/o/oc-$1.log | awk '{print $1, $3, $6, $7}' | tr '\n' ' ')"; }
oc new /tmp/hb/new; oc base $HB; oc new2 /tmp/hb/new; oc base2 $HB
HB=/tmp/hb/new build/gpu/run-profile.sh /tmp/o 64k > /tmp/o/profile-64k.txt 2>&1; tail -45 /tmp/o/profile-64k.txt | cut -c1-160
tar -cJf $OUT/ops.tar.xz -C /tmp/o .
date -u +%H:%M:%S
