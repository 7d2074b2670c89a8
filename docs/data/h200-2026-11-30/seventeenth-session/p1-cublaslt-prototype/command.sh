set -x
nvidia-smi --query-gpu=name,clocks.sm,power.draw --format=csv
python3 .gpu/p1/lt.py 2>&1 | tee $OUT/p1.txt
