set -u
mkdir -p /tmp/o $OUT/prof; OUTDIR=/tmp/o; source build/gpu/device-env.sh
rm -rf /tmp/hb/base; cp -r /tmp/hb/hyena-bench /tmp/hb/base && cp .gpu/base/*.dll /tmp/hb/base/
date -u +%H:%M:%S
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > $OUT/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|Exception\|FAIL\|sin activation\|fp32-ref" $OUT/check.log | grep -v 8388608 | cut -c1-250 | head -12
op() { timeout 120 $1/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 64k,1M --verify-length 0 --warmup 2 --reps 10 --out /tmp/op-$2 > $OUT/op-$2.log 2>&1; echo "== $2 $(grep -E '^(64k|1M) .*fwd\+bwd' $OUT/op-$2.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2 3; do op $HB new-$i; op /tmp/hb/base base-$i; done
build/gpu/run-profile.sh $OUT/prof 64k > $OUT/prof/profile-64k.txt 2>&1
grep -E "hyena_sin|reduce_kernel|CUDAFunctor_add|last pass" $OUT/prof/profile-64k.txt | head -8
date -u +%H:%M:%S
mkdir -p $OUT/figures; build/gpu/run-figures.sh $OUT/figures
cp /tmp/o/pieces-65536.csv $OUT/figures/ 2>/dev/null; date -u +%H:%M:%S
