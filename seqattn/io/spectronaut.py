"""Spectronaut reports: the long (normal) report and the protein-group pivot report."""

from __future__ import annotations

import os
import re

import anndata as ad
import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.io._checks import (
    NA_VALUES,
    check_file,
    preview,
    raw_header,
    read_text_table,
    run_stem,
)
from seqattn.io._proteomics import protein_anndata
from seqattn.io.formats import text_separator

#: Cells Spectronaut writes for "no value" besides empty ones.
_NA = [*NA_VALUES, "Filtered", "NaN"]

#: ``[3] run.raw.PG.Quantity`` as Spectronaut writes it, or ``X.3..run.raw.PG.Quantity``
#: after R's ``read.delim`` (``check.names``) has been through it.
_RUN_PREFIX = re.compile(r"^(\[\d+\]\s*|X\.\d+\.\.)")

_ANNOTATION = (
    "PG.ProteinGroups",
    "PG.ProteinAccessions",
    "PG.Genes",
    "PG.ProteinDescriptions",
    "PG.ProteinNames",
    "PG.Organisms",
    "PG.Qvalue",
    "PG.Cscore",
)


def read_spectronaut(
    path: str | os.PathLike[str], *, intensity: str = "PG.Quantity"
) -> ad.AnnData:
    """Read a Spectronaut report as samples (runs) x protein groups.

    Two layouts are read, told apart by their columns:

    - the long report (one row per fragment, precursor or protein and run:
      ``R.FileName``, ``PG.ProteinGroups``, ``PG.Quantity``), summarised to one value per
      protein group and run (the protein-group quantity repeats on every row of its
      group; rows flagged ``EG.IsDecoy`` are dropped first);
    - the protein pivot report (``PG.ProteinGroups`` and one ``[n] <run>.PG.Quantity``
      column per run).

    Parameters
    ----------
    path
        The report (tab-separated; ``.csv`` exports are read with commas). Decimal
        commas (``1449,78``) in the quantity are read as decimal points.
    intensity
        The protein-group quantity column: ``"PG.Quantity"`` (default), or another
        ``PG.*`` quantity of the report such as ``"PG.MS1Quantity"`` or ``"PG.IBAQ"``.

    Returns
    -------
    AnnData
        ``X`` float32 (0, empty, ``Filtered`` = NaN); ``var_names`` the leading gene of
        ``PG.Genes``, else the leading protein group; ``obs["run"]`` the run as written;
        per-run ``R.*`` columns of a long report (condition, replicate) in ``obs``.

    Examples
    --------
    A long report: one row per precursor and run, the protein-group quantity repeated on
    each row of its group:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "report.tsv"
    >>> pd.DataFrame({
    ...     "R.FileName": ["run_A1", "run_A1", "run_A1", "run_B1", "run_B1"],
    ...     "R.Condition": ["A", "A", "A", "B", "B"],
    ...     "PG.ProteinGroups": ["P02768", "P02768", "P01024", "P02768", "P01024"],
    ...     "PG.Genes": ["ALB", "ALB", "C3", "ALB", "C3"],
    ...     "EG.PrecursorId": ["_LVNEVTEFAK_.2", "_AEFAEVSK_.2", "_VQLSNDFDEYIMAIEQTIK_.3",
    ...                        "_LVNEVTEFAK_.2", "_VQLSNDFDEYIMAIEQTIK_.3"],
    ...     "PG.Quantity": [1200.0, 1200.0, 300.0, 1100.0, 350.0],
    ... }).to_csv(path, sep="\\t", index=False)
    >>> adata = seqattn.io.read_spectronaut(path)
    >>> adata.obs_names.tolist(), adata.var_names.tolist()  # protein groups in sorted order
    (['run_A1', 'run_B1'], ['C3', 'ALB'])
    >>> adata.X.tolist()
    [[300.0, 1200.0], [350.0, 1100.0]]
    >>> adata.obs["R.Condition"].tolist(), adata.uns["seqattn_io"]["layout"]
    (['A', 'B'], 'long')

    The protein pivot report of the same runs reads the same way:

    >>> pd.DataFrame({
    ...     "PG.ProteinGroups": ["P02768", "P01024"],
    ...     "PG.Genes": ["ALB", "C3"],
    ...     "[1] run_A1.raw.PG.Quantity": [1200.0, 300.0],
    ...     "[2] run_B1.raw.PG.Quantity": [1100.0, "Filtered"],
    ... }).to_csv(path, sep="\\t", index=False)
    >>> adata = seqattn.io.read_spectronaut(path)
    >>> adata.obs_names.tolist(), adata.obs["run"].tolist()
    (['run_A1', 'run_B1'], ['run_A1.raw', 'run_B1.raw'])
    >>> adata.X.tolist()  # "Filtered" is missing
    [[1200.0, 300.0], [1100.0, nan]]
    >>> tmp.cleanup()
    """
    p = check_file(path)
    sep = text_separator(p)
    df = read_text_table(p, sep, na_values=_NA)
    if "PG.ProteinGroups" not in df.columns:
        raise SeqattnError(
            f"{p}: expected a Spectronaut report with a 'PG.ProteinGroups' column and found "
            "none; export the report with PG.ProteinGroups, or pass --format tsv for a plain matrix"
        )
    if not intensity.startswith("PG."):
        raise SeqattnError(
            f"{p}: intensity={intensity!r} is not a protein-group quantity; pass --option "
            "intensity=PG.Quantity (or another PG.* quantity of the report)"
        )
    if "R.FileName" in df.columns or "R.Raw File Name" in df.columns:
        return _long(df, p, intensity)
    return _pivot(df, p, sep, intensity)


