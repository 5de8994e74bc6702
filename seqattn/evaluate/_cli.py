"""Run-time helpers of the evaluation subcommands (select, validate, folds).

Parser-building helpers live in ``seqattn/cli/select.py`` so that building the parser
never imports this package (and pandas with it).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from seqattn._errors import SeqattnError


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
