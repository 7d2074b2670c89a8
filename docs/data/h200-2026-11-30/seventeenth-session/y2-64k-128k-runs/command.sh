set -u
mkdir -p /tmp/y2; OUTDIR=/tmp/y2; source build/gpu/device-env.sh
date -u +%H:%M:%S
for i in 1 2 3 4 5 6; do timeout 80 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 64k,128k --verify-length 0 --warmup 3 --reps 15 --out /tmp/y2/op-$i > /tmp/y2/op-$i.log 2>&1; echo "== $i"; grep -E "^(64k|128k) +(attention|hyena) " /tmp/y2/op-$i.log | awk '{print $1, $2, $6, $7, $9}' | tr '\n' ';'; echo; done
date -u +%H:%M:%S
tar -cJf $OUT/y2.tar.xz -C /tmp y2
