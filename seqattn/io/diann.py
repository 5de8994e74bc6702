"""DIA-NN protein-group matrix (``report.pg_matrix.tsv``)."""

from __future__ import annotations

import os

import anndata as ad

from seqattn._errors import SeqattnError
from seqattn.io._checks import check_file, raw_header, read_text_table, run_stem
from seqattn.io._proteomics import protein_anndata
from seqattn.io.formats import reject_peptide_level

#: Annotation columns of a pg_matrix (DIA-NN 1.8 to 2.x); every other column is a run.
ANNOTATION = (
    "Protein.Group",
    "Protein.Ids",
    "Protein.Names",
    "Genes",
    "First.Protein.Description",
    "N.Sequences",
    "N.Proteotypic.Sequences",
)

def read_diann(path: str | os.PathLike[str], *, sample_names: str = "stem") -> ad.AnnData:
    """Read a DIA-NN ``report.pg_matrix.tsv`` as samples x protein groups.

    Parameters
    ----------
    path
        The pg_matrix file (tab-separated; one column per run, headed by the run's
        raw-file path).
    sample_names
        ``"stem"`` (default): the run file name without folders and raw-file suffixes
        (``D:\\\\runs\\\\S1.raw`` -> ``S1``), which is what sample sheets usually hold;
        ``"path"``: the column header as written. The header is kept in ``obs["run"]``.

    Returns
    -------
    AnnData
        ``X`` float32 (empty and 0 = missing = NaN); ``var_names`` the leading gene of
        ``Genes`` (else the leading id of ``Protein.Group``), made unique; the annotation
        columns stay in ``var``.

    Examples
    --------
    A ``report.pg_matrix.tsv`` with two runs (empty = not quantified):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "report.pg_matrix.tsv"
    >>> pd.DataFrame({
    ...     "Protein.Group": ["P02768", "P01024"],
    ...     "Protein.Ids": ["P02768", "P01024"],
    ...     "Protein.Names": ["ALBU_HUMAN", "CO3_HUMAN"],
    ...     "Genes": ["ALB", "C3"],
    ...     "First.Protein.Description": ["Albumin", "Complement C3"],
    ...     "/data/runs/S1.raw": [1200.0, 300.0],
    ...     "/data/runs/S2.raw": [1100.0, None],
    ... }).to_csv(path, sep="\\t", index=False)
    >>> adata = seqattn.io.read_diann(path)
    >>> adata.obs_names.tolist(), adata.obs["run"].tolist()
    (['S1', 'S2'], ['/data/runs/S1.raw', '/data/runs/S2.raw'])
    >>> adata.var_names.tolist(), adata.var["Protein.Names"].tolist()
    (['ALB', 'C3'], ['ALBU_HUMAN', 'CO3_HUMAN'])
    >>> adata.X.tolist()
    [[1200.0, 300.0], [1100.0, nan]]
    >>> tmp.cleanup()
    """
    p = check_file(path)
    df = read_text_table(p, "\t")
    if "Protein.Group" not in df.columns:
        raise SeqattnError(
            f"{p}: expected a DIA-NN pg_matrix with a 'Protein.Group' column and found none; for "
            "a plain matrix pass --format tsv"
        )
    reject_peptide_level(list(df.columns), p)
    if sample_names not in ("stem", "path"):
        raise SeqattnError(
            f"{p}: sample_names={sample_names!r} is not 'stem' or 'path'; pass --option "
            "sample_names=stem or --option sample_names=path"
        )
    header = raw_header(p, "\t")
    raw = dict(zip(df.columns, header, strict=False)) if len(header) == df.shape[1] else {}
    runs = [c for c in df.columns if c not in ANNOTATION]
    if not runs:
        raise SeqattnError(
            f"{p}: expected one column per run after the annotation columns and found none; "
            "export the pg_matrix again with its runs"
        )
    headers = [raw.get(c, c) for c in runs]
    samples = [run_stem(h) for h in headers] if sample_names == "stem" else headers
    adata = protein_anndata(
        df,
        source=p,
        intensity_columns=runs,
        samples=samples,
        name_columns=("Genes", "Protein.Group", "Protein.Ids"),
        annotation_columns=ANNOTATION,
        uns={"format": "diann", "n_rows_in_file": int(df.shape[0])},
    )
    adata.obs["run"] = headers
    adata.uns["seqattn_io"]["run_column"] = "run"
    return adata


__all__ = ["ANNOTATION", "read_diann", "run_stem"]