def _numeric(values: pd.Series) -> pd.Series:
    """Numbers from a quantity column; decimal commas become points."""
    if values.dtype == object:
        values = values.astype(str).str.strip().str.replace(",", ".", regex=False)
        values = values.where(~values.isin(["nan", "None", ""]), np.nan)
    return values


def _long(df: pd.DataFrame, p, intensity: str) -> ad.AnnData:
    run_col = "R.FileName" if "R.FileName" in df.columns else "R.Raw File Name"
    if intensity not in df.columns:
        quantities = [c for c in df.columns if c.startswith("PG.") and "Quantity" in c]
        raise SeqattnError(
            f"{p}: expected the column {intensity!r} in this Spectronaut long report and found "
            f"none; pass --option intensity=<column> with one of: {preview(quantities) or 'none'}"
        )
    n_rows = int(df.shape[0])
    if "EG.IsDecoy" in df.columns:
        decoy = df["EG.IsDecoy"].astype(str).str.strip().str.lower().eq("true")
        df = df.loc[~decoy.to_numpy()]
    df = df.loc[df[run_col].notna().to_numpy() & df["PG.ProteinGroups"].notna().to_numpy()]
    df = df.assign(**{intensity: _numeric(df[intensity])})
    keep = ["PG.ProteinGroups", run_col, intensity]
    per = df[keep].drop_duplicates(subset=["PG.ProteinGroups", run_col])
    wide = per.pivot(index="PG.ProteinGroups", columns=run_col, values=intensity)
    runs = [str(r) for r in wide.columns]
    annotation = (
        df[[c for c in _ANNOTATION if c in df.columns]]
        .drop_duplicates(subset=["PG.ProteinGroups"])
        .set_index("PG.ProteinGroups")
        .reindex(wide.index)
    )
    table = pd.concat([annotation.reset_index(), wide.reset_index(drop=True)], axis=1)
    table.columns = [*annotation.reset_index().columns, *runs]
    adata = protein_anndata(
        table,
        source=p,
        intensity_columns=runs,
        samples=runs,
        name_columns=("PG.Genes", "PG.ProteinGroups"),
        annotation_columns=_ANNOTATION,
        uns={
            "format": "spectronaut",
            "layout": "long",
            "intensity": intensity,
            "n_rows_in_file": n_rows,
        },
    )
    adata.obs["run"] = runs
    adata.uns["seqattn_io"]["run_column"] = "run"
    per_run = df.drop_duplicates(subset=[run_col]).set_index(run_col)
    for col in df.columns:
        if not col.startswith("R.") or col == run_col:
            continue
        if df.groupby(run_col)[col].nunique(dropna=False).max() == 1:
            values = per_run[col].reindex(wide.columns)
            adata.obs[col] = values.astype(str).where(values.notna(), None).to_numpy()
    return adata


def _pivot(df: pd.DataFrame, p, sep: str, intensity: str) -> ad.AnnData:
    header = raw_header(p, sep)
    raw = dict(zip(df.columns, header, strict=False)) if len(header) == df.shape[1] else {}
    suffix = f".{intensity}"
    columns, runs = [], []
    for col in df.columns:
        name = str(raw.get(col, col)).strip()
        if name.endswith(suffix) and name != intensity:
            columns.append(col)
            runs.append(_RUN_PREFIX.sub("", name[: -len(suffix)]).strip())
    if not columns:
        kinds = sorted({m.group(0)[1:] for c in df.columns if (m := re.search(r"\.PG\.\w+$", c))})
        raise SeqattnError(
            f"{p}: expected '<run>{suffix}' columns in this Spectronaut pivot report and found "
            f"none; pass --option intensity=<quantity> with one of: {preview(kinds) or 'none'}"
        )
    for col in columns:
        df[col] = _numeric(df[col])
    samples = [run_stem(r) for r in runs]
    adata = protein_anndata(
        df,
        source=p,
        intensity_columns=columns,
        samples=samples,
        name_columns=("PG.Genes", "PG.ProteinGroups"),
        annotation_columns=_ANNOTATION,
        uns={
            "format": "spectronaut",
            "layout": "pivot",
            "intensity": intensity,
            "n_rows_in_file": int(df.shape[0]),
        },
    )
    adata.obs["run"] = runs
    adata.uns["seqattn_io"]["run_column"] = "run"
    return adata
