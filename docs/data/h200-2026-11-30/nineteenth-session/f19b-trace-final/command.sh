set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
date -u +%H:%M:%S; nvidia-smi --query-gpu=index,name --format=csv,noheader; md5sum $HB/Microsoft.ML.Hyena.dll
# The fresh publish of 3e357a9: where the host's time in a pass goes (host-overhead --trace-reps), 64k and 2k, two cores pinned.
for L in 65536 2048; do
  taskset -c 6,7 timeout 60 $HB/Hyena.Benchmarks host-overhead --device cuda --width 768 --length $L --filter-order 64 --pieces false --reference false \
    --warmup 5 --reps 10 --trace-reps 300 --out /tmp/o/trace-$L > /tmp/o/trace-$L.log 2>&1
  echo "== trace $L rc $?"; grep -A13 "^part" /tmp/o/trace-$L.log
done
date -u +%H:%M:%S
for i in 1 2; do
  [ $SECONDS -lt 150 ] || break
  timeout 60 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 64k,128k --verify-length 0 --warmup 3 --reps 15 --out /tmp/o/op-$i > /tmp/o/op-$i.log 2>&1
  echo "== $i"; grep -E "^(64k|128k) +(attention|hyena) " /tmp/o/op-$i.log | awk '{print $1, $2, $6, $7, $9, $10}' | tr '\n' ';'; echo
done
date -u +%H:%M:%S
gzip /tmp/o/*.csv /tmp/o/*/*.csv 2>/dev/null
tar -cJf $OUT/f19b.tar.xz -C /tmp o
