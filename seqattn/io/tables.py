"""Plain matrices: CSV, TSV and Parquet, samples as rows or as columns."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import anndata as ad
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.io._checks import (
    check_file,
    check_finite,
    check_unique_samples,
    duplicated,
    id_str,
    make_unique,
    numeric_block,
    numeric_split,
    preview,
    raw_header,
    read_text_table,
    sanitize_frame,
)

_ORIENTATIONS = ("auto", "rows", "columns")
_UNNAMED = ("", "Unnamed: 0", "index", "__index_level_0__")


def read_csv(
    path: str | os.PathLike[str],
    *,
    samples_as: str = "auto",
    sample_column: str | None = None,
    feature_column: str | None = None,
    obs_columns: Iterable[str] = (),
    known_samples: Iterable[str] | None = None,
    sep: str = ",",
) -> ad.AnnData:
    """Read a comma-separated matrix; see :func:`frame_to_anndata` for the layout rules.

    Parameters
    ----------
    path
        The CSV file (``.gz`` and other pandas compressions are fine).
    samples_as
        ``"rows"`` (one sample per row, one feature per column), ``"columns"`` (one
        feature per row) or ``"auto"``: the orientation in which ``known_samples``
        (e.g. a sample sheet's ids) match, else rows when ``sample_column`` or one of
        ``obs_columns`` is a column header, else rows.
    sample_column
        With samples as rows: the column holding sample names (default: the first column
        when it is text or unnamed).
    feature_column
        With samples as columns: the column holding feature names (default: the first
        text column).
    obs_columns
        Columns that are annotation even when numeric (a 0/1 label, an age).
    known_samples
        Sample names expected in the file, used only by ``samples_as="auto"``.
    sep
        Field delimiter.

    Returns
    -------
    AnnData
        ``X`` float32 (NaN = missing), text columns in ``obs`` (rows) or ``var`` (columns).

    Examples
    --------
    Samples as rows, a text column as annotation and an empty cell as NaN:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "matrix.csv"
    >>> _ = path.write_text("sample,disease,ALB,C3\\n"
    ...                     "s1,healthy,1.5,0.25\\n"
    ...                     "s2,NAFLD,1.0,\\n"
    ...                     "s3,NAFLD,0.5,0.75\\n")
    >>> adata = seqattn.io.read_csv(path)
    >>> adata.obs_names.tolist(), adata.var_names.tolist(), adata.obs.columns.tolist()
    (['s1', 's2', 's3'], ['ALB', 'C3'], ['disease'])
    >>> adata.X.dtype, adata.X.tolist()
    (dtype('float32'), [[1.5, 0.25], [1.0, nan], [0.5, 0.75]])

    The same matrix with samples as columns (one feature per row):

    >>> _ = path.write_text("protein,s1,s2,s3\\nALB,1.5,1.0,0.5\\nC3,0.25,,0.75\\n")
    >>> adata = seqattn.io.read_csv(path, samples_as="columns")
    >>> adata.obs_names.tolist(), adata.var_names.tolist()
    (['s1', 's2', 's3'], ['ALB', 'C3'])
    >>> adata.X.tolist()
    [[1.5, 0.25], [1.0, nan], [0.5, 0.75]]
    >>> tmp.cleanup()
    """
    p = check_file(path)
    df = read_text_table(p, sep)
    return frame_to_anndata(
        df,
        source=p,
        header=raw_header(p, sep) or list(df.columns),
        samples_as=samples_as,
        sample_column=sample_column,
        feature_column=feature_column,
        obs_columns=obs_columns,
        known_samples=known_samples,
        fmt="csv" if sep == "," else "tsv",
    )


def read_tsv(path: str | os.PathLike[str], **kwargs) -> ad.AnnData:
    """Read a tab-separated matrix (``.tsv``/``.txt``); keywords as :func:`read_csv`.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "matrix.tsv"
    >>> pd.DataFrame({"protein": ["ALB", "C3", "APOA1"], "s1": [1.5, 0.25, 2.0],
    ...               "s2": [1.0, None, 2.5]}).to_csv(path, sep="\\t", index=False)
    >>> adata = seqattn.io.read_tsv(path, samples_as="columns")
    >>> adata.obs_names.tolist(), adata.var_names.tolist()
    (['s1', 's2'], ['ALB', 'C3', 'APOA1'])
    >>> adata.X.tolist()
    [[1.5, 0.25, 2.0], [1.0, nan, 2.5]]
    >>> tmp.cleanup()
    """
    return read_csv(path, sep="\t", **kwargs)


def read_parquet(
    path: str | os.PathLike[str],
    *,
    samples_as: str = "auto",
    sample_column: str | None = None,
    feature_column: str | None = None,
    obs_columns: Iterable[str] = (),
    known_samples: Iterable[str] | None = None,
) -> ad.AnnData:
    """Read a Parquet matrix; keywords as :func:`read_csv` (a stored index becomes a column).

    Examples
    --------
    A data frame saved with its index (the sample names) and a numeric label column kept
    as annotation (``obs_columns``):

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "matrix.parquet"
    >>> frame = pd.DataFrame({"ALB": [1.5, 1.0, 0.5], "C3": [0.25, None, 0.75],
    ...                       "fibrosis": [0, 1, 1]},
    ...                      index=pd.Index(["s1", "s2", "s3"], name="sample"))
    >>> frame.to_parquet(path)
    >>> adata = seqattn.io.read_parquet(path, obs_columns=["fibrosis"])
    >>> adata.obs_names.tolist(), adata.var_names.tolist(), adata.obs["fibrosis"].tolist()
    (['s1', 's2', 's3'], ['ALB', 'C3'], [0, 1, 1])
    >>> adata.X.tolist()
    [[1.5, 0.25], [1.0, nan], [0.5, 0.75]]
    >>> tmp.cleanup()
    """
    p = check_file(path)
    try:
        df = pd.read_parquet(p)
    except Exception as err:  # pyarrow raises many types for a corrupt file
        msg = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise SeqattnError(
            f"{p}: cannot read as Parquet ({msg}); check the file or pass format="
        ) from None
    if not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index()
    df.columns = [str(c) for c in df.columns]
    return frame_to_anndata(
        df,
        source=p,
        header=list(df.columns),
        samples_as=samples_as,
        sample_column=sample_column,
        feature_column=feature_column,
        obs_columns=obs_columns,
        known_samples=known_samples,
        fmt="parquet",
    )


def frame_to_anndata(
    df: pd.DataFrame,
    *,
    source: Path,
    header: Sequence[str],
    samples_as: str = "auto",
    sample_column: str | None = None,
    feature_column: str | None = None,
    obs_columns: Iterable[str] = (),
    known_samples: Iterable[str] | None = None,
    fmt: str = "csv",
) -> ad.AnnData:
    """Turn a table into AnnData (obs = samples, var = features).

    Numeric columns are data; columns that are mostly text are annotation (``obs``
    when samples are rows, ``var`` when they are columns); a numeric column with a few
    words in it raises, naming the first bad cell. ``header`` is the first line as
    written, so repeated column names are caught even though pandas renames them.
    """
    if samples_as not in _ORIENTATIONS:
        raise SeqattnError(
            f"{source}: samples_as={samples_as!r} is not one of {', '.join(_ORIENTATIONS)}; "
            "use rows (one sample per row) or columns (one sample per column)"
        )
    if df.shape[1] == 0:
        raise SeqattnError(f"{source}: no columns found; check the file and its delimiter")
    if df.shape[0] == 0:
        raise SeqattnError(f"{source}: has a header but no data rows; export the table again")
    if df.shape[1] == 1 and fmt in ("csv", "tsv"):
        raise SeqattnError(
            f"{source}: only one column was found, so the delimiter is probably wrong; "
            "format=csv reads commas and format=tsv tabs (or use format=auto)"
        )
    raw = dict(zip(df.columns, header, strict=False)) if len(header) == df.shape[1] else {}
    first = df.columns[0]
    if str(first) in _UNNAMED and df[first].equals(pd.Series(range(len(df)), index=df.index)):
        df = df.drop(columns=[first])  # a row index pandas wrote (to_csv without index=False)
    obs_columns = [c for c in obs_columns if c]
    orientation = _orientation(df, samples_as, sample_column, obs_columns, known_samples)
    if orientation == "rows":
        adata, id_col = _rows(df, source, sample_column, obs_columns, raw)
    else:
        adata, id_col = _columns(df, source, feature_column, raw)
    adata.uns["seqattn_io"] = {
        "path": str(source),
        "format": fmt,
        "samples_as": orientation,
        **({"sample_id_column": id_col} if id_col else {}),
    }
    return adata


def _orientation(
    df: pd.DataFrame,
    samples_as: str,
    sample_column: str | None,
    obs_columns: Sequence[str],
    known_samples: Iterable[str] | None,
) -> str:
    if samples_as != "auto":
        return samples_as
    if known_samples is not None:
        known = {str(s) for s in known_samples}
        id_col = sample_column if sample_column in df.columns else df.columns[0]
        in_rows = df[id_col].astype(str).str.strip().isin(known).sum()
        in_cols = sum(str(c).strip() in known for c in df.columns)
        if in_cols > in_rows:
            return "columns"
        if in_rows:
            return "rows"
    return "rows"


def _rows(
    df: pd.DataFrame,
    source: Path,
    sample_column: str | None,
    obs_columns: Sequence[str],
    raw: dict[str, str],
) -> tuple[ad.AnnData, str | None]:
    first = df.columns[0]
    if sample_column and sample_column in df.columns:
        id_col: str | None = sample_column
    elif str(first) in _UNNAMED or not pd.api.types.is_numeric_dtype(df[first]):
        id_col = first
    else:
        id_col = None
        warnings.warn(
            f"{source}: no sample-name column (the first column is numeric), so samples are "
            "named by row number; pass sample_column= to name them",
            stacklevel=3,
        )
    if id_col is not None:
        ids = df[id_col]
        if ids.isna().any():
            n = int(ids.isna().sum())
            raise SeqattnError(
                f"{source}: {n} rows have no sample name in column {id_col!r}; fill them in"
            )
        names = [id_str(v) for v in ids]
    else:
        names = [str(i) for i in range(df.shape[0])]
    check_unique_samples(names, source=source, where=f"column {id_col!r}" if id_col else "rows")
    rest = df.drop(columns=[id_col]) if id_col is not None else df
    numeric, annotation = numeric_split(rest, source=source, row_names=names, forced=obs_columns)
    if not numeric:
        raise SeqattnError(
            f"{source}: no numeric columns (every column is text); the matrix needs one numeric "
            "column per feature, or pass samples_as=columns if samples are columns"
        )
    feat_raw = [raw.get(c, c) for c in numeric]
    dups = duplicated(feat_raw)
    if dups:
        warnings.warn(
            f"{source}: {len(dups)} repeated feature names ({preview(dups, 3)}); made unique "
            "with -1, -2 suffixes",
            stacklevel=3,
        )
    X = numeric_block(rest[numeric])
    var_names = make_unique(feat_raw)
    check_finite(X, source=source, obs_names=names, var_names=var_names)
    obs = sanitize_frame(rest[annotation].reset_index(drop=True))
    obs.index = pd.Index(names)
    return ad.AnnData(X=X, obs=obs, var=pd.DataFrame(index=var_names)), id_col


def _columns(
    df: pd.DataFrame, source: Path, feature_column: str | None, raw: dict[str, str]
) -> tuple[ad.AnnData, str | None]:
    if feature_column is not None and feature_column not in df.columns:
        raise SeqattnError(
            f"{source}: feature column {feature_column!r} not found; columns start with "
            f"{preview(df.columns)}"
        )
    row_names = [f"row {i + 2}" for i in range(df.shape[0])]
    numeric, annotation = numeric_split(
        df, source=source, row_names=row_names, forced=[feature_column] if feature_column else []
    )
    if not numeric:
        raise SeqattnError(
            f"{source}: no numeric columns (every column is text); with samples as columns each "
            "sample needs a numeric column, or pass samples_as=rows"
        )
    feat_col = feature_column or (annotation[0] if annotation else None)
    if feat_col is None and str(df.columns[0]) in _UNNAMED:
        feat_col = df.columns[0]
        numeric.remove(feat_col)
    if feat_col is None:
        warnings.warn(
            f"{source}: no feature-name column (no text column), so features are named by row "
            "number; pass feature_column= to name them",
            stacklevel=3,
        )
        feat_names = [str(i) for i in range(df.shape[0])]
    else:
        feat_names = [
            id_str(v) if pd.notna(v) else f"row{i + 2}" for i, v in enumerate(df[feat_col])
        ]
    samples = [raw.get(c, c).strip() for c in numeric]
    check_unique_samples(samples, source=source, where="the column header")
    X = numeric_block(df[numeric]).T.copy()
    var_names = make_unique(feat_names)
    dups = duplicated(feat_names)
    if dups:
        warnings.warn(
            f"{source}: {len(dups)} repeated feature names ({preview(dups, 3)}); made unique "
            "with -1, -2 suffixes",
            stacklevel=3,
        )
    check_finite(X, source=source, obs_names=samples, var_names=var_names)
    var = sanitize_frame(df[[c for c in annotation if c != feat_col]].reset_index(drop=True))
    var.index = var_names
    return ad.AnnData(X=X, obs=pd.DataFrame(index=pd.Index(samples)), var=var), None
