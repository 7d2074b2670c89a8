source build/gpu/device-env.sh; OUTDIR=$OUT; timeout 150 $HB/Hyena.Benchmarks check-libtorch --device cuda --out /tmp/check > $OUT/check.log 2>&1; build/gpu/run-figures.sh "$OUT"
