"""MannLabs tools: AlphaPept ``results_proteins.csv`` and AlphaDIA ``pg.matrix.tsv``."""

from __future__ import annotations

import os

import anndata as ad
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.io._checks import check_file, raw_header, read_text_table, run_stem
from seqattn.io._proteomics import protein_anndata
from seqattn.io.formats import text_separator

_ALPHAPEPT_KINDS = ("LFQ", "raw")


def _accession(entry: object) -> str | None:
    """``sp|P36578|RL4_HUMAN,sp|...`` -> ``P36578`` (the leading protein's accession)."""
    if entry is None or (isinstance(entry, float) and pd.isna(entry)):
        return None
    first = str(entry).split(",")[0].strip()
    decoy = first.startswith("REV_")
    parts = first.split("|")
    acc = parts[1] if len(parts) >= 3 else first.replace("ENSEMBL:", "")
    return f"REV_{acc}" if decoy and not acc.startswith("REV_") else acc or None


def read_alphapept(
    path: str | os.PathLike[str], *, intensity: str = "LFQ", drop_decoys: bool = True
) -> ad.AnnData:
    """Read an AlphaPept ``results_proteins.csv`` as samples x protein groups.

    Parameters
    ----------
    path
        ``results_proteins.csv``: the protein group in the first (unnamed) column, then
        ``<sample>_LFQ`` and ``<sample>`` (raw intensity) columns.
    intensity
        ``"LFQ"`` (default): the ``<sample>_LFQ`` columns; ``"raw"``: the ``<sample>``
        columns.
    drop_decoys
        Drop ``REV_`` protein groups (decoys); the count is in
        ``uns["seqattn_io"]["dropped"]``.

    Returns
    -------
    AnnData
        ``X`` float32 (empty and 0 = NaN); ``var_names`` the leading protein's accession;
        ``var["protein_group"]`` the group as written.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "results_proteins.csv"
    >>> pd.DataFrame(
    ...     {"A_LFQ": [1200.0, 300.0, 9.0], "B_LFQ": [1100.0, 0.0, 8.0],
    ...      "A": [1250.0, 310.0, 9.5], "B": [1150.0, 20.0, 8.5]},
    ...     index=["sp|P02768|ALBU_HUMAN", "sp|P01024|CO3_HUMAN", "REV__sp|Q9Y6X3|SCC4_HUMAN"],
    ... ).to_csv(path)  # the protein groups in the first, unnamed, column
    >>> adata = seqattn.io.read_alphapept(path)
    >>> adata.obs_names.tolist(), adata.var_names.tolist()
    (['A', 'B'], ['P02768', 'P01024'])
    >>> adata.X.tolist()  # the LFQ intensities; 0 is NaN
    [[1200.0, 300.0], [1100.0, nan]]
    >>> adata.var["protein_group"].tolist(), adata.uns["seqattn_io"]["dropped"]
    (['sp|P02768|ALBU_HUMAN', 'sp|P01024|CO3_HUMAN'], {'decoy': 1})
    >>> seqattn.io.read_alphapept(path, intensity="raw").X.tolist()
    [[1250.0, 310.0], [1150.0, 20.0]]
    >>> tmp.cleanup()
    """
    p = check_file(path)
    sep = text_separator(p)
    df = read_text_table(p, sep)
    header = raw_header(p, sep)
    if intensity not in _ALPHAPEPT_KINDS:
        raise SeqattnError(
            f"{p}: intensity={intensity!r} is not an AlphaPept quantity; pass --option "
            "intensity=LFQ or --option intensity=raw"
        )
    first = df.columns[0]
    if str(header[0] if header else first) not in ("", "Unnamed: 0") and first != "Unnamed: 0":
        raise SeqattnError(
            f"{p}: expected AlphaPept's results_proteins.csv (an unnamed protein-group column "
            "first) and found a named first column; for a plain matrix pass --format csv"
        )
    cols = [str(c) for c in df.columns[1:]]
    lfq = [c for c in cols if c.endswith("_LFQ")]
    if intensity == "LFQ":
        columns = lfq
        samples = [c[: -len("_LFQ")] for c in lfq]
    else:
        columns = [c for c in cols if f"{c}_LFQ" in cols] or [c for c in cols if c not in lfq]
        samples = list(columns)
    if not columns:
        raise SeqattnError(
            f"{p}: expected '<sample>_LFQ' columns (AlphaPept's LFQ intensities) and found "
            "none; pass --option intensity=raw for the raw intensities, or --format csv for a "
            "plain matrix"
        )
    table = df.rename(columns={first: "protein_group"})
    n_rows = int(table.shape[0])
    dropped = {}
    if drop_decoys:
        decoy = table["protein_group"].astype(str).str.contains("REV_", regex=False)
        dropped = {"decoy": int(decoy.sum())}
        table = table.loc[~decoy.to_numpy()]
    table = table.assign(protein=table["protein_group"].map(_accession))
    return protein_anndata(
        table,
        source=p,
        intensity_columns=columns,
        samples=samples,
        name_columns=("protein", "protein_group"),
        annotation_columns=("protein_group",),
        uns={
            "format": "alphapept",
            "intensity": intensity,
            "n_rows_in_file": n_rows,
            "dropped": dropped,
            "n_dropped_rows": n_rows - int(table.shape[0]),
        },
    )


def read_alphadia(path: str | os.PathLike[str]) -> ad.AnnData:
    """Read an AlphaDIA ``pg.matrix.tsv`` as samples (runs) x protein groups.

    The first column (``pg``; ``pg.name`` since AlphaDIA 2) names the protein group,
    every other column is a run. Sample names are the run names as written (AlphaDIA
    writes raw-file stems), kept in ``obs["run"]`` too.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "pg.matrix.tsv"
    >>> pd.DataFrame({
    ...     "pg": ["P02768", "P01024;P01024-2"],
    ...     "Condition_A_REP1": [1200.0, 300.0],
    ...     "Condition_B_REP1": [1100.0, None],
    ... }).to_csv(path, sep="\\t", index=False)
    >>> adata = seqattn.io.read_alphadia(path)
    >>> adata.obs_names.tolist(), adata.var_names.tolist()  # the leading protein of pg
    (['Condition_A_REP1', 'Condition_B_REP1'], ['P02768', 'P01024'])
    >>> adata.X.tolist()
    [[1200.0, 300.0], [1100.0, nan]]
    >>> adata.var["pg"].tolist()
    ['P02768', 'P01024;P01024-2']
    >>> tmp.cleanup()
    """
    p = check_file(path)
    sep = text_separator(p)
    df = read_text_table(p, sep)
    first = str(df.columns[0])
    if first not in ("pg", "pg.name"):
        raise SeqattnError(
            f"{p}: expected AlphaDIA's pg.matrix.tsv with a 'pg' (or 'pg.name') first column and "
            f"found {first!r}; for a plain matrix pass --format tsv"
        )
    runs = [str(c) for c in df.columns[1:]]
    if not runs:
        raise SeqattnError(
            f"{p}: expected one column per run after {first!r} and found none; export the "
            "pg.matrix.tsv again with its runs"
        )
    table = df.assign(protein=df[first].map(lambda v: None if pd.isna(v) else str(v).split(";")[0]))
    adata = protein_anndata(
        table,
        source=p,
        intensity_columns=runs,
        samples=[run_stem(r) for r in runs],
        name_columns=("protein", first),
        annotation_columns=(first,),
        uns={"format": "alphadia", "n_rows_in_file": int(df.shape[0])},
    )
    adata.obs["run"] = runs
    adata.uns["seqattn_io"]["run_column"] = "run"
    return adata
