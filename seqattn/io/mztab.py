"""mzTab 1.0: the protein abundances of the PRT section."""

from __future__ import annotations

import os
import re

import anndata as ad
import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.io._checks import NA_VALUES, check_file, check_text, run_stem
from seqattn.io._proteomics import protein_anndata

_ABUNDANCE = re.compile(r"^protein_abundance_(assay|study_variable)\[(\d+)\]$")
_LEVELS = ("auto", "assay", "study_variable")


def _sections(p) -> tuple[dict[str, str], list[str], list[list[str]]]:
    """MTD key -> value, the PRH header and the PRT rows (fields as written)."""
    meta: dict[str, str] = {}
    header: list[str] = []
    rows: list[list[str]] = []
    try:
        with open(p, encoding="utf-8", errors="replace", newline="") as fh:
            for line in fh:
                fields = line.rstrip("\r\n").split("\t")
                tag = fields[0].strip()
                if tag == "MTD" and len(fields) >= 3:
                    meta[fields[1].strip()] = fields[2].strip()
                elif tag == "PRH" and not header:
                    header = [f.strip() for f in fields[1:]]
                elif tag == "PRT":
                    rows.append(fields[1:])
    except OSError as err:
        raise SeqattnError(f"{p}: cannot read the file ({err.strerror}); check its permissions") from None
    return meta, header, rows


def read_mztab(path: str | os.PathLike[str], *, abundance: str = "auto") -> ad.AnnData:
    """Read the protein abundances of an mzTab 1.0 file as samples x proteins.

    Parameters
    ----------
    path
        The ``.mzTab`` file. Its PRT rows are the proteins; the
        ``protein_abundance_assay[i]`` or ``protein_abundance_study_variable[i]`` columns
        the samples (``null`` = missing). Other sections (peptides, PSMs) are ignored.
    abundance
        ``"assay"`` (one sample per assay, i.e. per run and label), ``"study_variable"``
        (one per study variable, e.g. condition) or ``"auto"`` (default): assays when the
        file reports them, else study variables.

    Returns
    -------
    AnnData
        ``X`` float32; ``obs_names`` ``assay[i]`` / ``study_variable[i]``; ``obs["run"]``
        the raw-file stem of an assay's ms_run, ``obs["description"]`` the MTD
        description; ``var_names`` the accession.

    Examples
    --------
    The metadata and protein sections of an mzTab with two assays (``null`` = missing):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "proteins.mzTab"
    >>> lines = [
    ...     ["MTD", "mzTab-version", "1.0.0"],
    ...     ["MTD", "mzTab-type", "Quantification"],
    ...     ["MTD", "ms_run[1]-location", "file:///data/S1.mzML"],
    ...     ["MTD", "ms_run[2]-location", "file:///data/S2.mzML"],
    ...     ["MTD", "assay[1]-ms_run_ref", "ms_run[1]"],
    ...     ["MTD", "assay[2]-ms_run_ref", "ms_run[2]"],
    ...     ["PRH", "accession", "description",
    ...      "protein_abundance_assay[1]", "protein_abundance_assay[2]"],
    ...     ["PRT", "P02768", "Albumin", "1200.0", "1100.0"],
    ...     ["PRT", "P01024", "Complement C3", "300.0", "null"],
    ... ]
    >>> _ = path.write_text("".join("\\t".join(line) + "\\n" for line in lines))
    >>> adata = seqattn.io.read_mztab(path)
    >>> adata.obs_names.tolist(), adata.obs["run"].tolist()
    (['assay[1]', 'assay[2]'], ['S1', 'S2'])
    >>> adata.var_names.tolist(), adata.var["description"].tolist()
    (['P02768', 'P01024'], ['Albumin', 'Complement C3'])
    >>> adata.X.tolist()
    [[1200.0, 300.0], [1100.0, nan]]
    >>> tmp.cleanup()
    """
    p = check_file(path)
    check_text(p)
    if abundance not in _LEVELS:
        raise SeqattnError(
            f"{p}: abundance={abundance!r} is not one of {', '.join(_LEVELS)}; pass --option "
            "abundance=assay or --option abundance=study_variable"
        )
    meta, header, rows = _sections(p)
    if not header:
        raise SeqattnError(
            f"{p}: expected an mzTab protein section (a PRH header line) and found none; export "
            "the mzTab with protein quantification, or give the tool's protein table instead"
        )
    if "accession" not in header:
        raise SeqattnError(
            f"{p}: expected an 'accession' column in the PRH line and found none; check that "
            "this is an unmodified mzTab 1.0 file (--format mztab)"
        )
    levels: dict[str, list[tuple[int, str]]] = {}
    for col in header:
        m = _ABUNDANCE.match(col)
        if m:
            levels.setdefault(m.group(1), []).append((int(m.group(2)), col))
    level = abundance
    if abundance == "auto":
        level = "assay" if "assay" in levels else "study_variable"
    if level not in levels:
        kind = meta.get("mzTab-type", "unknown")
        raise SeqattnError(
            f"{p}: expected protein_abundance_{level}[i] columns and found none (mzTab-type "
            f"{kind}: identifications only?); pass --option abundance=<level> with one present "
            f"({', '.join(levels) or 'none'}), or read the quantification tool's protein table"
        )
    if not rows:
        raise SeqattnError(
            f"{p}: has a PRH header but no PRT rows; export the mzTab again with its proteins"
        )
    width = len(header)
    table = pd.DataFrame([(r + [""] * width)[:width] for r in rows], columns=header)
    table = table.apply(lambda s: s.str.strip()).replace(to_replace=["null", *NA_VALUES], value=np.nan)
    chosen = sorted(levels[level])
    columns = [c for _, c in chosen]
    samples = [f"{level}[{i}]" for i, _ in chosen]
    annotation = [
        c for c in ("accession", "description", "species", "ambiguity_members") if c in table
    ]
    adata = protein_anndata(
        table,
        source=p,
        intensity_columns=columns,
        samples=samples,
        name_columns=("accession",),
        annotation_columns=annotation,
        uns={
            "format": "mztab",
            "abundance": level,
            "mztab_type": meta.get("mzTab-type", ""),
            "n_rows_in_file": len(rows),
        },
    )
    runs, descriptions = [], []
    for i, _ in chosen:
        desc = meta.get(f"{level}[{i}]-description", "")
        ref = meta.get(f"assay[{i}]-ms_run_ref", "") if level == "assay" else ""
        loc = meta.get(f"{ref.strip()}-location", "") if ref else ""
        runs.append(run_stem(loc) if loc else "")
        descriptions.append(desc)
    if any(runs):
        adata.obs["run"] = runs
        adata.uns["seqattn_io"]["run_column"] = "run"
    if any(descriptions):
        adata.obs["description"] = descriptions
    return adata
