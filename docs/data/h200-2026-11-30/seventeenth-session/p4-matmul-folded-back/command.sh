set -u
mkdir -p /tmp/p4; OUTDIR=/tmp/p4; source build/gpu/device-env.sh
rm -rf /tmp/hb/lt; cp -r /tmp/hb/hyena-bench /tmp/hb/lt && cp .gpu/lt/*.dll /tmp/hb/lt/
date -u +%H:%M:%S
timeout 200 /tmp/hb/lt/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/p4/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound\|cuBLASLt\|widening" /tmp/p4/check.log | cut -c1-400 | head -14
date -u +%H:%M:%S
op() { timeout 120 env $3 /tmp/hb/lt/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths $2 --hyena-only-lengths 1M --verify-length 0 --warmup 3 --reps 15 --out /tmp/p4/op-$1 > /tmp/p4/op-$1.log 2>&1; echo "== $1"; grep -E "^(8k|16k|64k|128k|1M) +(attention|hyena) " /tmp/p4/op-$1.log | awk '{print $1, $2, $6, $7, $9, $10}' | tr '\n' ';'; echo; }
for i in 1 2 3; do op new-$i 64k,128k HYENA_X=1; op old-$i 64k,128k HYENA_CUBLASLT=0; done
HB=/tmp/hb/lt build/gpu/run-profile.sh /tmp/p4 64k > /tmp/p4/profile-new-64k.txt 2>&1; grep -A 200 "last pass" /tmp/p4/profile-new-64k.txt | awk '$1+0 > 60' | cut -c1-120 | head -40
date -u +%H:%M:%S
tar -cJf $OUT/p4.tar.xz -C /tmp p4
