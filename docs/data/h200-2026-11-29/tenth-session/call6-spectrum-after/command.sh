set -u
mkdir -p /tmp/o; OUTDIR=/tmp/o; source build/gpu/device-env.sh
[ -d /tmp/hb/base ] || { cp -r /tmp/hb/hyena-bench /tmp/hb/base && cp .gpu/base/*.dll /tmp/hb/base/; }
for i in 1 2 3; do for b in new base; do dir=$HB; [ $b = base ] && dir=/tmp/hb/base
  pieces "$dir" 65536 "p64-$b-$i"; echo "== 64k $b $i $(grep 'operator forward+backward.*bf16-auto' /tmp/p64-$b-$i.log | grep -v piece=)"; done; done
for i in 1 2; do for b in new base; do dir=$HB; [ $b = base ] && dir=/tmp/hb/base
  pieces "$dir" 16384 "p16-$b-$i"; echo "== 16k $b $i $(grep 'operator forward+backward.*bf16-auto' /tmp/p16-$b-$i.log | grep -v piece=)"; done; done
for b in new base; do dir=$HB; [ $b = base ] && dir=/tmp/hb/base
 timeout 100 $dir/Hyena.Benchmarks training --device cuda --lengths 16k,64k --models hyena-bf16 --budget-seconds 80 --child-timeout 60 --out /tmp/tr-$b > /tmp/train-$b.log 2>&1; echo "== train $b"; grep -A4 "^length\|tokens/s" /tmp/train-$b.log | head -8; cat /tmp/tr-$b/training.csv | grep -v "^#" ; done
for f in /tmp/p64-*.log /tmp/train-*.log; do cp $f $OUT/; done 2>/dev/null; ls $OUT | wc -l
