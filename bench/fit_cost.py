"""Wall time of a default Sequential Attention fit against the default issue #19 started from.

    python bench/fit_cost.py                  # three shapes, 3 alternated pairs each
    python bench/fit_cost.py --pairs 5 --k 20

The reference is today's engine with the two options #19 added switched off
(``candidate_penalty=0, logit_prior=0``: the four-network default of 2026-11-29); the
default has both on. Fits alternate (reference, default, reference, ...) on one thread so a
loaded machine slows both alike; the ratio is the median of the pairs' ratios. Data are
drawn here (Gaussian features, a class from the sign of a sum of five of them), so the
script needs no data set.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import torch

from seqattn import SequentialAttentionSelector

#: (name, samples, features): a small cohort, pbmc68k_reduced's size, a single-cell subsample.
SHAPES = [("cohort", 48, 1000), ("medium", 700, 765), ("cells", 3000, 2000)]
REFERENCE = {"candidate_penalty": 0.0, "logit_prior": 0.0}


def _data(n: int, d: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    y = (X[:, :5].sum(axis=1) + rng.normal(size=n) > 0).astype(int)
    return X, y


def _fit(X, y, k: int, options: dict) -> float:
    t0 = time.perf_counter()
    SequentialAttentionSelector(n_features_to_select=k, device="cpu", **options).fit(X, y)
    return time.perf_counter() - t0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pairs", type=int, default=3)
    p.add_argument("--k", type=int, default=10)
    a = p.parse_args()
    torch.set_num_threads(1)
    print("| shape | n x d | k | reference (s) | default (s) | default / reference |")
    print("|---|---|---|---|---|---|")
    for name, n, d in SHAPES:
        X, y = _data(n, d)
        ref, new = [], []
        for _ in range(a.pairs):
            ref.append(_fit(X, y, a.k, REFERENCE))
            new.append(_fit(X, y, a.k, {}))
        ratio = float(np.median(np.array(new) / np.array(ref)))
        print(
            f"| {name} | {n:,} x {d:,} | {a.k} | {np.median(ref):.1f} | {np.median(new):.1f} "
            f"| {ratio:.2f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
