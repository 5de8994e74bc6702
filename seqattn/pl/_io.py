"""Shared plumbing: read tables, check columns, resolve panels, save figures atomically."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError

if TYPE_CHECKING:
    import anndata as ad
    from matplotlib.figure import Figure

PathLike = str | os.PathLike[str]
TableLike = pd.DataFrame | PathLike
SaveLike = PathLike | Sequence[PathLike] | None

#: The columns each figure needs from a table: a subset of the columns written
#: (:mod:`seqattn._tables`; tests/test_layers.py checks it), so a user's own table with
#: only these columns draws too.
COLUMNS: dict[str, tuple[str, ...]] = {
    "metrics": ("method", "k", "classifier", "metric", "value"),
    "summary": ("method", "k", "classifier", "metric", "mean", "sd", "n"),
    "cost": ("method", "k", "repeat", "fold", "metric", "value"),
    "cost_summary": ("method", "k", "metric", "mean", "sd"),
    "predictions": ("method", "k", "repeat", "fold", "classifier", "y_true", "y_pred"),
    "paired": ("k", "classifier", "metric", "method_a", "method_b", "mean_diff", "pvalue"),
    "selection_frequency": ("method", "k", "feature", "frequency"),
    "stability": ("method", "k", "jaccard_mean", "kuncheva_mean"),
    "method_similarity": ("k", "method_a", "method_b", "jaccard", "kuncheva"),
    "panel": ("rank", "feature"),
    "attention": ("step", "selected"),
}

_SAVE_FORMATS = (".png", ".pdf", ".svg")


def read_table(table: TableLike, kind: str | tuple[str, ...]) -> pd.DataFrame:
    """Read a result table (DataFrame or TSV/CSV/Parquet path) and check its columns.

    Parameters
    ----------
    table
        A DataFrame, or the path of a ``.tsv`` (``.tsv.gz``), ``.csv`` or ``.parquet`` file.
    kind
        The table's name in :data:`COLUMNS` (``"metrics"``, ``"summary"``, ...), or
        several names: the first whose columns are all present is used (the
        result's ``attrs["kind"]`` says which).

    Returns
    -------
    pandas.DataFrame
        A copy with at least the required columns.

    Raises
    ------
    SeqattnError
        When the file is missing, the table is empty or lacks a required column.
    """
    if isinstance(table, pd.DataFrame):
        df = table.copy()
        src = ""
    else:
        path = Path(table)
        src = f" {str(path)!r}"
        if not path.is_file():
            raise SeqattnError(f"table{src} does not exist")
        name = path.name.lower()
        try:
            if name.endswith(".parquet"):
                df = pd.read_parquet(path)
            elif name.endswith((".csv", ".csv.gz")):
                df = pd.read_csv(path)
            else:
                df = pd.read_csv(path, sep="\t")
        except pd.errors.EmptyDataError:
            df = pd.DataFrame()
    kinds = (kind,) if isinstance(kind, str) else tuple(kind)
    chosen = next((k for k in kinds if all(c in df.columns for c in COLUMNS[k])), kinds[0])
    where = f"{chosen} table{src}"
    required = COLUMNS[chosen]
    missing = [c for c in required if c not in df.columns]
    if df.shape[1] == 0:
        raise SeqattnError(f"{where} is empty")
    if missing and len(kinds) > 1:
        lacks = "; ".join(
            f"as {k} it lacks {', '.join(c for c in COLUMNS[k] if c not in df.columns)}"
            for k in kinds
        )
        raise SeqattnError(f"table{src} is none of {', '.join(kinds)}: {lacks}")
    if missing:
        raise SeqattnError(
            f"{where} lacks column(s) {', '.join(missing)}; expected {', '.join(required)}"
        )
    if df.empty:
        raise SeqattnError(f"{where} is empty")
    df.attrs["kind"] = chosen
    return df


def find_table(tables: PathLike | None, name: str) -> Path | None:
    """``tables/<name>.tsv`` (or ``.tsv.gz`` / ``.parquet``) when it exists."""
    if tables is None:
        return None
    for suffix in (".tsv", ".tsv.gz", ".parquet"):
        path = Path(tables) / f"{name}{suffix}"
        if path.is_file():
            return path
    return None


def one_dataset(
    df: pd.DataFrame, dataset: str | None, kind: str
) -> tuple[pd.DataFrame, str | None]:
    """Restrict a table to one data set (its only one, or ``dataset``)."""
    if "dataset" not in df.columns:
        return df, dataset
    names = list(dict.fromkeys(df["dataset"].astype(str)))
    if dataset is None:
        if len(names) > 1:
            raise SeqattnError(
                f"{kind} table holds data sets {', '.join(names)}; pass dataset= to pick one"
            )
        return df, names[0]
    sub = df[df["dataset"].astype(str) == str(dataset)]
    if sub.empty:
        raise SeqattnError(
            f"{kind} table has no rows for dataset {dataset!r} (has {', '.join(names)})"
        )
    return sub, str(dataset)


def pick_k(df: pd.DataFrame, k: int | None, kind: str) -> int:
    """The panel size to show: ``k`` if the table has it, else the largest ``k`` in the table."""
    ks = sorted({int(v) for v in pd.to_numeric(df["k"], errors="coerce").dropna()})
    if not ks:
        raise SeqattnError(f"{kind} table has no numeric k")
    if k is None:
        return ks[-1]
    if int(k) not in ks:
        raise SeqattnError(f"{kind} table has no rows for k={k} (has k={', '.join(map(str, ks))})")
    return int(k)


def save_figure(fig: Figure, save: SaveLike, *, dpi: int = 150) -> list[Path]:
    """Save ``fig`` to one or several paths atomically (format from each suffix).

    Parameters
    ----------
    fig
        The figure.
    save
        ``None`` (do nothing), a path, or a sequence of paths ending in ``.png``,
        ``.pdf`` or ``.svg``.
    dpi
        Resolution of raster output.

    Returns
    -------
    list of Path
        The files written.
    """
    from seqattn._atomic import atomic_path

    if save is None:
        return []
    paths = [save] if isinstance(save, str | os.PathLike) else list(save)
    out = []
    for p in paths:
        path = Path(p)
        if path.suffix.lower() not in _SAVE_FORMATS:
            raise SeqattnError(
                f"cannot save a figure as {str(path)!r}: use a .png, .pdf or .svg file name"
            )
    for p in paths:
        path = Path(p)
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=dpi, bbox_inches="tight", facecolor="white")
        out.append(path)
    return out


F = TypeVar("F", bound=Callable[..., Any])


def figure_function(func: F) -> F:
    """Wrap a plotting function: shared rc style, ``save=`` handling, detach from pyplot.

    The wrapped function builds and returns a Figure; the wrapper saves it to
    ``save`` and closes it in pyplot so loops do not pile up open figures (the
    returned Figure still renders in notebooks and can be saved again).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, save: SaveLike = None, **kwargs: Any) -> Figure:
        import matplotlib.pyplot as plt

        from seqattn.pl._style import RC

        with plt.rc_context(RC):
            fig = func(*args, **kwargs)
            save_figure(fig, save)
        plt.close(fig)
        return fig

    import inspect

    sig = inspect.signature(func)
    params = [*sig.parameters.values()]
    params.append(
        inspect.Parameter(
            "save", inspect.Parameter.KEYWORD_ONLY, default=None, annotation="SaveLike"
        )
    )
    wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def new_figure(figsize: tuple[float, float], **kwargs: Any) -> Figure:
    """A pyplot figure (so notebooks and scanpy treat it as usual)."""
    import matplotlib.pyplot as plt

    return plt.figure(figsize=figsize, **kwargs)


