set -u
mkdir -p /tmp/z3; OUTDIR=/tmp/z3; source build/gpu/device-env.sh
date -u +%H:%M:%S
run() { timeout 80 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 64k,128k --verify-length 0 --warmup 3 --reps 15 --out /tmp/z3/op-$1 > /tmp/z3/op-$1.log 2>&1; echo "== $1 ${PYTORCH_CUDA_ALLOC_CONF:-default}"; grep -E "^(64k|128k) +(attention|hyena) " /tmp/z3/op-$1.log | awk '{print $1, $2, $6, $7, $9}' | tr '\n' ';'; echo; }
for i in 1 2 3; do
  unset PYTORCH_CUDA_ALLOC_CONF; run d$i
  PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True run e$i
done
unset PYTORCH_CUDA_ALLOC_CONF
date -u +%H:%M:%S
tar -cJf $OUT/z3.tar.xz -C /tmp z3
