set -u
SKIP_OPERATOR=1 build/gpu/run-compare.sh "$OUT" > $OUT/compare.txt 2>&1
grep "==\|operator forward+backward\|filter" $OUT/compare.txt | grep -v "piece=" | head -30
grep -h "option matrix:\|channels first\|Exception" $OUT/check.log | grep -v 8388608 | cut -c1-400
OUTDIR=$OUT; source build/gpu/device-env.sh
for i in 1 2; do for b in new base; do dir=$HB; [ $b = base ] && dir=/tmp/hb/base
  pieces "$dir" 65536 "p64-$b-$i"; echo "== $b $i"; grep "operator forward+backward\|filter" /tmp/p64-$b-$i.log | grep -v "piece="; done; done
