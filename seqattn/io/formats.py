"""Tell an input file's format from its name and, for text tables, from its header."""

from __future__ import annotations

import re
from pathlib import Path

from seqattn._errors import SeqattnError
from seqattn.io._checks import check_text, raw_header

#: Every value ``format=`` (``--format``) accepts besides ``"auto"``.
FORMATS = (
    "h5ad",
    "csv",
    "tsv",
    "parquet",
    "maxquant",
    "diann",
    "fragpipe",
    "spectronaut",
    "alphapept",
    "alphadia",
    "mztab",
    "h5mu",
)

#: What each proteomics format is, for messages and the README table.
DESCRIPTIONS = {
    "maxquant": "MaxQuant proteinGroups.txt (tab- or comma-separated)",
    "diann": "DIA-NN report.pg_matrix.tsv (1.8 to 2.x)",
    "fragpipe": "FragPipe / Philosopher combined_protein.tsv",
    "spectronaut": "Spectronaut long report or protein pivot report",
    "alphapept": "AlphaPept results_proteins.csv",
    "alphadia": "AlphaDIA pg.matrix.tsv",
    "mztab": "mzTab 1.0 with protein abundances (PRT section)",
    "h5mu": "MuData .h5mu (several modalities of the same cells, side by side)",
}

_COMPRESSED = (".gz", ".bz2", ".xz", ".zip", ".zst")
_TEXT = (".csv", ".tsv", ".txt", ".tab")
_PIVOT_QUANTITY = re.compile(r"\.PG\.(Quantity|MS1Quantity|MS2Quantity|IBAQ|Top3|LFQ\w*)$")


def base_suffix(path: Path) -> str:
    """The suffix that says the content type, skipping a compression suffix (``.csv.gz``)."""
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in _COMPRESSED:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def text_separator(path: Path) -> str:
    """``","`` for .csv, else tab; a .txt/.tsv whose first line has commas but no tab is CSV."""
    if base_suffix(path) == ".csv":
        return ","
    header = raw_header(path, "\t")
    if len(header) == 1 and "," in header[0]:
        return ","
    return "\t"


