"""Stability: how often features are picked across folds, and how alike the methods' panels are."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.pl._io import TableLike, figure_function, new_figure, one_dataset, pick_k, read_table
from seqattn.pl._style import (
    canonical_method,
    is_reference,
    method_colors,
    method_label,
    method_markers,
    method_order,
    text_color,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure


def _annotate(
    ax: Axes, m: np.ndarray, fmt: str, cmap_norm, cmap, fontsize: float, skip_zero: bool = False
) -> None:
    for (i, j), v in np.ndenumerate(m):
        if not np.isfinite(v) or (skip_zero and v == 0):
            continue
        r, g, b, _ = cmap(cmap_norm(v))
        light = 0.299 * r + 0.587 * g + 0.114 * b > 0.55
        ax.text(
            j,
            i,
            format(v, fmt),
            ha="center",
            va="center",
            fontsize=fontsize,
            color="black" if light else "white",
        )


def _color_ticklabels(labels, methods: list[str]) -> None:
    colors = method_colors(methods)
    for tick, m in zip(labels, methods, strict=True):
        tick.set_color(text_color(colors[m]))
        if is_reference(m):
            tick.set_fontweight("bold")


@figure_function
def selection_frequency(
    table: TableLike,
    *,
    k: int | None = None,
    dataset: str | None = None,
    methods: list[str] | None = None,
    top: int = 30,
    title: str | None = None,
) -> Figure:
    """Heatmap of how often each feature is picked across folds, features x methods.

    Shows the ``top`` features with the highest selection frequency (in any
    method), ordered by Sequential Attention's frequency, then by the mean over
    methods. Cells are annotated when the grid is small enough to read.

    Parameters
    ----------
    table
        The ``selection_frequency`` table (``method, k, feature, frequency``).
    k
        Panel size to show (default: the largest in the table).
    dataset
        Needed only when the table holds several data sets.
    methods
        Methods to show (default: all; random is left out unless named).
    top
        Number of feature rows.
    title
        Figure title.
    save
        Path or paths (``.png``, ``.pdf``, ``.svg``) to write.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> import seqattn
    >>> table = pd.DataFrame({
    ...     "method": ["anova"] * 3 + ["sequential_attention"] * 3, "k": 2,
    ...     "feature": ["A", "B", "C", "A", "B", "D"],
    ...     "frequency": [1.0, 0.5, 0.5, 1.0, 0.6, 0.4]})
    >>> fig = seqattn.pl.selection_frequency(table)
    >>> fig.axes[0].get_title()
    'selection frequency of the top 4 features (k = 2)'
    """
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    df = read_table(table, "selection_frequency")
    df, dataset = one_dataset(df, dataset, "selection_frequency")
    k = pick_k(df, k, "selection_frequency")
    df = df[pd.to_numeric(df["k"]) == k].assign(
        method=lambda d: d["method"].astype(str), feature=lambda d: d["feature"].astype(str)
    )
    if methods is not None:
        df = df[df["method"].isin([str(m) for m in methods])]
    elif df["method"].map(canonical_method).ne("random").any():
        df = df[df["method"].map(canonical_method) != "random"]
    if df.empty:
        raise SeqattnError(f"selection_frequency table has no rows to show at k={k}")
    wide = df.pivot_table(index="feature", columns="method", values="frequency", aggfunc="mean")
    wide = wide.reindex(columns=method_order(wide.columns)).fillna(0.0)
    ref = [m for m in wide.columns if is_reference(m)]
    key = wide[ref[0]] if ref else wide.max(axis=1)
    rank = pd.DataFrame({"ref": key, "mean": wide.mean(axis=1)}).sort_values(
        ["ref", "mean"], ascending=False
    )
    keep = wide.max(axis=1).sort_values(ascending=False, kind="stable").index[:top]
    rows = [f for f in rank.index if f in set(keep)]
    m = wide.loc[rows].to_numpy(dtype=float)
    n_r, n_c = m.shape
    fig = new_figure((max(4.2, 1.9 + 0.62 * n_c + 1.0), 1.5 + 0.24 * n_r), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    cmap = colormaps["Blues"]
    norm = Normalize(0.0, 1.0)
    im = ax.imshow(m, cmap=cmap, norm=norm, aspect="auto")
    if n_r * n_c <= 600:
        _annotate(ax, m, ".2f", norm, cmap, fontsize=7 if n_c <= 8 else 6, skip_zero=True)
    ax.set_yticks(np.arange(n_r), labels=rows, fontsize=8 if n_r <= 40 else 6)
    methods_shown = list(wide.columns)
    ax.set_xticks(
        np.arange(n_c),
        labels=[method_label(c) for c in methods_shown],
        rotation=45,
        ha="right",
        rotation_mode="anchor",
    )
    _color_ticklabels(ax.get_xticklabels(), methods_shown)
    ax.tick_params(length=0)
    ax.spines[:].set_visible(False)
    cb = fig.colorbar(im, ax=ax, shrink=min(1.0, 6 / max(n_r * 0.24, 1)), pad=0.02)
    cb.set_label("selection frequency\nacross folds")
    ax.set_title(
        title
        or f"{dataset + ': ' if dataset else ''}selection frequency of the top "
        f"{n_r} features (k = {k})",
        fontsize=10,
    )
    return fig


@figure_function
def stability(
    table: TableLike,
    *,
    measure: Literal["kuncheva", "jaccard"] = "kuncheva",
    dataset: str | None = None,
    title: str | None = None,
) -> Figure:
    """Panel stability across folds against ``k``, one line per method.

    Parameters
    ----------
    table
        The ``stability`` table (``method, k, jaccard_mean, kuncheva_mean``).
    measure
        ``"kuncheva"`` (corrected for chance; 0 = random panels) or ``"jaccard"``.
    dataset
        Needed only when the table holds several data sets.
    title
        Figure title.
    save
        Path or paths (``.png``, ``.pdf``, ``.svg``) to write.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> import seqattn
    >>> table = pd.DataFrame({
    ...     "method": ["anova"] * 2 + ["sequential_attention"] * 2, "k": [5, 10] * 2,
    ...     "jaccard_mean": [0.5, 0.6, 0.7, 0.8], "kuncheva_mean": [0.4, 0.5, 0.6, 0.7]})
    >>> fig = seqattn.pl.stability(table, measure="jaccard")
    >>> fig.axes[0].get_title()
    'stability of the panels across folds'
    """
    from seqattn.pl.accuracy import _set_k_axis

    if measure not in ("kuncheva", "jaccard"):
        raise SeqattnError(f"measure={measure!r} is not 'kuncheva' or 'jaccard'")
    df = read_table(table, "stability")
    df, dataset = one_dataset(df, dataset, "stability")
    col = f"{measure}_mean"
    df = df.assign(method=df["method"].astype(str), k=pd.to_numeric(df["k"], errors="coerce"))
    methods = method_order(df["method"].unique())
    colors, markers = method_colors(methods), method_markers(methods)
    fig = new_figure((6.2 if len(methods) <= 12 else 7.4, 3.6), layout="constrained")
    ax = fig.add_subplot(1, 1, 1)
    for m in methods:
        d = df[df["method"] == m].sort_values("k")
        ref = is_reference(m)
        ax.plot(
            d["k"],
            pd.to_numeric(d[col], errors="coerce"),
            color=colors[m],
            marker=markers[m],
            markersize=5 if ref else 3.5,
            linewidth=2.4 if ref else 1.3,
            linestyle="--" if canonical_method(m) == "random" else "-",
            zorder=5 if ref else 3,
            label=method_label(m),
        )
    if measure == "kuncheva":
        ax.axhline(0, color="0.6", linestyle=":", linewidth=1, zorder=0)
    _set_k_axis(ax, sorted(int(k) for k in df["k"].dropna().unique()))
    ax.set_xlabel("panel size k")
    ax.set_ylabel(
        f"{'Kuncheva index' if measure == 'kuncheva' else 'Jaccard index'}\n(mean over fold pairs)"
    )
    ax.grid(True, axis="y", color="0.9", linewidth=0.6)
    fig.legend(
        loc="outside right upper",
        frameon=False,
        title="method",
        ncols=1 if len(methods) <= 14 else 2,
    )
    ax.set_title(
        title or f"{dataset + ': ' if dataset else ''}stability of the panels across folds",
        fontsize=10,
    )
    return fig


def _square(df: pd.DataFrame, col: str, methods: list[str], diag: float) -> np.ndarray:
    idx = {m: i for i, m in enumerate(methods)}
    m = np.full((len(methods), len(methods)), np.nan)
    for a, b, v in zip(
        df["method_a"], df["method_b"], pd.to_numeric(df[col], errors="coerce"), strict=True
    ):
        if a in idx and b in idx:
            m[idx[a], idx[b]] = v
            if not np.isfinite(m[idx[b], idx[a]]):
                m[idx[b], idx[a]] = v
    np.fill_diagonal(m, diag)
    return m


@figure_function
def method_similarity(
    table: TableLike,
    *,
    k: int | None = None,
    dataset: str | None = None,
    measure: Literal["both", "jaccard", "kuncheva"] = "both",
    title: str | None = None,
) -> Figure:
    """Matrix of panel overlap between methods (Jaccard and/or Kuncheva index).

    Parameters
    ----------
    table
        The ``method_similarity`` table (``k, method_a, method_b, jaccard, kuncheva``);
        each pair may appear once, in either order.
    k
        Panel size to show (default: the largest in the table).
    dataset
        Needed only when the table holds several data sets.
    measure
        ``"both"`` (two matrices side by side), ``"jaccard"`` or ``"kuncheva"``.
    title
        Figure title.
    save
        Path or paths (``.png``, ``.pdf``, ``.svg``) to write.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import pandas as pd
    >>> import seqattn
    >>> table = pd.DataFrame({
    ...     "k": 10, "method_a": ["anova", "anova", "sequential_attention"],
    ...     "method_b": ["sequential_attention", "t-test", "t-test"],
    ...     "jaccard": [0.5, 0.9, 0.4], "kuncheva": [0.45, 0.88, 0.35]})
    >>> fig = seqattn.pl.method_similarity(table)
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['Jaccard index', 'Kuncheva index']
    """
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    if measure not in ("both", "jaccard", "kuncheva"):
        raise SeqattnError(f"measure={measure!r} is not both, jaccard or kuncheva")
    df = read_table(table, "method_similarity")
    df, dataset = one_dataset(df, dataset, "method_similarity")
    k = pick_k(df, k, "method_similarity")
    df = df[pd.to_numeric(df["k"]) == k].assign(
        method_a=lambda d: d["method_a"].astype(str), method_b=lambda d: d["method_b"].astype(str)
    )
    methods = method_order(pd.concat([df["method_a"], df["method_b"]]).unique())
    n = len(methods)
    measures = ["jaccard", "kuncheva"] if measure == "both" else [measure]
    cell = 0.42 if n <= 10 else 0.34
    side = max(2.6, 1.6 + cell * n)
    fig = new_figure((side * len(measures) + 1.0 * len(measures), side + 0.4), layout="constrained")
    axes = fig.subplots(1, len(measures), squeeze=False)[0]
    labels = [method_label(m) for m in methods]
    for ax, meas in zip(axes, measures, strict=True):
        m = _square(df, meas, methods, 1.0)
        if meas == "jaccard":
            cmap, norm, name = colormaps["viridis"], Normalize(0.0, 1.0), "Jaccard index"
        else:
            cmap, norm, name = colormaps["RdBu_r"], Normalize(-1.0, 1.0), "Kuncheva index"
        im = ax.imshow(np.ma.masked_invalid(m), cmap=cmap, norm=norm)
        if n <= 16:
            _annotate(ax, m, ".2f", norm, cmap, fontsize=7 if n <= 10 else 5.5)
        ax.set_xticks(np.arange(n), labels=labels, rotation=45, ha="right", rotation_mode="anchor")
        ax.set_yticks(np.arange(n), labels=labels)
        _color_ticklabels(ax.get_xticklabels(), methods)
        _color_ticklabels(ax.get_yticklabels(), methods)
        ax.tick_params(length=0)
        ax.spines[:].set_visible(False)
        ax.set_title(name)
        fig.colorbar(im, ax=ax, shrink=0.8, pad=0.02)
    fig.suptitle(
        title
        or f"{dataset + ': ' if dataset else ''}overlap of the panels between methods (k = {k})",
        fontsize=10,
    )
    return fig


__all__ = ["method_similarity", "selection_frequency", "stability"]
