# Sourced by the run-*.sh scripts on the GPU machine: unpacks the publish once into /tmp/hb and points
# TorchBackend at the PyTorch install's libtorch. NVLink multicast stays off (the machine's policy).
R="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# HB may be set beforehand to another unpacked build (for example one with a different Microsoft.ML.Hyena.dll).
HB="${HB:-/tmp/hb/hyena-bench}"
# A machine still warm from an earlier call keeps /tmp/hb: unpacked again (and the base build of run-compare.sh dropped)
# when the carried archive differs from the one unpacked there.
STAMP=$(cksum < "$R/.gpu/app.tar.xz" | cut -d' ' -f1)
if [ ! -x /tmp/hb/hyena-bench/Hyena.Benchmarks ] || [ "$(cat /tmp/hb/.stamp 2>/dev/null)" != "$STAMP" ]; then
  rm -rf /tmp/hb && mkdir -p /tmp/hb && tar -xJf "$R/.gpu/app.tar.xz" -C /tmp/hb && echo "$STAMP" > /tmp/hb/.stamp
fi
TL=$(python3 -c 'import torch,os;print(os.path.dirname(torch.__file__)+"/lib")' 2>/dev/null)
export HYENA_LIBTORCH_DIR=$TL LD_LIBRARY_PATH=$TL${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export NCCL_NVLS_ENABLE=0 TORCH_SYMM_MEM_DISABLE_MULTICAST=1 NVSHMEM_DISABLE_NVLS=1
nvidia-smi --query-gpu=index,name,memory.total --format=csv > "${OUTDIR:-/tmp}/nvidia-smi.csv" 2>&1

# The operator's pieces at one length for one build (host-overhead: width 768, filter order 64, median of 20): the CSV
# to "$OUTDIR/<name>.csv", the log to /tmp/<name>.log. Usage: pieces <build folder> <length> <name> [timeout seconds]
pieces() {
  timeout "${4:-100}" "$1/Hyena.Benchmarks" host-overhead --device cuda --width 768 --length "$2" --filter-order 64 \
    --warmup 3 --reps 20 --out "/tmp/$3" > "/tmp/$3.log" 2>&1
  cp "/tmp/$3/host-overhead.csv" "$OUTDIR/$3.csv"
}
