"""The synthetic redundancy and suppressor tests of ``tests/test_core.py`` over 20 seeds.

    python bench/synthetic_seeds.py '{"logit_prior": 1.0}'        # seeds 0-19, n = 600
    python bench/synthetic_seeds.py '{}' --n 150 --seeds 10        # a smaller sample

Prints, for the given selector options, how many seeds pick both independent features in
the top 3 (redundancy) and the suppressor pair as the top 2 (suppressor), with the same
generators and the same 16-unit CPU fit as the tests.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from test_core import _small_fit, redundant_problem, suppressor_problem  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("options", type=json.loads)
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--n", type=int, default=600)
    a = p.parse_args()
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    redundant = suppressor = 0
    for seed in range(a.seeds):
        X, y, independent = redundant_problem(seed, n=a.n)
        redundant += independent <= set(_small_fit(X, y, 3, seed, a.options).order.tolist())
        X, y, pair = suppressor_problem(seed, n=a.n)
        suppressor += set(_small_fit(X, y, 2, seed, a.options).order.tolist()) == pair
    print(
        f"{json.dumps(a.options)} n={a.n}: redundancy {redundant}/{a.seeds}, "
        f"suppressor {suppressor}/{a.seeds} ({time.perf_counter() - t0:.0f} s)",
        flush=True,
    )


if __name__ == "__main__":
    main()
