set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
for v in new w16; do rm -rf /tmp/hb/$v; cp -r /tmp/hb/hyena-bench /tmp/hb/$v && cp .gpu/$v/*.dll /tmp/hb/$v/; done
date -u +%H:%M:%S
timeout 150 /tmp/hb/w16/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/o/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL" /tmp/o/check.log | cut -c1-200 | head -8
grep -h "option matrix L=65536 Auto order 2 BFloat16\|option matrix L=65536 Auto order 3 BFloat16 \.\.\.\|four-step\|Four-step" /tmp/o/check.log | cut -c1-330 | head -12
for v in new w16; do timeout 100 /tmp/hb/$v/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 32k --verify-length 65536 --warmup 1 --reps 3 --out /tmp/ver-$v > /tmp/o/verify-$v.log 2>&1; echo "== verify $v"; grep -i "verif\|max rel\|error" /tmp/o/verify-$v.log | cut -c1-250 | head -6; done
op() { timeout 120 $2/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k --hyena-only-lengths 32k,64k,128k,1M --verify-length 0 --warmup 2 --reps 10 --out /tmp/op-$1 > /tmp/o/op-$1.log 2>&1; echo "== $1 $(grep -E '^(32k|64k|128k|1M) .*fwd\+bwd' /tmp/o/op-$1.log | awk '{print $1, $6, $7}' | tr '\n' ' ')"; }
for i in 1 2; do op w16-$i /tmp/hb/w16; op new-$i /tmp/hb/new; done
date -u +%H:%M:%S
tar -cJf $OUT/n2.tar.xz -C /tmp/o .
