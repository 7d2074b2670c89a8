set -u
mkdir -p /tmp/o /tmp/figures; OUTDIR=/tmp/o; source build/gpu/device-env.sh
export CUDA_VISIBLE_DEVICES=0
date -u +%H:%M:%S; nvidia-smi --query-gpu=index,name --format=csv
# The fresh publish of 3e357a9 (fewer host calls a pass; --trace-reps): the figures of docs/benchmarks.md.
bash build/gpu/run-figures.sh /tmp/figures
cp /tmp/pieces-65536.log /tmp/figures/ 2>/dev/null
date -u +%H:%M:%S
# Where the host's time goes, 64k and 2k (two cores pinned, medians of 300 passes).
for L in 65536 2048; do
  taskset -c 6,7 timeout 60 $HB/Hyena.Benchmarks host-overhead --device cuda --width 768 --length $L --filter-order 64 --pieces false --reference false \
    --warmup 5 --reps 10 --trace-reps 300 --out /tmp/o/trace-$L > /tmp/o/trace-$L.log 2>&1
  echo "== trace $L"; grep -B1 -A14 "^part" /tmp/o/trace-$L.log | tail -14
done
date -u +%H:%M:%S
# Then 64k and 128k again, attention beside each run, while the call's time lasts.
for i in 1 2 3 4; do
  [ $SECONDS -lt 200 ] || break
  timeout 60 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 64k,128k --verify-length 0 --warmup 3 --reps 15 --out /tmp/o/op-$i > /tmp/o/op-$i.log 2>&1
  echo "== $i"; grep -E "^(64k|128k) +(attention|hyena) " /tmp/o/op-$i.log | awk '{print $1, $2, $6, $7, $9, $10}' | tr '\n' ';'; echo
done
date -u +%H:%M:%S
gzip /tmp/o/*.csv /tmp/figures/*.csv 2>/dev/null
tar -cJf $OUT/f19.tar.xz -C /tmp o figures
