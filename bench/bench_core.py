"""Speed and memory of the Sequential Attention engine on the CPU (not a test).

Usage::

    .venv/bin/python bench/bench_core.py            # all cases, 2 threads, markdown table
    .venv/bin/python bench/bench_core.py --threads 4 --cases matmul synthetic
    .venv/bin/python bench/bench_core.py --options '{"n_restarts": 1}'   # one network
    .venv/bin/python bench/bench_core.py --cases matmul few_wide large_n   # range corners

Each case runs in its own process so its peak memory (max RSS) is its own. Reported:
wall time of the whole fit (data standardisation included), peak RSS and the part of it
above the RSS once the data were loaded, the GEMM throughput the training loop reached
(floating-point operations of its matrix products per second of the whole fit) and that
as a fraction of this machine's measured dense float32 matmul throughput.
"""

from __future__ import annotations

import argparse
import inspect
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import time
from datetime import date

import numpy as np


def _rss_mb() -> float:
    """Current resident memory of this process in MB (Linux)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _peak_rss_mb() -> float:
    """Peak resident memory of this process in MB (Linux reports ``ru_maxrss`` in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / 1e6


def matmul_gflops(size: int = 2048, repeats: int = 10, device: str = "cpu") -> float:
    """Measured dense float32 matmul throughput (GFLOP/s), best of ``repeats``."""
    import torch

    a = torch.randn(size, size, device=device)
    b = torch.randn(size, size, device=device)
    best = float("inf")
    for _ in range(repeats + 2):
        if device != "cpu":
            torch.cuda.synchronize()
        start = time.perf_counter()
        a @ b
        if device != "cpu":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9


def gemm_flops_per_step(batch: int, d: int, hidden: tuple[int, ...], outputs: int, r: int) -> int:
    """Floating-point operations of the matrix products of one training step.

    First layer: forward ``x @ W`` and backward ``x.T @ grad`` (no gradient is needed
    for the data), 2 * (2 b d H) with H = restarts x width. Later layers: forward plus
    two backward products, 3 * (2 b h_in h_out) per restart.
    """
    widths = [*hidden, outputs]
    flops = 4 * batch * d * widths[0] * r
    for fan_in, fan_out in itertools.pairwise(widths):
        flops += 6 * batch * fan_in * fan_out * r
    return flops


def run_fit(X, y, k: int, device: str, rss_data: float, **options) -> dict:
    """Fit once and return the measurements."""
    import torch

    from seqattn.core import sequential_attention

    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
        torch.cuda.synchronize()
        gpu_before = torch.cuda.memory_allocated()
    start = time.perf_counter()
    result = sequential_attention(X, y, k, device=device, random_state=0, **options)
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    wall = time.perf_counter() - start
    s = result.schedule
    defaults = inspect.signature(sequential_attention).parameters
    hidden = tuple(options.get("hidden", defaults["hidden"].default))
    restarts = options.get("n_restarts", defaults["n_restarts"].default)
    outputs = 1 if result.classes is None else len(result.classes)
    flops = gemm_flops_per_step(s.batch_size, X.shape[1], hidden, outputs, restarts)
    out = {
        "n": int(X.shape[0]),
        "d": int(X.shape[1]),
        "k": k,
        "restarts": restarts,
        "device": result.device,
        "batch_size": s.batch_size,
        "steps": s.total_steps,
        "epochs": round(s.epochs(X.shape[0]), 1),
        "wall_s": round(wall, 2),
        "ms_per_step": round(wall / s.total_steps * 1e3, 3),
        "gemm_gflops": round(flops * s.total_steps / wall / 1e9, 2),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
        "peak_above_data_mb": round(_peak_rss_mb() - rss_data, 1),
        "order_head": result.order[:5].tolist(),
    }
    if device.startswith("cuda"):
        out["peak_gpu_mb"] = round(torch.cuda.max_memory_allocated() / 1e6, 1)
        out["peak_gpu_above_data_mb"] = round(
            (torch.cuda.max_memory_allocated() - gpu_before) / 1e6, 1
        )
    return out


def planted_found(out: dict) -> int:
    """How many of :func:`planted_data`'s planted features (0-4) a fit picked first."""
    return len(set(range(5)) & set(out["order_head"]))


def planted_data(n: int, d: int, seed: int = 0, device: str | None = None):
    """Gaussian features; the class is the sign of the sum of features 0-4."""
    if device is None:
        rng = np.random.default_rng(seed)
        X = rng.standard_normal((n, d), dtype=np.float32)
        y = (X[:, :5].sum(axis=1) > 0).astype(np.int64)
        return X, y
    import torch

    gen = torch.Generator(device=device).manual_seed(seed)
    X = torch.randn(n, d, generator=gen, device=device)
    y = (X[:, :5].sum(dim=1) > 0).long().cpu().numpy()
    return X, y


def case(name: str, threads: int, options: dict) -> dict:
    import torch

    import seqattn.core  # noqa: F401 - its imports (sklearn, scipy) must not count as fit memory

    torch.set_num_threads(threads)
    if name == "matmul":
        return {"case": name, "gflops_2048": round(matmul_gflops(), 1)}
    # The machine's matmul rate again right after the fit, in this process (the fit's memory
    # has been recorded by then; a matmul before it would leave allocator state behind that
    # hides part of the fit's memory): the loop's fraction uses the mean of the "matmul"
    # case run just before and this, so drift of a shared virtual machine partly cancels.
    out = _fit_case(name, options)
    return {**out, "matmul_after": round(matmul_gflops(), 1)}


def _fit_case(name: str, options: dict) -> dict:
    if name == "mice":
        from seqattn.datasets import mice_protein

        adata = mice_protein()
        X = np.asarray(adata.X, dtype=np.float32)
        X = np.where(np.isnan(X), np.nanmedian(X, axis=0), X)
        y = adata.obs["class"].to_numpy()
        # Mice Protein has 77 proteins only, so k=50 selects most of them.
        return {"case": name, **run_fit(X, y, 50, "cpu", _rss_mb(), **options)}
    if name in PLANTED:
        X, y = planted_data(*PLANTED[name])
        out = run_fit(X, y, 50, "cpu", _rss_mb(), **options)
        out["planted_found"] = planted_found(out)
        return {"case": name, **out}
    raise SystemExit(f"unknown case {name!r}")


#: Planted-signal cases (n, d): the default "synthetic" one, and the corners of the range
#: the defaults must cover (opt-in: ``--cases few_wide`` / ``large_n``; the latter holds
#: 8 GB of data and runs for tens of minutes on two cores).
PLANTED = {
    "synthetic": (50_000, 2_000),
    "few_wide": (50, 30_000),
    "large_n": (1_000_000, 2_000),
}


def _cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return platform.processor() or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--cases", nargs="+", default=["matmul", "mice", "synthetic"])
    parser.add_argument(
        "--options", default="{}", help="selector options as JSON (default: its defaults)"
    )
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: run one case here
    args = parser.parse_args()
    if args.case:
        print(json.dumps(case(args.case, args.threads, json.loads(args.options))))
        return
    load_before = os.getloadavg()[0]
    rows = []
    for name in args.cases:
        proc = subprocess.run(
            [
                *(sys.executable, __file__, "--case", name),
                *("--threads", str(args.threads), "--options", args.options),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
        print(json.dumps(rows[-1]), file=sys.stderr)
    peak = next((r["gflops_2048"] for r in rows if r["case"] == "matmul"), None)
    print(f"\nmachine: {_cpu_model()}, {os.cpu_count()} cores, {args.threads} torch threads")
    print(f"date: {date.today().isoformat()}; selector options: {args.options}")
    # Other processes on the machine change every number here: report the load.
    print(f"1-min load average: {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    if peak:
        print(f"dense float32 matmul (2048^3): {peak} GFLOP/s\n")
    print(
        "| case | n x d | k | networks | batch | steps | wall (s) | ms/step | peak RSS (MB) | "
        "above data (MB) | GEMM GFLOP/s | matmul before / after the fit | of matmul | "
        "planted found |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["case"] == "matmul":
            continue
        before = peak or r["matmul_after"]
        rate = (before + r["matmul_after"]) / 2
        found = f"{r['planted_found']}/5" if "planted_found" in r else "-"
        print(
            f"| {r['case']} | {r['n']:,} x {r['d']:,} | {r['k']} | {r['restarts']} | "
            f"{r['batch_size']} | "
            f"{r['steps']:,} | {r['wall_s']} | {r['ms_per_step']} | {r['peak_rss_mb']} | "
            f"{r['peak_above_data_mb']} | {r['gemm_gflops']} | "
            f"{before} / {r['matmul_after']} | {r['gemm_gflops'] / rate:.0%} | {found} |"
        )
    print("\n(matmul before: the separate matmul case; after: in the fit's process)")


if __name__ == "__main__":
    main()
