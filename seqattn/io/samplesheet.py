"""Sample sheets (CSV / TSV / XLSX) and the label, group and batch columns they bring."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.io._checks import (
    check_file,
    duplicated,
    id_str,
    preview,
    read_text_table,
    run_stem,
    sanitize_frame,
)
from seqattn.io.formats import base_suffix


def read_sample_sheet(
    path: str | os.PathLike[str],
    *,
    sample_column: str | None = None,
    data: ad.AnnData | None = None,
) -> pd.DataFrame:
    """Read a sample sheet, one row per sample, indexed by ``sample_column`` (as text).

    Parameters
    ----------
    path
        ``.csv``, ``.tsv``/``.txt`` (tab) or ``.xlsx`` (first worksheet).
    sample_column
        The column holding the sample names used in the data file.
    data
        Without ``sample_column``: the data whose sample names pick the column, the one
        holding the most of them (a tie or no match raises).

    Returns
    -------
    DataFrame
        Every other column of the sheet, index = sample names (stripped text; a number
        such as ``12.0`` read from Excel becomes ``"12"``) named ``sample_column``.
        Wholly empty rows are skipped.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import anndata as ad
    >>> import numpy as np
    >>> import pandas as pd
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "samples.csv"
    >>> _ = path.write_text("patient,run,disease\\n"
    ...                     "p1,S1,healthy\\n"
    ...                     "p2,S2,NAFLD\\n"
    ...                     "p3,S3,NAFLD\\n")
    >>> sheet = seqattn.io.read_sample_sheet(path, sample_column="run")
    >>> sheet.index.name, sheet.index.tolist(), sheet.columns.tolist()
    ('run', ['S1', 'S2', 'S3'], ['patient', 'disease'])

    Without ``sample_column``, the column holding the data's sample names is found:

    >>> data = ad.AnnData(np.zeros((2, 1), dtype=np.float32),
    ...                   obs=pd.DataFrame(index=["S2", "S3"]))
    >>> seqattn.io.read_sample_sheet(path, data=data).index.name
    'run'
    >>> tmp.cleanup()
    """
    p = check_file(path, "sample sheet")
    df = _read_sheet_frame(p)
    if sample_column is None:
        if data is None:
            raise SeqattnError(
                f"{p}: a sample sheet needs sample_column (--sample-column): the sheet column "
                "holding the sample names used in the data file"
            )
        sample_column = _find_sample_column(df, data, p)
    if sample_column not in df.columns:
        raise SeqattnError(
            f"{p}: sample column {sample_column!r} not in the sample sheet; its columns are "
            f"{preview(df.columns, 8)}; pass --sample-column with one of them"
        )
    ids = df[sample_column]
    if ids.isna().any():
        rows = [int(i) + 2 for i in np.flatnonzero(ids.isna().to_numpy())]
        raise SeqattnError(
            f"{p}: {len(rows)} rows of the sample sheet have no {sample_column!r} (file rows "
            f"{preview(rows)}); fill them in or delete those rows"
        )
    names = [id_str(v) for v in ids]
    dups = duplicated(names)
    if dups:
        raise SeqattnError(
            f"{p}: sample sheet lists samples more than once: {preview(dups)}; keep one row per sample"
        )
    out = df.drop(columns=[sample_column]).reset_index(drop=True)
    out.index = pd.Index(names, name=sample_column)
    return out


def _read_sheet_frame(p: Path) -> pd.DataFrame:
    """The sheet's rows (wholly empty ones skipped) with stripped column names."""
    suffix = base_suffix(p)
    if suffix in (".xlsx", ".xlsm"):
        try:
            with warnings.catch_warnings():
                # openpyxl warns about Excel extensions it ignores (data validation, ...).
                warnings.simplefilter("ignore", UserWarning)
                df = pd.read_excel(p, sheet_name=0, engine="openpyxl")
        except Exception as err:  # openpyxl raises many types for a damaged workbook
            msg = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise SeqattnError(
                f"{p}: cannot read the workbook ({msg}); save it again as .xlsx or CSV"
            ) from None
    elif suffix == ".xls":
        raise SeqattnError(f"{p}: old .xls workbooks are not read; save the sheet as .xlsx or CSV")
    elif suffix in (".csv", ".tsv", ".txt", ".tab"):
        df = read_text_table(p, "," if suffix == ".csv" else "\t")
    else:
        raise SeqattnError(
            f"{p}: sample sheet must be .csv, .tsv, .txt or .xlsx, not {suffix or '(no suffix)'!r}"
        )
    df.columns = [str(c).strip() for c in df.columns]
    df = df.dropna(how="all")
    if df.empty:
        raise SeqattnError(f"{p}: sample sheet has no rows; add one row per sample")
    return df


