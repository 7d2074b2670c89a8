set -u
mkdir -p /tmp/o9; OUTDIR=/tmp/o9; source build/gpu/device-env.sh
rm -rf /tmp/hb/iss; cp -r /tmp/hb/hyena-bench /tmp/hb/iss && cp .gpu/iss/*.dll /tmp/hb/iss/
date -u +%H:%M:%S
for i in 1 2; do timeout 200 /tmp/hb/iss/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 8k,16k,32k,64k,128k --verify-length 0 --warmup 3 --reps 15 --out /tmp/o9/op-$i > /tmp/o9/op-$i.log 2>&1; echo "== run $i"; grep -E "^(8k|16k|32k|64k|128k) " /tmp/o9/op-$i.log; done
date -u +%H:%M:%S
tar -cJf $OUT/n9.tar.xz -C /tmp o9