def as_adata(data: ad.AnnData | PathLike) -> ad.AnnData:
    """An AnnData, reading ``.h5ad`` paths."""
    import anndata as ad

    if isinstance(data, ad.AnnData):
        return data
    path = Path(data)
    if not path.is_file():
        raise SeqattnError(f"data file {str(path)!r} does not exist")
    return ad.read_h5ad(path)


def resolve_features(
    features: Iterable[str] | TableLike,
    adata: ad.AnnData | None = None,
    *,
    k: int | None = None,
) -> list[str]:
    """The ordered feature names of a panel.

    Parameters
    ----------
    features
        Feature names, or a panel table (DataFrame or path with ``rank, feature``
        and optionally ``panel_k``), best first.
    adata
        When given, every feature must be one of ``adata.var_names``.
    k
        Keep the first ``k`` features. For a panel table with several ``panel_k``
        blocks, the block with the smallest ``panel_k >= k`` is used.

    Returns
    -------
    list of str
    """
    if isinstance(features, pd.DataFrame | str | os.PathLike):
        if isinstance(features, str) and adata is not None and features in adata.var_names:
            names = [features]
        else:
            panel = read_table(features, "panel")
            if "panel_k" in panel.columns:
                blocks = sorted(int(v) for v in panel["panel_k"].unique())
                want = k if k is not None else blocks[-1]
                fitting = [b for b in blocks if b >= want]
                block = fitting[0] if fitting else blocks[-1]
                panel = panel[panel["panel_k"] == block]
            panel = panel.sort_values("rank", kind="stable")
            names = [str(f) for f in panel["feature"]]
    else:
        names = [str(f) for f in features]
    names = list(dict.fromkeys(names))
    if k is not None:
        names = names[: int(k)]
    if not names:
        raise SeqattnError("the panel has no features")
    if adata is not None:
        missing = [f for f in names if f not in adata.var_names]
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise SeqattnError(f"{len(missing)} panel feature(s) not in the data: {shown}")
    return names


