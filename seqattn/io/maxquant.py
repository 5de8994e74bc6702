"""MaxQuant ``proteinGroups.txt``."""

from __future__ import annotations

import os

import anndata as ad

from seqattn._errors import SeqattnError
from seqattn.io._checks import check_file, raw_header, read_text_table
from seqattn.io._proteomics import protein_anndata
from seqattn.io.formats import reject_peptide_level, text_separator

#: Intensity kinds in the order ``intensity="auto"`` tries them.
INTENSITIES = ("LFQ intensity", "Intensity", "iBAQ")

#: Row flags MaxQuant marks with "+" and the column names they have had across versions
#: ("Contaminant" before MaxQuant 1.6).
FLAGS = {
    "Reverse": ("Reverse",),
    "Potential contaminant": ("Potential contaminant", "Contaminant"),
    "Only identified by site": ("Only identified by site",),
}

_ANNOTATION = (
    "Protein IDs",
    "Majority protein IDs",
    "Protein names",
    "Gene names",
    "Fasta headers",
    "Peptides",
    "Razor + unique peptides",
    "Unique peptides",
    "Sequence coverage [%]",
    "Mol. weight [kDa]",
    "Q-value",
    "Score",
)


def read_maxquant(
    path: str | os.PathLike[str], *, intensity: str = "auto", drop_flagged: bool = True
) -> ad.AnnData:
    """Read a MaxQuant ``proteinGroups.txt`` as samples x protein groups.

    Parameters
    ----------
    path
        The ``proteinGroups.txt`` file: tab-separated as MaxQuant writes it, or saved
        again as CSV with MaxQuant's headers (a ``.csv`` name or a comma-only header).
    intensity
        ``"LFQ intensity"``, ``"Intensity"`` or ``"iBAQ"``: the columns
        ``<intensity> <sample>`` to read (the sample name is the suffix). ``"auto"``
        takes the first kind present in that order.
    drop_flagged
        Drop rows marked ``+`` in ``Reverse`` (decoys), ``Potential contaminant`` and
        ``Only identified by site``; the counts are kept in
        ``uns["seqattn_io"]["dropped"]``.

    Returns
    -------
    AnnData
        ``X`` float32 with zeros (not quantified) as NaN; ``var_names`` the leading gene
        name (else the leading protein id), made unique; ``var`` keeps ``Protein IDs``,
        ``Gene names`` and the other protein annotations; ``uns["seqattn_io"]`` holds
        the intensity kind, ``n_rows_in_file``, the per-flag ``dropped`` counts,
        ``n_dropped_rows`` and ``n_zeros_to_nan``.

    Examples
    --------
    A ``proteinGroups.txt`` with two samples and three protein groups, one of them a
    decoy (``Reverse`` = ``+``):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "proteinGroups.txt"
    >>> pd.DataFrame({
    ...     "Protein IDs": ["P02768", "P01024;P01024-2", "REV__Q9Y6X3"],
    ...     "Gene names": ["ALB", "C3", None],
    ...     "Reverse": [None, None, "+"],
    ...     "Potential contaminant": [None, None, None],
    ...     "LFQ intensity S1": [1200.0, 300.0, 5.0],
    ...     "LFQ intensity S2": [1100.0, 0.0, 7.0],
    ... }).to_csv(path, sep="\\t", index=False)
    >>> adata = seqattn.io.read_maxquant(path)
    >>> adata.obs_names.tolist(), adata.var_names.tolist()
    (['S1', 'S2'], ['ALB', 'C3'])
    >>> adata.X.tolist()  # samples x proteins; MaxQuant's 0 (not quantified) is NaN
    [[1200.0, 300.0], [1100.0, nan]]
    >>> adata.uns["seqattn_io"]["intensity"], adata.uns["seqattn_io"]["dropped"]
    ('LFQ intensity', {'Reverse': 1, 'Potential contaminant': 0})
    >>> tmp.cleanup()
    """
    p = check_file(path)
    sep = text_separator(p)
    df = read_text_table(p, sep)
    reject_peptide_level(list(df.columns), p)
    header = raw_header(p, sep)
    raw = dict(zip(df.columns, header, strict=False)) if len(header) == df.shape[1] else {}
    kind = _intensity_kind(df.columns, intensity, p)
    columns, samples = _intensity_columns(df.columns, kind, raw)
    n_rows = int(df.shape[0])
    dropped: dict[str, int] = {}
    if drop_flagged:
        keep = None
        for flag, names in FLAGS.items():
            col = next((c for c in names if c in df.columns), None)
            if col is None:
                continue
            marked = df[col].astype(str).str.strip().eq("+")
            dropped[flag] = int(marked.sum())
            keep = ~marked if keep is None else keep & ~marked
        if keep is not None:
            df = df.loc[keep.to_numpy()]
    return protein_anndata(
        df,
        source=p,
        intensity_columns=columns,
        samples=samples,
        name_columns=("Gene names", "Protein IDs", "Majority protein IDs"),
        annotation_columns=_ANNOTATION,
        uns={
            "format": "maxquant",
            "intensity": kind,
            "n_rows_in_file": n_rows,
            "dropped": dropped,
            "n_dropped_rows": n_rows - int(df.shape[0]),
        },
    )


def _intensity_kind(columns, intensity: str, path) -> str:
    present = [k for k in INTENSITIES if _intensity_columns(columns, k, {})[0]]
    if intensity == "auto":
        if not present:
            raise SeqattnError(
                f"{path}: expected MaxQuant proteinGroups columns 'LFQ intensity <sample>', "
                "'Intensity <sample>' or 'iBAQ <sample>' and found none; if this is a plain "
                "matrix, pass --format tsv (or --format csv)"
            )
        return present[0]
    if intensity not in INTENSITIES:
        raise SeqattnError(
            f"{path}: intensity={intensity!r} is not a MaxQuant intensity kind; pass "
            f"--option intensity=<kind> with one of those present: {_quoted(present)}"
        )
    if intensity not in present:
        raise SeqattnError(
            f"{path}: no '{intensity} <sample>' columns; pass --option intensity=<kind> with "
            f"one of those present: {_quoted(present)}"
        )
    return intensity


def _quoted(kinds) -> str:
    return ", ".join(f"'{k}'" for k in kinds) or "none"


def _intensity_columns(columns, kind: str, raw: dict) -> tuple[list[str], list[str]]:
    """The ``<kind> <sample>`` columns and their sample names.

    ``iBAQ peptides`` is a count, not a sample; with SILAC the per-label columns
    (``Intensity L <sample>``) sit beside per-sample totals, so they are left out.
    """
    prefix = f"{kind} "
    silac = any(c in columns for c in (f"{kind} L", f"{kind} H", f"{kind} M"))
    out, samples = [], []
    for col in columns:
        name = raw.get(col, col)
        if not name.startswith(prefix) or name == "iBAQ peptides":
            continue
        sample = name[len(prefix) :].strip()
        if silac and (sample in ("L", "H", "M") or sample[:2] in ("L ", "H ", "M ")):
            continue
        out.append(col)
        samples.append(sample)
    return out, samples
