"""Helpers shared by the CLI subcommands."""

from __future__ import annotations

import argparse
import os

from seqattn._errors import SeqattnError


def parse_options(pairs: list[str] | None) -> dict[str, object]:
    """Turn ``["key=value", ...]`` into a dict, parsing values as YAML scalars.

    ``--option hidden=[64,32] --option lr=0.01`` gives ``{"hidden": [64, 32], "lr": 0.01}``.
    """
    import yaml

    out: dict[str, object] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise SeqattnError(f"option {pair!r} is not KEY=VALUE; write it as e.g. lr=0.01")
        key, value = pair.split("=", 1)
        out[key.strip()] = yaml.safe_load(value)
    return out


def set_threads(n: int | None) -> None:
    """Cap torch and BLAS/OpenMP threads (Snakemake passes the rule's ``threads``)."""
    if not n:
        return
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        pass
    import torch

    torch.set_num_threads(n)


def add_threads_argument(parser: argparse.ArgumentParser) -> None:
    """``--threads N``: the CPU threads torch, BLAS and scikit-learn may use."""
    parser.add_argument(
        "--threads", type=int, default=None, help="CPU threads for torch/BLAS (default: all)"
    )
