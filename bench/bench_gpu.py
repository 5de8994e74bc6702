"""Speed and memory of the Sequential Attention engine on a CUDA GPU (not a test).

Usage::

    .venv/bin/python bench/bench_gpu.py [--device cuda:0] [--budget-s 280] [--options JSON]

Runs the CPU benchmark's synthetic case (50,000 x 2,000, k=50) on the GPU, then a
large-n (1,000,000 x 2,000) and a large-d (100,000 x 20,000) case, all at the default
schedule (or with ``--options``, e.g. ``'{"n_restarts": 1}'`` for one network), with the
data generated on the GPU. Cases that would start after
``--budget-s`` seconds are skipped so the whole run stays under 5 minutes. Exits with
status 0 and a message when CUDA is not available. The engine runs the same code on CPU
and GPU (only the device differs), so the CPU tests cover this path's logic.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import matmul_gflops, planted_data, planted_found, run_fit

CASES = [
    ("synthetic", 50_000, 2_000),
    ("large_n", 1_000_000, 2_000),
    ("large_d", 100_000, 20_000),
]


def markdown_table(rows: list[dict], peak: float) -> list[str]:
    """The measurements of ``rows`` as a Markdown table (``peak``: matmul GFLOP/s)."""
    lines = [
        "| case | n x d | k | networks | batch | steps | wall (s) | ms/step | peak GPU (MB) | "
        "above data (MB) | GEMM GFLOP/s | of matmul peak | planted found |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['case']} | {r['n']:,} x {r['d']:,} | {r['k']} | {r['restarts']} | "
            f"{r['batch_size']} | {r['steps']:,} | {r['wall_s']} | {r['ms_per_step']} | "
            f"{r.get('peak_gpu_mb', 'n/a')} | {r.get('peak_gpu_above_data_mb', 'n/a')} | "
            f"{r['gemm_gflops']} | {r['gemm_gflops'] / peak:.0%} | {r['planted_found']}/5 |"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--budget-s", type=float, default=280.0)
    parser.add_argument(
        "--options", type=json.loads, default={}, help="engine options as JSON (default: none)"
    )
    args = parser.parse_args()
    import torch

    if not torch.cuda.is_available():
        print("bench_gpu: CUDA is not available on this machine; nothing to measure.")
        return 0
    start = time.perf_counter()
    device = args.device
    name = torch.cuda.get_device_name(torch.device(device))
    peak = matmul_gflops(8192, repeats=10, device=device)
    print(f"device: {name}; dense float32 matmul (8192^3, TF32 off): {peak:.0f} GFLOP/s")
    rows = []
    for case, n, d in CASES:
        if time.perf_counter() - start > args.budget_s:
            print(f"skipping {case}: time budget of {args.budget_s:.0f} s used", file=sys.stderr)
            continue
        X, y = planted_data(n, d, device=device)
        torch.cuda.synchronize()
        out = {"case": case, **run_fit(X, y, 50, device, 0.0, **args.options)}
        out["planted_found"] = planted_found(out)
        rows.append(out)
        print(json.dumps(out), file=sys.stderr)
        del X
        torch.cuda.empty_cache()
    print("\n".join(markdown_table(rows, peak)))
    print(f"total {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
