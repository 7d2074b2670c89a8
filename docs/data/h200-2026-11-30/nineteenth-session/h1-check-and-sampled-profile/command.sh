set -u
mkdir -p /tmp/h1; OUTDIR=/tmp/h1; source build/gpu/device-env.sh
date -u +%H:%M:%S; nvidia-smi --query-gpu=index,name --format=csv,noheader
# 1. check-libtorch on the publish of HEAD (7ee43d0's K=7 cases, 03cc200's mends).
timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > /tmp/h1/check.log 2>&1; echo "check rc $?"
grep -h "option matrix:\|kernel checks:\|FAIL\|above its bound" /tmp/h1/check.log | cut -c1-300 | head -10
grep -hi "short" /tmp/h1/check.log | cut -c1-200 | head -12
date -u +%H:%M:%S
# 2. Where the host's time goes: EventPipe's sample profiler (1 ms) over whole-operator passes, 64k and 2k.
tr() { # name length reps
  DOTNET_EnableEventPipe=1 DOTNET_EventPipeOutputPath=/tmp/h1/$1.nettrace timeout 120 $HB/Hyena.Benchmarks host-overhead --device cuda \
    --width 768 --length $2 --filter-order 64 --pieces false --reference false --warmup 5 --reps $3 --out /tmp/h1/$1 > /tmp/h1/$1.log 2>&1
  echo "== $1 rc $?"; grep "operator" /tmp/h1/$1.log | tail -3
}
tr t64k 65536 400
tr t2k 2048 800
# 3. issue time alone: the operator figures at 2k..64k (no tracing).
timeout 100 $HB/Hyena.Benchmarks operator --device cuda --variants bf16-auto --lengths 2k,16k,64k --hyena-only-lengths 128k --verify-length 0 --warmup 3 --reps 15 --out /tmp/h1/op > /tmp/h1/op.log 2>&1
grep -E "^(2k|16k|64k|128k) +(attention|hyena) " /tmp/h1/op.log | awk '{print $1, $2, $6, $7, $9, $10}'
date -u +%H:%M:%S
tar -cJf $OUT/h1.tar.xz -C /tmp h1
