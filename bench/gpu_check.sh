#!/usr/bin/env bash
# The GPU checks in one run (for a machine with a CUDA GPU; not part of CI):
#   1. tests/test_core_cuda.py: the engine's selections, inputs and memory on CUDA;
#   2. bench/bench_gpu.py: speed and memory of k = 50 fits on CUDA (under 5 minutes).
# Usage: bash bench/gpu_check.sh [OUTDIR]   (default bench/results/gpu; $OUT if set)
# Runs with the python3 on PATH; the repository is put on PYTHONPATH, so only torch,
# numpy, scipy, scikit-learn, tqdm and pytest are needed (no install of seqattn).
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:-${OUT:-bench/results/gpu}}"
mkdir -p "$out"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1 CUDA_VISIBLE_DEVICES="${CUDA_VISIBLE_DEVICES:-0}"
{
  date -u
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
  python3 -c "import sys, torch, numpy, sklearn; print(sys.version.split()[0], 'torch', torch.__version__, 'cuda', torch.version.cuda, 'numpy', numpy.__version__, 'sklearn', sklearn.__version__)"
} 2>&1 | tee "$out/machine.txt"
timeout 150 python3 -m pytest -p no:cacheprovider -q -rA tests/test_core_cuda.py 2>&1 | tee "$out/test_core_cuda.txt"
tests_rc=${PIPESTATUS[0]}
timeout 330 python3 bench/bench_gpu.py --budget-s 200 > "$out/bench_gpu.md" 2> "$out/bench_gpu.jsonl"
bench_rc=$?
cat "$out/bench_gpu.md" "$out/bench_gpu.jsonl"
echo "tests exit $tests_rc, bench exit $bench_rc"
exit $(( tests_rc != 0 || bench_rc != 0 ))
