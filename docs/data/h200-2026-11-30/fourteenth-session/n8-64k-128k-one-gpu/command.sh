set -u
mkdir -p /tmp/o8; OUTDIR=/tmp/o8; source build/gpu/device-env.sh
date -u +%H:%M:%S
for i in 1 2; do timeout 200 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 64k,128k --verify-length 0 --warmup 3 --reps 15 --out /tmp/o8/op-$i > /tmp/o8/op-$i.log 2>&1; echo "== run $i"; grep -A5 "^length  attn_ms" /tmp/o8/op-$i.log; done
date -u +%H:%M:%S
tar -cJf $OUT/n8.tar.xz -C /tmp o8
