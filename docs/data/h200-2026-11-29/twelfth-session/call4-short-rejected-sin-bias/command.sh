set -u
mkdir -p /tmp/o $OUT/prof; OUTDIR=/tmp/o; source build/gpu/device-env.sh
for b in base new; do rm -rf /tmp/hb/$b; cp -r /tmp/hb/hyena-bench /tmp/hb/$b && cp .gpu/$b/*.dll /tmp/hb/$b/; done
timeout 150 /tmp/hb/new/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > $OUT/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|Exception\|FAIL\|sin activation\|short-filter\|fp32-ref" $OUT/check.log | grep -v 8388608 | cut -c1-250 | head -20
op() { timeout 120 /tmp/hb/$1/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,1M --verify-length 0 --warmup 2 --reps 10 --out /tmp/op-$2 > $OUT/op-$2.log 2>&1; echo "== $2 $(grep -E '^(64k|1M) .*fwd\+bwd' $OUT/op-$2.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2 3; do op new new-$i; op base base-$i; done
for bb in 1 4; do HYENA_NVRTC_OPTIONS=-DHYENA_SHORT_BWD_BATCH=$bb op new batch$bb; done

HB=/tmp/hb/new build/gpu/run-profile.sh $OUT/prof 64k > $OUT/profile-64k.txt 2>&1
grep -E "hyena_short|hyena_sin|reduce_kernel|CUDAFunctor_add|last pass" $OUT/profile-64k.txt | head -12
