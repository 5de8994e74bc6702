"""Checks and small helpers every reader shares.

Each check raises :class:`~seqattn._errors.SeqattnError` with one line that names the
file, the problem and the fix, so the CLI can print it as is.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError

#: Cells pandas reads as missing besides its defaults (Perseus writes "NaN", Excel "#N/A").
NA_VALUES = ["", "NA", "N/A", "NaN", "nan", "#N/A", "NULL", "null"]


def preview(names: Iterable[object], n: int = 5) -> str:
    """``"a, b, c (+12 more)"``: a short, quoted list for one-line messages."""
    names = list(names)
    shown = ", ".join(repr(str(x)) for x in names[:n])
    return shown + (f" (+{len(names) - n} more)" if len(names) > n else "")


def check_file(path: str | os.PathLike[str], what: str = "input file") -> Path:
    """Return ``path`` as a :class:`Path` after checking it exists, is a file and is not empty."""
    p = Path(path)
    if not p.exists():
        raise SeqattnError(
            f"{p}: {what} not found; check the path (working directory {Path.cwd()})"
        )
    if p.is_dir():
        raise SeqattnError(f"{p}: {what} is a directory; give the path of the file inside it")
    if p.stat().st_size == 0:
        raise SeqattnError(f"{p}: {what} is empty (0 bytes); export the table again")
    return p


def duplicated(names: Sequence[object]) -> list[str]:
    """The names that occur more than once, each listed once, in first-seen order."""
    s = pd.Series([str(x) for x in names])
    return list(dict.fromkeys(s[s.duplicated()]))


def make_unique(names: Sequence[object]) -> pd.Index:
    """Names as strings, repeats suffixed ``-1``, ``-2`` (anndata's convention)."""
    import anndata as ad

    return ad.utils.make_index_unique(pd.Index([str(x) for x in names]))


#: Magic numbers of binary files people pass by mistake (what they are, what to do).
_BINARY = {
    b"PK\x03\x04": "a zip archive or an Excel workbook",
    b"\x89HDF": "an HDF5 file (.h5ad, .hdf)",
    b"PAR1": "a Parquet file",
    b"\x1f\x8b": "a gzip file",
    b"%PDF": "a PDF document",
    b"\xd0\xcf\x11\xe0": "an old Office document (.xls)",
    b"SQLite format 3": "an SQLite database",
}


def check_text(path: Path) -> None:
    """Raise when ``path`` is a binary file, so it never reaches a text parser.

    Compressed text (``.csv.gz``, ``.tsv.zip``, ...) is left to pandas, which reads it.
    """
    if Path(path).suffix.lower() in (".gz", ".bz2", ".xz", ".zip", ".zst"):
        return
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192)
    except OSError as err:
        raise SeqattnError(f"{path}: cannot open the file ({err.strerror}); check its permissions") from None
    kind = next((what for magic, what in _BINARY.items() if head.startswith(magic)), None)
    if kind is None and b"\x00" in head:
        kind = "a binary file"
    if kind is not None:
        raise SeqattnError(
            f"{path}: this is {kind}, not a text table; give the CSV/TSV export of the table "
            "(or pass --format h5ad / --format parquet if it is one)"
        )


def read_text_table(path: Path, sep: str, **kwargs) -> pd.DataFrame:
    """``pandas.read_csv`` with one-line errors; retries latin-1 for old Windows exports.

    Column names are stripped of surrounding spaces (FragPipe once wrote ``"S1 Spectral
    Count  "``); a binary file or a file with a header and no rows raises.
    """
    check_text(path)
    opts = {"sep": sep, "low_memory": False, "na_values": NA_VALUES, "keep_default_na": True}
    opts.update(kwargs)
    try:
        try:
            df = pd.read_csv(path, **opts)
        except UnicodeDecodeError:
            df = pd.read_csv(path, encoding="latin-1", **opts)
    except pd.errors.EmptyDataError:
        raise SeqattnError(
            f"{path}: file has no columns (empty or blank lines only); export the table again"
        ) from None
    except (pd.errors.ParserError, ValueError, OverflowError) as err:
        first = (str(err).strip().splitlines() or [type(err).__name__])[0]
        raise SeqattnError(
            f"{path}: cannot parse as {_sep_name(sep)} ({first}); check the delimiter, or pass "
            "--format csv or --format tsv"
        ) from None
    if kwargs.get("header", "infer") is not None:
        df.columns = [str(c).strip() for c in df.columns]
        if df.shape[0] == 0 and df.shape[1] > 0:
            raise SeqattnError(
                f"{path}: has a header ({preview(df.columns, 3)}) but no data rows; export "
                "the table again with its rows"
            )
    return df


def raw_header(path: Path, sep: str) -> list[str]:
    """The first line's fields exactly as written (pandas renames repeats to ``x.1``)."""
    try:
        row = read_text_table(
            path, sep, header=None, nrows=1, dtype=str, keep_default_na=False, na_values=[]
        )
    except SeqattnError:
        return []
    return [str(x).strip() for x in row.iloc[0].tolist()] if len(row) else []


