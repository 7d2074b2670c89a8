set -u
mkdir -p /tmp/p6; OUTDIR=/tmp/p6; source build/gpu/device-env.sh
date -u +%H:%M:%S; nvidia-smi --query-gpu=index,name --format=csv,noheader; nproc
op() { timeout 100 env $2 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k,8k,16k,32k,64k --verify-length 0 --warmup 3 --reps 15 --out /tmp/p6/op-$1 > /tmp/p6/op-$1.log 2>&1; echo "== $1"; grep -E "^(2k|8k|16k|32k|64k) +(attention|hyena) " /tmp/p6/op-$1.log | awk '{print $1, $2, $6, $7, $9, $10}' | tr '\n' ';'; echo; }
for i in 1 2 3; do op new-$i HYENA_X=1; op old-$i HYENA_CUBLASLT=0; done
date -u +%H:%M:%S
tar -cJf $OUT/p6.tar.xz -C /tmp p6