def _find_sample_column(df: pd.DataFrame, adata: ad.AnnData, p: Path) -> str:
    """The column of sheet ``df`` that holds the data's sample names.

    Each sheet column is compared with ``adata.obs_names`` (or, for a column that
    ``adata.obs`` also has, such as the sample of each cell, with that column's values).
    The column matching the most data samples wins; none, or a tie, raises and asks
    for ``--sample-column``.
    """
    obs_names = {str(s).strip() for s in adata.obs_names}
    run_col = adata.uns.get("seqattn_io", {}).get("run_column")
    matches = {}
    for col in df.columns:
        sheet_ids = pd.unique(pd.Series([id_str(v) for v in df[col].dropna()], dtype=object))
        if col in adata.obs and col != run_col:
            data_ids = {str(v).strip() for v in adata.obs[col].dropna()}
            matches[col] = len(data_ids & set(sheet_ids))
        else:
            matched = match_samples(_candidates(adata), list(sheet_ids))
            matches[col] = sum(m is not None for m in matched)
    best = max(matches.values(), default=0)
    winners = [c for c, n in matches.items() if n == best]
    if best == 0:
        raise SeqattnError(
            f"{p}: no sample-sheet column holds the data's sample names "
            f"({preview(sorted(obs_names), 3)}); pass --sample-column with the column that does"
        )
    if len(winners) > 1:
        raise SeqattnError(
            f"{p}: columns {preview(winners)} all hold {best} of the data's sample names; pass "
            "--sample-column with the one to join on"
        )
    return winners[0]


def _candidates(adata: ad.AnnData) -> list[list[str]]:
    """Each sample's names: its obs name, then the run it came from (a raw-file path)."""
    run_col = adata.uns.get("seqattn_io", {}).get("run_column")
    runs = (
        [str(v).strip() for v in adata.obs[run_col]]
        if run_col and run_col in adata.obs
        else [""] * adata.n_obs
    )
    return [
        [n for n in (str(name).strip(), run) if n]
        for name, run in zip(adata.obs_names, runs, strict=True)
    ]


def match_samples(candidates: list[list[str]], sheet_ids: list[str]) -> list[str | None]:
    """The sheet id of each data sample, or None.

    A sample matches a sheet id equal to one of its names (sample name, run path), else
    one whose raw-file stem equals the stem of one of its names: a sheet may list runs as
    ``D:\\runs\\S1.raw``, ``S1.raw`` or ``S1``. Stems shared by two sheet rows are not used.
    """
    exact = set(sheet_ids)
    stems: dict[str, str | None] = {}
    for sid in sheet_ids:
        stem = run_stem(sid)
        stems[stem] = None if stem in stems and stems[stem] != sid else sid
    out: list[str | None] = []
    for names in candidates:
        hit = next((n for n in names if n in exact), None)
        if hit is None:
            hit = next((stems[run_stem(n)] for n in names if stems.get(run_stem(n))), None)
        out.append(hit)
    return out