def is_mztab(path: Path) -> bool:
    """True when the first non-blank line starts an mzTab section (``MTD``/``COM``/``PRH``)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            for _, line in zip(range(50), fh, strict=False):
                if line.strip():
                    return line.split("\t", 1)[0].strip() in ("MTD", "COM", "PRH")
    except OSError:
        return False
    return False


def check_format(fmt: str) -> str:
    """Return ``fmt`` when it is a known format; raise naming the choices otherwise."""
    if fmt != "auto" and fmt not in FORMATS:
        raise SeqattnError(
            f"unknown format {fmt!r}; pass --format with one of: auto, {', '.join(FORMATS)}"
        )
    return fmt


def detect_format(path: Path) -> str:
    """The format of ``path``: by suffix, and for text tables by the columns in the header.

    MaxQuant ``proteinGroups.txt`` has ``Protein IDs`` and ``LFQ intensity <sample>`` /
    ``Intensity <sample>`` / ``iBAQ <sample>`` columns; a DIA-NN ``pg_matrix`` starts with
    ``Protein.Group``; FragPipe's ``combined_protein.tsv`` has ``Protein ID`` and
    ``<sample> MaxLFQ Intensity`` or ``Protein Probability``. Anything else is a plain
    CSV/TSV matrix.

    Examples
    --------
    >>> from pathlib import Path
    >>> detect_format(Path("cells.h5ad")), detect_format(Path("citeseq.h5mu"))
    ('h5ad', 'h5mu')
    """
    suffix = base_suffix(path)
    if suffix == ".h5ad":
        return "h5ad"
    if suffix == ".h5mu":
        return "h5mu"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".mztab":
        return "mztab"
    if suffix in (".hdf", ".hdf5") and "result" in path.name.lower():
        raise SeqattnError(
            f"{path}: AlphaPept's .hdf results are not read; give the results_proteins.csv "
            "AlphaPept writes beside it (--format alphapept)"
        )
    if suffix in (".xlsx", ".xls", ".xlsm"):
        raise SeqattnError(
            f"{path}: spreadsheets are read only as sample sheets; save the data matrix as "
            "CSV or TSV (or pass it as --sample-sheet if it is the annotation)"
        )
    if suffix in (".h5", ".hdf5", ".loom", ".mtx"):
        raise SeqattnError(
            f"{path}: {suffix} is not a supported format; convert it to .h5ad with anndata/scanpy "
            "(e.g. scanpy.read_10x_h5(path).write_h5ad('x.h5ad'))"
        )
    if suffix not in _TEXT:
        check_text(path)
        raise SeqattnError(
            f"{path}: cannot tell the format from the suffix {suffix or '(none)'!r}; pass "
            f"--format with one of: {', '.join(FORMATS)}"
        )
    check_text(path)
    if is_mztab(path):
        return "mztab"
    sep = text_separator(path)
    return sniff_text_format(raw_header(path, sep), sep)


def sniff_text_format(header: list[str], sep: str) -> str:
    """The proteomics format a text header belongs to, or ``csv``/``tsv``."""
    header = [c.strip() for c in header]
    cols = set(header)
    if ("Protein IDs" in cols or "Majority protein IDs" in cols) and any(
        c.startswith(("LFQ intensity ", "Intensity ", "iBAQ ")) for c in header
    ):
        return "maxquant"
    if "Protein.Group" in cols:
        return "diann"
    if ("Protein ID" in cols or "Protein Group" in cols) and (
        "Protein Probability" in cols
        or any(c.endswith((" MaxLFQ Intensity", " Spectral Count")) for c in header)
    ):
        return "fragpipe"
    if "PG.ProteinGroups" in cols and (
        "PG.Quantity" in cols or any(_PIVOT_QUANTITY.search(c) for c in header)
    ):
        return "spectronaut"
    if header and header[0] in ("pg", "pg.name") and len(header) > 1:
        return "alphadia"
    if header and header[0] in ("", "Unnamed: 0") and any(
        c.endswith("_LFQ") and c[: -len("_LFQ")] in cols for c in header
    ):
        return "alphapept"
    return "csv" if sep == "," else "tsv"


def reject_peptide_level(header: list[str], source: Path) -> None:
    """Raise when ``header`` is a peptide-, precursor- or PSM-level proteomics table.

    Such tables (DIA-NN's long report or ``pr_matrix``, MaxQuant's ``evidence.txt`` or
    ``peptides.txt``, FragPipe's ``psm.tsv`` / ``peptide.tsv`` / ``combined_peptide.tsv``
    / ``combined_ion.tsv``) have no samples x protein-groups reading: their numeric
    annotation columns would pass for samples. The error names the protein-level file
    the same tool writes beside them.
    """
    cols = {c.strip() for c in header}
    if "Protein.Group" in cols and ({"Run", "Precursor.Id", "File.Name"} & cols):
        what, fix = (
            "DIA-NN's precursor-level output (a long report or report.pr_matrix.tsv)",
            "read the report.pg_matrix.tsv DIA-NN writes next to it",
        )
    elif "Sequence" in cols and ({"Raw file", "Leading razor protein"} & cols):
        what, fix = (
            "a MaxQuant peptide-level table (evidence.txt or peptides.txt)",
            "read proteinGroups.txt from the same txt/ folder",
        )
    elif "Protein ID" in cols and ({"Peptide", "Peptide Sequence", "Spectrum"} & cols):
        what, fix = (
            "a FragPipe peptide-, ion- or PSM-level table",
            "read combined_protein.tsv from the FragPipe output folder",
        )
    else:
        return
    raise SeqattnError(f"{source}: this is {what}, not a samples x protein-groups matrix; {fix}")