def _sep_name(sep: str) -> str:
    return {"\t": "tab-separated text", ",": "comma-separated text"}.get(sep, f"text (sep {sep!r})")


def numeric_split(
    df: pd.DataFrame, *, source: Path, row_names: Sequence[object], forced: Iterable[str] = ()
) -> tuple[list[str], list[str]]:
    """Split columns into numeric (data) and annotation columns.

    A column is annotation when it is forced (label, sample id, ...), boolean, or when
    most of its non-missing cells are not numbers (gene names, genotype). A column with
    numbers and a few stray words is a data column with bad cells: that raises, naming
    the first bad cell, because dropping or blanking it silently would change the data.
    """
    forced = set(forced)
    numeric: list[str] = []
    annotation: list[str] = []
    for col in df.columns:
        s = df[col]
        if col in forced or pd.api.types.is_bool_dtype(s):
            annotation.append(col)
            continue
        if pd.api.types.is_numeric_dtype(s):
            numeric.append(col)
            continue
        present = s.notna()
        parsed = pd.to_numeric(s.where(present), errors="coerce")
        bad = present & parsed.isna()
        n_present, n_bad = int(present.sum()), int(bad.sum())
        if n_present and n_bad * 2 > n_present:
            annotation.append(col)
        elif n_bad:
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise SeqattnError(
                f"{source}: non-numeric value {s.iloc[i]!r} in column {col!r} at "
                f"{row_names[i]!r} ({n_bad} such cells); fix those cells or leave them "
                "empty (empty and NA are read as missing)"
            )
        else:
            numeric.append(col)
    return numeric, annotation


def numeric_block(df: pd.DataFrame) -> np.ndarray:
    """The numeric columns of ``df`` as a float32 array (NaN for missing)."""
    out = np.empty(df.shape, dtype=np.float32)
    for j, col in enumerate(df.columns):
        out[:, j] = pd.to_numeric(df[col], errors="coerce").to_numpy(
            dtype=np.float32, na_value=np.nan
        )
    return out


def check_finite(
    X: np.ndarray, *, source: Path, obs_names: Sequence[object], var_names: Sequence[object]
) -> None:
    """Raise on inf values: they are never a measurement and break every downstream step."""
    inf = np.isinf(X)
    if inf.any():
        i, j = (int(v[0]) for v in np.nonzero(inf))
        raise SeqattnError(
            f"{source}: {int(inf.sum())} infinite values (first at sample {obs_names[i]!r}, "
            f"feature {var_names[j]!r}); replace them with empty cells (missing) or real numbers"
        )


def check_unique_samples(names: Sequence[object], *, source: Path, where: str) -> None:
    """Raise when sample names repeat: rows would be joined to the wrong metadata."""
    dups = duplicated(names)
    if dups:
        raise SeqattnError(
            f"{source}: duplicate sample names in {where}: {preview(dups)}; make each sample "
            "name unique (e.g. add a replicate suffix)"
        )


def sanitize_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Make every column writable to ``.h5ad``.

    anndata writes numbers, strings (with NaN) and categoricals, but not object columns
    that mix types (Excel sheets often do) or datetimes; those become strings, keeping
    missing cells missing.
    """
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s) or pd.api.types.is_timedelta64_dtype(s):
            out[col] = s.astype(str).where(s.notna(), np.nan).astype(object)
        elif s.dtype == object and s.notna().sum() == 0:
            # an all-empty text column (FragPipe's "Indistinguishable Proteins" after
            # filtering): anndata cannot write an object column holding only NaN
            out[col] = pd.Series(np.nan, index=s.index, dtype=float)
        elif s.dtype == object and not all(isinstance(v, str) for v in s.dropna()):
            out[col] = s.map(lambda v: v if pd.isna(v) else str(v)).astype(object)
    # h5py reads "/" in a column name as a path separator: anndata is dropping support.
    names = [str(c) for c in out.columns]
    renamed = [n for n in names if "/" in n]
    if renamed:
        warnings.warn(
            f"{len(renamed)} column names contain '/', which .h5ad cannot store; it was replaced "
            f"by '_' in: {preview(renamed, 3)}",
            stacklevel=3,
        )
    out.columns = [n.replace("/", "_") for n in names]
    return out


def first_token(values: pd.Series, sep: str = ";") -> pd.Series:
    """The first ``;``-separated entry of each cell (leading gene/protein of a group)."""
    s = values.astype(object).where(values.notna(), None)
    return s.map(lambda v: None if v is None else (str(v).split(sep)[0].strip() or None))


def id_str(v: object) -> str:
    """A sample/feature id as text; ``12.0`` read from a numeric column becomes ``"12"``."""
    if isinstance(v, float | np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


_RUN_SUFFIX = re.compile(r"\.(raw|d|mzml|mzxml|wiff2?|dia|htrms|zip|gz)$", re.IGNORECASE)


def run_stem(header: str) -> str:
    """``"D:\\\\data\\\\S1.raw"`` -> ``"S1"``: folders and raw-file suffixes removed."""
    name = re.split(r"[\\/]", str(header).strip())[-1]
    while _RUN_SUFFIX.search(name):
        name = _RUN_SUFFIX.sub("", name)
    return name
