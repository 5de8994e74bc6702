"""Helpers shared by the CLI subcommands."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

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


def read_data(path: str, *, obs_only: bool = False) -> Any:
    """Read an .h5ad; a missing or unreadable file becomes a one-line error.

    ``obs_only`` opens the file backed (X stays on disk) for steps that need only ``obs``.
    """
    import anndata as ad

    if not Path(path).exists():
        raise SeqattnError(f"input {path} does not exist")
    try:
        return ad.read_h5ad(path, backed="r" if obs_only else None)
    except Exception as err:  # h5py/anndata raise many kinds; the user needs one line
        raise SeqattnError(f"cannot read {path} as .h5ad: {err}".splitlines()[0]) from None


def dataset_of(args: argparse.Namespace, adata: Any) -> str:
    """``--dataset``, else the name stored in the file, else the file name."""
    from seqattn.evaluate._data import dataset_name

    if getattr(args, "dataset", None):
        return str(args.dataset)
    return dataset_name(adata, Path(args.data).name.removesuffix(".h5ad"))
