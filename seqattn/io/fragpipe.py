"""FragPipe (IonQuant/Philosopher) ``combined_protein.tsv``."""

from __future__ import annotations

import os

import anndata as ad

from seqattn._errors import SeqattnError
from seqattn.io._checks import check_file, raw_header, read_text_table
from seqattn.io._proteomics import protein_anndata
from seqattn.io.formats import reject_peptide_level

#: Per-sample quantity columns, ``<sample> <kind>``; longer kinds first so that
#: ``S1 MaxLFQ Unique Intensity`` is not read as sample ``S1 MaxLFQ Unique``.
KINDS = (
    "MaxLFQ Unique Intensity",
    "MaxLFQ Total Intensity",
    "MaxLFQ Razor Intensity",
    "MaxLFQ Intensity",
    "Unique Spectral Count",
    "Total Spectral Count",
    "Razor Spectral Count",
    "Spectral Count",
    "Unique Intensity",
    "Total Intensity",
    "Razor Intensity",
    "Intensity",
)

_ANNOTATION = (
    "Protein",
    "Protein ID",
    "Entry Name",
    "Gene",
    "Protein Length",
    "Organism",
    "Protein Existence",
    "Description",
    "Protein Probability",
    "Top Peptide Probability",
    "Combined Total Peptides",
    "Indistinguishable Proteins",
)


def read_fragpipe(
    path: str | os.PathLike[str],
    *,
    intensity: str = "MaxLFQ Intensity",
    drop_contaminants: bool = True,
) -> ad.AnnData:
    """Read a FragPipe ``combined_protein.tsv`` as samples x proteins.

    Parameters
    ----------
    path
        The ``combined_protein.tsv`` file.
    intensity
        Which ``<sample> <intensity>`` columns to read: ``"MaxLFQ Intensity"`` (default),
        ``"Intensity"``, ``"Unique Intensity"``, ``"Total Intensity"``, a spectral count, ...
    drop_contaminants
        Drop rows whose ``Protein`` starts with ``contam_`` (FragPipe's contaminant tag)
        or ``rev_`` (decoys); counts in ``uns["seqattn_io"]["dropped"]``.

    Returns
    -------
    AnnData
        ``X`` float32 with zeros as NaN; ``var_names`` from ``Gene`` (else ``Protein ID``),
        made unique; the protein annotation stays in ``var``.
    """
    p = check_file(path)
    df = read_text_table(p, "\t")
    reject_peptide_level(list(df.columns), p)
    if "Protein ID" not in df.columns and "Protein" not in df.columns:
        raise SeqattnError(
            f"{p}: no 'Protein ID' column, so this is not a FragPipe combined_protein.tsv; pass "
            "format=tsv for a plain matrix"
        )
    if intensity not in KINDS:
        raise SeqattnError(f"{p}: intensity={intensity!r} is not one of: {', '.join(KINDS)}")
    header = raw_header(p, "\t")
    raw = dict(zip(df.columns, header, strict=False)) if len(header) == df.shape[1] else {}
    columns, samples, present = [], [], set()
    for col in df.columns:
        name = raw.get(col, col)
        kind = next((k for k in KINDS if name.endswith(f" {k}")), None)
        if kind is None:
            continue
        sample = name[: -len(kind) - 1].strip()
        if not sample or sample == "Combined":
            continue
        present.add(kind)
        if kind == intensity:
            columns.append(col)
            samples.append(sample)
    if not columns:
        raise SeqattnError(
            f"{p}: no '<sample> {intensity}' columns; kinds present: "
            f"{', '.join(k for k in KINDS if k in present) or 'none'}; pass intensity= one of them"
        )
    n_rows = int(df.shape[0])
    dropped: dict[str, int] = {}
    if drop_contaminants and "Protein" in df.columns:
        prot = df["Protein"].astype(str)
        contam, decoy = prot.str.startswith("contam_"), prot.str.startswith("rev_")
        dropped = {"contaminant": int(contam.sum()), "decoy": int(decoy.sum())}
        df = df.loc[~(contam | decoy).to_numpy()]
    return protein_anndata(
        df,
        source=p,
        intensity_columns=columns,
        samples=samples,
        name_columns=("Gene", "Protein ID", "Protein"),
        annotation_columns=_ANNOTATION,
        uns={
            "format": "fragpipe",
            "intensity": intensity,
            "n_rows_in_file": n_rows,
            "dropped": dropped,
            "n_dropped_rows": n_rows - int(df.shape[0]),
        },
    )
