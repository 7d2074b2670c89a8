set -u
mkdir -p /tmp/p2; OUTDIR=/tmp/p2; source build/gpu/device-env.sh
rm -rf /tmp/hb/lt; cp -r /tmp/hb/hyena-bench /tmp/hb/lt && cp .gpu/lt/*.dll /tmp/hb/lt/
date -u +%H:%M:%S
timeout 200 /tmp/hb/lt/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/p2/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|cuBLASLt\|widening" /tmp/p2/check.log | cut -c1-400 | head -14
date -u +%H:%M:%S
op() { timeout 120 env $3 /tmp/hb/lt/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths $2 --hyena-only-lengths 1M --verify-length 0 --warmup 3 --reps 15 --out /tmp/p2/op-$1 > /tmp/p2/op-$1.log 2>&1; echo "== $1"; grep -E "^(8k|16k|64k|128k|1M) +(attention|hyena) " /tmp/p2/op-$1.log | awk '{print $1, $2, $6, $7, $9, $10}' | tr '\n' ';'; echo; }
for i in 1 2 3; do op new-$i 64k,128k HYENA_X=1; op old-$i 64k,128k HYENA_CUBLASLT=0; done
date -u +%H:%M:%S
tar -cJf $OUT/p2.tar.xz -C /tmp p2
