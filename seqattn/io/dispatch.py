"""``seqattn.io.read``: one entry point for every supported file."""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from pathlib import Path

import anndata as ad

from seqattn._errors import SeqattnError
from seqattn.io._checks import check_file, raw_header
from seqattn.io.alpha import read_alphadia, read_alphapept
from seqattn.io.diann import read_diann
from seqattn.io.formats import (
    FORMATS,
    check_format,
    detect_format,
    reject_peptide_level,
    text_separator,
)
from seqattn.io.fragpipe import read_fragpipe
from seqattn.io.h5ad import read_h5ad
from seqattn.io.maxquant import read_maxquant
from seqattn.io.mudata import read_h5mu
from seqattn.io.mztab import read_mztab
from seqattn.io.samplesheet import (
    attach_sample_sheet,
    check_annotations,
    read_sample_sheet,
)
from seqattn.io.spectronaut import read_spectronaut
from seqattn.io.tables import read_csv, read_parquet, read_tsv

READERS: dict[str, Callable[..., ad.AnnData]] = {
    "h5ad": read_h5ad,
    "csv": read_csv,
    "tsv": read_tsv,
    "parquet": read_parquet,
    "maxquant": read_maxquant,
    "diann": read_diann,
    "fragpipe": read_fragpipe,
    "spectronaut": read_spectronaut,
    "alphapept": read_alphapept,
    "alphadia": read_alphadia,
    "mztab": read_mztab,
    "h5mu": read_h5mu,
}
assert set(READERS) == set(FORMATS)

_TABLES = ("csv", "tsv", "parquet")
#: HDF5 containers: no text header to sniff.
_HDF5 = ("h5ad", "h5mu")
#: Keywords ``read`` fills in itself; they are not reader options a user passes.
_INTERNAL = {"path", "known_samples", "sample_column", "sep"}


def reader_options(fmt: str) -> list[str]:
    """The option names the reader of ``fmt`` accepts (``samples_as``, ``intensity``, ...).

    Examples
    --------
    >>> reader_options("h5mu"), reader_options("h5ad")
    (['modalities'], ['backed'])
    """
    params = inspect.signature(READERS[fmt]).parameters
    if fmt == "tsv":  # read_tsv forwards **kwargs to read_csv
        params = inspect.signature(read_csv).parameters
    return [name for name in params if name not in _INTERNAL]


def all_reader_options() -> set[str]:
    """Every option name some reader accepts (the CLI routes ``--option`` keys by it)."""
    return {name for fmt in READERS for name in reader_options(fmt)}


def _header(path: Path, fmt: str) -> list[str]:
    """The column names of a text or Parquet file, without reading its rows."""
    if fmt == "mztab":
        return []
    if fmt == "parquet":
        import pyarrow.parquet as pq

        try:
            return list(pq.read_schema(path).names)
        except Exception:  # not Parquet after all: read_parquet names the problem
            return []
    if fmt in ("csv", "tsv"):
        return raw_header(path, "," if fmt == "csv" else "\t")  # as the format's reader splits
    return raw_header(path, text_separator(path))


