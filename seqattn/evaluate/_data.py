"""Read labels, groups and the expression matrix out of an AnnData, checking them once."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError


def obs_column(adata: Any, column: str, *, role: str = "label") -> pd.Series:
    """``adata.obs[column]`` as strings, or a one-line error naming the fix.

    Labels and groups are compared, written to tables and read back as text, so they are
    turned into strings here once; every step then agrees on what a class is called.
    """
    if column not in adata.obs.columns:
        known = ", ".join(map(str, adata.obs.columns[:20])) or "(none)"
        raise SeqattnError(f"{role} column {column!r} is not in adata.obs; choose one of: {known}")
    values = adata.obs[column]
    missing = values.isna().to_numpy()
    if missing.any():
        example = adata.obs_names[np.flatnonzero(missing)[0]]
        raise SeqattnError(
            f"{role} column {column!r} is missing for {int(missing.sum())} samples "
            f"(e.g. {example!r}); drop or fill them before cross-validation"
        )
    out = values.astype(str)
    out.index = adata.obs_names.astype(str)
    return out


def subject_groups(adata: Any, group: str | None) -> np.ndarray | None:
    """Subject of each sample (strings): ``adata.obs[group]``, else the group column that
    ``seqattn.pp.preprocess`` recorded, else None."""
    if group is None:
        record = adata.uns.get("seqattn_preprocessing", {}) if hasattr(adata, "uns") else {}
        group = record.get("group") if isinstance(record, dict) else None
        if group is None or group not in adata.obs.columns:
            return None
    return obs_column(adata, str(group), role="group").to_numpy()


def class_labels(y: np.ndarray) -> list[str]:
    """The sorted class names of a label vector (the column order of every score matrix)."""
    return sorted(pd.unique(np.asarray(y, dtype=str)).tolist())


def matrix(adata: Any, rows: np.ndarray | None = None) -> Any:
    """``adata.X`` (optionally a row subset) as a float array or CSR matrix.

    Sparse input stays sparse: the fold transformer decides how to densify it.
    """
    import scipy.sparse as sp

    X = adata.X if rows is None else adata.X[rows]
    if sp.issparse(X):
        X = X.tocsr()
        return X if X.dtype.kind == "f" else X.astype(np.float32)
    X = np.asarray(X)
    return X if X.dtype.kind == "f" else X.astype(np.float32)


def dataset_name(adata: Any, fallback: str) -> str:
    """The data set's name from ``adata.uns["dataset"]["name"]``, else ``fallback``."""
    info = adata.uns.get("dataset", {}) if hasattr(adata, "uns") else {}
    name = info.get("name") if isinstance(info, dict) else None
    return str(name) if name else fallback
