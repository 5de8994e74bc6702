"""What the MaxQuant, DIA-NN and FragPipe readers share: one protein table to AnnData."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.io._checks import (
    check_finite,
    check_unique_samples,
    first_token,
    make_unique,
    numeric_block,
    numeric_split,
    preview,
    sanitize_frame,
)


def protein_anndata(
    table: pd.DataFrame,
    *,
    source: Path,
    intensity_columns: Sequence[str],
    samples: Sequence[str],
    name_columns: Sequence[str],
    annotation_columns: Sequence[str],
    uns: dict,
) -> ad.AnnData:
    """Build samples x protein groups from a features-as-rows protein table.

    Zeros become missing (these tools write 0 for "not quantified"). The feature name
    is the first entry of the first ``name_columns`` column that has one (leading gene,
    else leading protein id), made unique; the full annotation columns stay in ``var``.
    """
    if table.shape[0] == 0:
        raise SeqattnError(
            f"{source}: expected protein-group rows and none are left (every row was flagged as "
            "contaminant or decoy); keep them with --option drop_flagged=false (MaxQuant) or "
            "--option drop_contaminants=false"
        )
    check_unique_samples(samples, source=source, where="the intensity column names")
    block = table[list(intensity_columns)]
    row_ids = [f"row {i + 2}" for i in range(table.shape[0])]
    numeric, _ = numeric_split(block, source=source, row_names=row_ids)
    text = [c for c in intensity_columns if c not in numeric]
    if text:
        raise SeqattnError(
            f"{source}: expected numbers in the intensity columns and found text in "
            f"{preview(text, 3)}; use the tool's unmodified export, or pass --format tsv "
            "(--format csv) to read it as a plain matrix"
        )
    X = numeric_block(block).T.copy()
    zeros = X == 0
    n_zeros = int(zeros.sum())
    X[zeros] = np.nan
    names = pd.Series([None] * table.shape[0], dtype=object)
    for col in name_columns:
        if col in table.columns:
            names = names.where(names.notna(), first_token(table[col]).reset_index(drop=True))
    names = names.where(names.notna(), pd.Series([f"protein_{i}" for i in range(len(names))]))
    var_names = make_unique(names.tolist())
    check_finite(X, source=source, obs_names=list(samples), var_names=var_names)
    var = sanitize_frame(
        table[[c for c in annotation_columns if c in table.columns]].reset_index(drop=True)
    )
    var.index = var_names
    obs = pd.DataFrame(index=pd.Index([str(s) for s in samples]))
    adata = ad.AnnData(X=X, obs=obs, var=var)
    adata.uns["seqattn_io"] = {"path": str(source), **uns, "n_zeros_to_nan": n_zeros}
    return adata