def dense(
    adata: ad.AnnData, features: Sequence[str] | None = None, layer: str | None = None
) -> np.ndarray:
    """A dense float64 copy of ``X`` (or ``layer``) restricted to ``features``."""
    import scipy.sparse as sp

    sub = adata if features is None else adata[:, list(features)]
    if layer is not None:
        if layer not in sub.layers:
            raise SeqattnError(
                f"layer {layer!r} not in the data (has {', '.join(sub.layers) or 'none'})"
            )
        x = sub.layers[layer]
    else:
        x = sub.X
    if sp.issparse(x):
        x = x.toarray()
    return np.asarray(x, dtype=np.float64)


def median_impute(x: np.ndarray) -> tuple[np.ndarray, int]:
    """Replace NaN by the feature (column) median (:class:`seqattn.pp.Imputer`); columns
    without any value stay NaN. Returns the imputed float64 copy and the number of NaN."""
    import warnings

    from seqattn.pp.impute import Imputer

    x = np.array(x, dtype=np.float64, copy=True)
    n = int(np.isnan(x).sum())
    if n:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
            x = Imputer("median").fit(x).transform(x)
    return x, n


def zscore(x: np.ndarray) -> np.ndarray:
    """Column z-scores ignoring NaN (constant columns become 0, NaN stays NaN):
    :func:`seqattn.pp.scale.zscore`."""
    from seqattn.pp.scale import zscore as _zscore

    return _zscore(x)


def categories(adata: ad.AnnData, key: str) -> tuple[pd.Categorical, list[str], list[str]]:
    """The observation column ``key`` as a categorical, its categories and their colours."""
    from seqattn.pl._style import category_colors

    if key not in adata.obs.columns:
        raise SeqattnError(
            f"obs column {key!r} not in the data (has {', '.join(map(str, adata.obs.columns)) or 'none'})"
        )
    col = adata.obs[key]
    values = col.astype(str).to_numpy()
    present = set(values[col.notna().to_numpy()])
    uns = adata.uns.get(f"{key}_colors")
    if isinstance(col.dtype, pd.CategoricalDtype):
        all_cats = [str(c) for c in col.cat.categories]
        cats = [c for c in all_cats if c in present]
        if uns is not None and len(uns) == len(all_cats):
            lookup = dict(zip(all_cats, (str(c) for c in uns), strict=True))
            uns = [lookup[c] for c in cats]
        else:
            uns = None
    else:
        cats = sorted(present, key=_natural_key)
        uns = None
    cat = pd.Categorical(values, categories=cats)
    colors = category_colors(cats, uns)
    return cat, cats, colors


def _natural_key(s: str) -> tuple:
    import re

    return tuple(int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", s))
