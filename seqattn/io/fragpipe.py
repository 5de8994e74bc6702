"""FragPipe (IonQuant / Philosopher) ``combined_protein.tsv``, old and new column names."""

from __future__ import annotations

import os
import warnings

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

#: ``intensity="auto"`` takes the first kind present, in this order: MaxLFQ, then the
#: plain intensity, then (Philosopher exports without a plain one) total, razor, unique.
AUTO_ORDER = ("MaxLFQ Intensity", "Intensity", "Total Intensity", "Razor Intensity", "Unique Intensity")

#: Column-name prefixes that are summaries over all samples, not samples (``Combined
#: Spectral Count`` in IonQuant exports, ``Summarized Total Spectral Count`` in Philosopher's).
_NOT_SAMPLES = ("Combined", "Summarized")

_ANNOTATION = (
    "Protein",
    "Protein ID",
    "Protein Group",
    "SubGroup",
    "Entry Name",
    "Gene",
    "Gene Names",
    "Protein Length",
    "Coverage",
    "Organism",
    "Protein Existence",
    "Description",
    "Protein Probability",
    "Top Peptide Probability",
    "Combined Total Peptides",
    "Unique Stripped Peptides",
    "Indistinguishable Proteins",
)


def read_fragpipe(
    path: str | os.PathLike[str],
    *,
    intensity: str = "auto",
    drop_contaminants: bool = True,
) -> ad.AnnData:
    """Read a FragPipe ``combined_protein.tsv`` as samples x proteins.

    Both layouts are read: IonQuant's (``Protein ID``, ``Gene``, ``<sample> MaxLFQ
    Intensity``) and Philosopher's older one (``Protein Group``, ``Gene Names``,
    ``<sample> Total Intensity``, ``Summarized ... Spectral Count``).

    Parameters
    ----------
    path
        The ``combined_protein.tsv`` file.
    intensity
        Which ``<sample> <intensity>`` columns to read: ``"auto"`` (default) takes
        ``MaxLFQ Intensity`` and falls back to ``Intensity`` (then ``Total``, ``Razor``,
        ``Unique Intensity``) when the export has none, with a one-line warning; or any
        kind present (``"Unique Intensity"``, ``"Spectral Count"``, ...).
    drop_contaminants
        Drop rows whose ``Protein`` starts with ``contam_`` (FragPipe's contaminant tag)
        or ``rev_`` (decoys); counts in ``uns["seqattn_io"]["dropped"]``.

    Returns
    -------
    AnnData
        ``X`` float32 with zeros as NaN; ``var_names`` from ``Gene`` / ``Gene Names``
        (else the protein id), made unique; the protein annotation stays in ``var``.

    Examples
    --------
    An IonQuant ``combined_protein.tsv`` with two samples and a contaminant row:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "combined_protein.tsv"
    >>> pd.DataFrame({
    ...     "Protein": ["sp|P02768|ALBU_HUMAN", "sp|P01024|CO3_HUMAN", "contam_sp|P00761|TRYP_PIG"],
    ...     "Protein ID": ["P02768", "P01024", "P00761"],
    ...     "Gene": ["ALB", "C3", None],
    ...     "S1 Intensity": [1250.0, 310.0, 90.0],
    ...     "S2 Intensity": [1150.0, 0.0, 80.0],
    ...     "S1 MaxLFQ Intensity": [1200.0, 300.0, 85.0],
    ...     "S2 MaxLFQ Intensity": [1100.0, 0.0, 75.0],
    ... }).to_csv(path, sep="\\t", index=False)
    >>> adata = seqattn.io.read_fragpipe(path)
    >>> adata.obs_names.tolist(), adata.var_names.tolist()
    (['S1', 'S2'], ['ALB', 'C3'])
    >>> adata.X.tolist()  # the MaxLFQ intensities; 0 is NaN
    [[1200.0, 300.0], [1100.0, nan]]
    >>> adata.uns["seqattn_io"]["intensity"], adata.uns["seqattn_io"]["dropped"]
    ('MaxLFQ Intensity', {'contaminant': 1, 'decoy': 0})
    >>> seqattn.io.read_fragpipe(path, intensity="Intensity").X.tolist()
    [[1250.0, 310.0], [1150.0, nan]]
    >>> tmp.cleanup()
    """
    p = check_file(path)
    df = read_text_table(p, "\t")
    reject_peptide_level(list(df.columns), p)
    if not {"Protein ID", "Protein", "Protein Group"} & set(df.columns):
        raise SeqattnError(
            f"{p}: expected a FragPipe combined_protein.tsv with a 'Protein ID' column and found "
            "none; for a plain matrix pass --format tsv"
        )
    if intensity != "auto" and intensity not in KINDS:
        raise SeqattnError(
            f"{p}: intensity={intensity!r} is not a FragPipe quantity; pass --option "
            f"intensity=<kind> with one of: auto, {', '.join(KINDS)}"
        )
    header = raw_header(p, "\t")
    raw = dict(zip(df.columns, header, strict=False)) if len(header) == df.shape[1] else {}
    by_kind: dict[str, list[tuple[str, str]]] = {}
    for col in df.columns:
        name = " ".join(str(raw.get(col, col)).split())
        kind = next((k for k in KINDS if name.endswith(f" {k}")), None)
        if kind is None:
            continue
        sample = name[: -len(kind) - 1].strip()
        if not sample or sample in _NOT_SAMPLES:
            continue
        by_kind.setdefault(kind, []).append((col, sample))
    present = [k for k in KINDS if k in by_kind]
    chosen = intensity
    if intensity == "auto":
        chosen = next((k for k in AUTO_ORDER if k in by_kind), "")
        if not chosen:
            raise SeqattnError(
                f"{p}: expected '<sample> MaxLFQ Intensity' or '<sample> Intensity' columns and "
                f"found none; pass --option intensity=<kind> with one of those present: "
                f"{', '.join(repr(k) for k in present) or 'none'}"
            )
        if chosen != "MaxLFQ Intensity":
            warnings.warn(
                f"{p}: no '<sample> MaxLFQ Intensity' columns, so '{chosen}' is read instead "
                f"(--option intensity=<kind> to choose another)",
                stacklevel=2,
            )
    elif intensity not in by_kind:
        raise SeqattnError(
            f"{p}: no '<sample> {intensity}' columns; pass --option intensity=<kind> with one "
            f"of those present: {', '.join(repr(k) for k in present) or 'none'}"
        )
    columns = [c for c, _ in by_kind[chosen]]
    samples = [s for _, s in by_kind[chosen]]
    n_rows = int(df.shape[0])
    dropped: dict[str, int] = {}
    if drop_contaminants:
        key = next(c for c in ("Protein", "Protein ID", "Protein Group") if c in df.columns)
        prot = df[key].astype(str).str.strip()
        contam, decoy = prot.str.startswith("contam_"), prot.str.startswith("rev_")
        dropped = {"contaminant": int(contam.sum()), "decoy": int(decoy.sum())}
        df = df.loc[~(contam | decoy).to_numpy()]
    return protein_anndata(
        df,
        source=p,
        intensity_columns=columns,
        samples=samples,
        name_columns=("Gene", "Gene Names", "Protein ID", "Protein"),
        annotation_columns=_ANNOTATION,
        uns={
            "format": "fragpipe",
            "intensity": chosen,
            "intensity_fallback": chosen != intensity and intensity == "auto"
            and chosen != "MaxLFQ Intensity",
            "n_rows_in_file": n_rows,
            "dropped": dropped,
            "n_dropped_rows": n_rows - int(df.shape[0]),
        },
    )