def attach_sample_sheet(
    adata: ad.AnnData,
    sheet: pd.DataFrame,
    *,
    sample_column: str,
    source: str | os.PathLike[str],
    column_found: bool = False,
) -> None:
    """Join ``sheet`` onto ``adata.obs`` in place, by sample name.

    The key is ``adata.obs[sample_column]`` when that column exists (cells of an
    ``.h5ad`` carrying their sample), else ``obs_names``. A data sample missing from the
    sheet raises, naming it; sheet rows with no data are named in a warning and in
    ``uns["seqattn_io"]["sheet_samples_not_in_data"]``. Nothing is dropped silently.
    ``column_found`` records (``sample_column_detected``) that the column was found from
    the data's sample names rather than given.

    Examples
    --------
    Samples named by their runs in the data are matched to the sheet by raw-file stem
    (``/data/S1.raw`` is ``S1``):

    >>> import anndata as ad
    >>> import numpy as np
    >>> import pandas as pd
    >>> import seqattn
    >>> adata = ad.AnnData(np.ones((3, 2), dtype=np.float32),
    ...                    obs=pd.DataFrame(index=["/data/S1.raw", "/data/S2.raw", "/data/S3.raw"]))
    >>> sheet = pd.DataFrame({"patient": ["p1", "p2", "p3"],
    ...                       "disease": ["healthy", "NAFLD", "NAFLD"]},
    ...                      index=pd.Index(["S1", "S2", "S3"], name="run"))
    >>> seqattn.io.attach_sample_sheet(adata, sheet, sample_column="run", source="samples.csv")
    >>> adata.obs
                  patient  disease
    /data/S1.raw       p1  healthy
    /data/S2.raw       p2    NAFLD
    /data/S3.raw       p3    NAFLD
    >>> adata.uns["seqattn_io"]["sample_sheet"], adata.uns["seqattn_io"]["sample_column"]
    ('samples.csv', 'run')
    """
    src = Path(source)
    run_col = adata.uns.get("seqattn_io", {}).get("run_column")
    by_column = sample_column in adata.obs.columns and sample_column != run_col
    if by_column:
        key = adata.obs[sample_column].astype(str).str.strip()
    else:
        names = [str(s).strip() for s in adata.obs_names]
        matched = match_samples(_candidates(adata), [str(i) for i in sheet.index])
        key = pd.Series(
            [m if m is not None else n for m, n in zip(matched, names, strict=True)],
            index=adata.obs_names,
        )
    data_ids = pd.unique(key.to_numpy())
    in_sheet = pd.Index(data_ids).isin(sheet.index)
    data_file = adata.uns.get("seqattn_io", {}).get("path", "the data")
    if not in_sheet.any():
        raise SeqattnError(
            f"{src}: sample sheet matches no sample of {data_file}: sheet {sample_column!r} has "
            f"{preview(sheet.index, 3)}, the data have {preview(data_ids, 3)}; pass "
            "--sample-column with the sheet column holding these names (or --samples-as)"
        )
    missing = [s for s, ok in zip(data_ids, in_sheet, strict=True) if not ok]
    if missing:
        raise SeqattnError(
            f"{src}: {len(missing)} samples of {data_file} are not in the sample sheet column "
            f"{sample_column!r}: {preview(missing)}; add rows for them to the sheet, or pass "
            "--sample-column with the column that names them"
        )
    extra = [s for s in sheet.index if s not in set(data_ids)]
    if extra:
        warnings.warn(
            f"{src}: {len(extra)} sample-sheet rows have no data in {data_file} and are not "
            f"used: {preview(extra)}",
            stacklevel=2,
        )
    joined = sanitize_frame(sheet.loc[key.to_numpy()].reset_index(drop=True))
    joined.index = adata.obs_names
    clash = [c for c in joined.columns if c in adata.obs.columns]
    if clash:
        warnings.warn(
            f"{src}: sample-sheet columns replace data columns of the same name: {preview(clash)}",
            stacklevel=2,
        )
    for col in joined.columns:
        adata.obs[col] = joined[col]
    info = dict(adata.uns.get("seqattn_io", {}))
    info.update(
        {
            "sample_sheet": str(src),
            "sample_column": sample_column,
            "sample_column_detected": bool(column_found),
            "n_sheet_samples_not_in_data": len(extra),
        }
    )
    if extra:
        info["sheet_samples_not_in_data"] = [str(s) for s in extra]
    adata.uns["seqattn_io"] = info