def read(
    path: str | os.PathLike[str],
    format: str = "auto",
    *,
    sample_sheet: str | os.PathLike[str] | None = None,
    sample_column: str | None = None,
    label: str | None = None,
    group: str | None = None,
    batch: str | None = None,
    **options,
) -> ad.AnnData:
    """Read an omics file into AnnData (obs = samples or cells, var = features).

    Parameters
    ----------
    path
        The data file: ``.h5ad``; a CSV/TSV/Parquet matrix; MaxQuant
        ``proteinGroups.txt`` (tab or comma); DIA-NN ``report.pg_matrix.tsv``; FragPipe
        ``combined_protein.tsv``; a Spectronaut long or protein pivot report; AlphaPept
        ``results_proteins.csv``; AlphaDIA ``pg.matrix.tsv``; mzTab 1.0; a MuData ``.h5mu``
        (its modalities side by side, ``var["modality"]`` naming each feature's; see
        :func:`seqattn.io.from_mudata`; needs the ``multimodal`` extra).
    format
        ``"auto"`` (by suffix and header) or one of ``h5ad, csv, tsv, parquet, maxquant,
        diann, fragpipe, spectronaut, alphapept, alphadia, mztab, h5mu``.
    sample_sheet
        Optional CSV/TSV/XLSX with one row per sample, joined on ``sample_column``; all
        its columns land in ``obs``. Samples missing from either side are named
        (error for data samples without a row, warning for unused rows).
    sample_column
        The sample-name column of the sheet (and, for a samples-as-rows matrix, of the
        matrix when it has one; for an ``.h5ad`` of cells, the obs column naming each
        cell's sample). Needed with a CSV/TSV/Parquet matrix; for the other formats,
        None finds it: the sheet column holding the most of the file's sample names
        (a tie or no match raises), recorded in ``uns["seqattn_io"]["sample_column"]``.
    label, group, batch
        obs columns (from the file or the sheet): ``label`` is checked (every sample
        labelled, at least two classes) and made categorical; ``group`` (subject, mouse,
        patient: samples that must stay in one fold) and ``batch`` must be filled in.
        Their names are recorded in ``uns["seqattn_io"]``.
    **options
        Passed to the format's reader (``--option key=value`` on the command line):
        ``samples_as``, ``feature_column``, ``obs_columns`` (csv/tsv/parquet);
        ``intensity``, ``drop_flagged`` (maxquant); ``sample_names`` (diann);
        ``intensity``, ``drop_contaminants`` (fragpipe); ``intensity`` (spectronaut);
        ``intensity``, ``drop_decoys`` (alphapept); ``abundance`` (mztab); ``backed``
        (h5ad); ``modalities`` (h5mu: e.g. ``modalities=rna,adt``; default all).

    Returns
    -------
    AnnData
        ``X`` float32 with NaN for missing values (or as stored in an ``.h5ad``);
        ``uns["seqattn_io"]`` records the source, format, reader counts and the
        label/group/batch names.

    Examples
    --------
    A matrix with samples as rows and a sample sheet (any reader works the same way, e.g.
    ``read("proteinGroups.txt", sample_sheet="samples.xlsx", label="disease")``):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> import seqattn
    >>> folder = Path(tempfile.mkdtemp())
    >>> matrix = pd.DataFrame({"P1": [1.0, 2.0, 3.0, 4.0], "P2": [2.0, 1.0, 0.5, 3.0]},
    ...                       index=pd.Index(["s1", "s2", "s3", "s4"], name="sample"))
    >>> matrix.to_csv(folder / "matrix.csv")
    >>> sheet = pd.DataFrame({"sample": ["s1", "s2", "s3", "s4"], "disease": list("aabb")})
    >>> sheet.to_csv(folder / "sheet.csv", index=False)
    >>> adata = seqattn.io.read(folder / "matrix.csv", sample_sheet=folder / "sheet.csv",
    ...                         sample_column="sample", label="disease")
    >>> adata.shape, adata.obs["disease"].tolist()
    ((4, 2), ['a', 'a', 'b', 'b'])
    """
    p = check_file(path)
    fmt = check_format(format)
    if fmt == "auto":
        fmt = detect_format(p)
    if fmt not in _HDF5:
        reject_peptide_level(_header(p, fmt), p)
    allowed = reader_options(fmt)
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        raise SeqattnError(
            f"{p}: option {', '.join(unknown)} does not apply to format {fmt}; drop that "
            f"--option, or use one for {fmt}: {', '.join(allowed) or 'none'} (or pass "
            "--format if the format was detected wrongly)"
        )
    if sample_sheet is not None and not sample_column and fmt in _TABLES:
        raise SeqattnError(
            f"{sample_sheet}: a sample sheet for a {fmt} matrix needs --sample-column: the "
            "sheet column holding the sample names used in the matrix"
        )
    sheet = (
        read_sample_sheet(sample_sheet, sample_column=sample_column)
        if sample_sheet is not None and sample_column
        else None
    )
    kwargs = dict(options)
    if fmt in _TABLES:
        meta = [c for c in (label, group, batch) if c]
        kwargs["obs_columns"] = [*meta, *options.get("obs_columns", [])]
        kwargs["sample_column"] = sample_column
        if sheet is not None:
            kwargs["known_samples"] = list(sheet.index)
    adata = READERS[fmt](p, **kwargs)
    found = sample_sheet is not None and sheet is None
    if found:  # the sample names come from the file itself: find the sheet's column by them
        sheet = read_sample_sheet(sample_sheet, data=adata)
        sample_column = sheet.index.name
    if sheet is not None:
        attach_sample_sheet(
            adata, sheet, sample_column=sample_column, source=sample_sheet, column_found=found
        )
    elif sample_column:
        used = adata.uns.get("seqattn_io", {}).get("sample_id_column")
        if fmt in _TABLES and used != sample_column:
            raise SeqattnError(
                f"{p}: sample column {sample_column!r} not found in the matrix; pass "
                "--sample-column with a column header (or --samples-as columns)"
            )
        if fmt not in _TABLES:
            raise SeqattnError(
                f"{p}: --sample-column is only used to join a sample sheet for {fmt} files; pass "
                "--sample-sheet too or drop --sample-column"
            )
    check_annotations(adata, label=label, group=group, batch=batch, source=sample_sheet or p)
    return adata