def check_annotations(
    adata: ad.AnnData,
    *,
    label: str | None = None,
    group: str | None = None,
    batch: str | None = None,
    source: str | os.PathLike[str] = "the data",
) -> None:
    """Check the label, group and batch columns of ``adata.obs`` and make them categorical.

    Every sample needs a label and at least two classes must occur; group and batch
    (when given) must be filled for every sample. The names are recorded in
    ``uns["seqattn_io"]`` under ``label``, ``group`` and ``batch``.

    Examples
    --------
    >>> import anndata as ad
    >>> import numpy as np
    >>> import pandas as pd
    >>> import seqattn
    >>> obs = pd.DataFrame({"disease": ["healthy", "NAFLD", "NAFLD", "healthy"],
    ...                     "patient": ["p1", "p2", "p3", "p4"],
    ...                     "batch": ["b1", "b1", "b1", "b1"]},
    ...                    index=["s1", "s2", "s3", "s4"])
    >>> adata = ad.AnnData(np.ones((4, 2), dtype=np.float32), obs=obs)
    >>> seqattn.io.check_annotations(adata, label="disease", group="patient")
    >>> adata.obs["disease"].cat.categories.tolist()
    ['NAFLD', 'healthy']
    >>> info = adata.uns["seqattn_io"]
    >>> info["label"], info["group"], info["n_classes"]
    ('disease', 'patient', 2)

    A label with one class cannot train a classifier:

    >>> seqattn.io.check_annotations(adata, label="batch", source="samples.csv")
    Traceback (most recent call last):
        ...
    seqattn._errors.SeqattnError: samples.csv: label column 'batch' has a single class
    ('b1'); a classifier needs at least two classes, so pick another --label
    """
    info = dict(adata.uns.get("seqattn_io", {}))
    for role, col in (("label", label), ("group", group), ("batch", batch)):
        if not col:
            continue
        if "/" in col:
            raise SeqattnError(
                f"{source}: {role} column name {col!r} contains '/', which .h5ad cannot store; "
                "rename the column in the file and pass the new name"
            )
        if col not in adata.obs.columns:
            raise SeqattnError(
                f"{source}: {role} column {col!r} not found; columns available: "
                f"{preview(adata.obs.columns, 8) or 'none'}; pass --{role} with one of them "
                "(or bring it with --sample-sheet)"
            )
        values = adata.obs[col]
        blank = values.isna() | values.astype(str).str.strip().eq("")
        if blank.any():
            raise SeqattnError(
                f"{source}: {int(blank.sum())} samples have no {role} in column {col!r}: "
                f"{preview(adata.obs_names[blank.to_numpy()])}; fill them in (or remove those samples)"
            )
        adata.obs[col] = _categorical(values)
        info[role] = col
    if label:
        counts = adata.obs[label].value_counts()
        if len(counts) < 2:
            raise SeqattnError(
                f"{source}: label column {label!r} has a single class ({counts.index[0]!r}); a "
                "classifier needs at least two classes, so pick another --label"
            )
        rare = counts[counts < 2]
        if len(rare):
            warnings.warn(
                f"{source}: classes with a single sample in {label!r}: {preview(rare.index)}; "
                "stratified cross-validation cannot place them in every fold",
                stacklevel=2,
            )
        info["n_classes"] = len(counts)
    adata.uns["seqattn_io"] = info


def _categorical(values: pd.Series) -> pd.Series:
    """A categorical column; whole-number floats (``1.0`` from Excel) become ints first."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return values.cat.remove_unused_categories()
    if pd.api.types.is_float_dtype(values) and np.all(np.mod(values.to_numpy(), 1) == 0):
        values = values.astype(np.int64)
    if values.dtype == object:
        values = values.map(lambda v: str(v).strip())
    return values.astype("category")
