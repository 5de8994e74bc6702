"""Cost of selection: wall time and peak memory per method."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.pl._io import TableLike, figure_function, new_figure, one_dataset, read_table
from seqattn.pl._style import is_reference, method_colors, method_label, method_markers

if TYPE_CHECKING:
    from matplotlib.figure import Figure

TIME, MEMORY = "selector_time_s", "selector_peak_rss_delta_mb"


def cost_table(
    table: TableLike, *, k: int | None = None, dataset: str | None = None
) -> tuple[pd.DataFrame, str | None]:
    """Selector cost per method and fold: columns ``method, k, metric, value`` (or summary rows).

    From the ``cost`` table, the rows with metric ``selector_time_s`` /
    ``selector_peak_rss_delta_mb`` (peak resident set size added by the call) at ``k``
    (default: each method's largest ``k``, the most expensive panel it fitted). From a
    summary of it, the same rows with ``mean, sd, n``.
    """
    df = read_table(table, ("cost", "cost_summary"))
    kind = df.attrs["kind"]
    df, dataset = one_dataset(df, dataset, kind)
    df = df[df["metric"].astype(str).isin([TIME, MEMORY])]
    if df.empty:
        raise SeqattnError(f"{kind} table has no {TIME} or {MEMORY} rows (tables/cost.tsv has)")
    df = df.assign(method=df["method"].astype(str), k=pd.to_numeric(df["k"], errors="coerce"))
    if k is not None:
        df = df[df["k"] == int(k)]
        if df.empty:
            raise SeqattnError(f"{kind} table has no selector-cost rows at k={k}")
    else:
        kmax = df.groupby("method")["k"].transform("max")
        df = df[df["k"] == kmax]
    df.attrs["kind"] = kind
    return df, dataset


@figure_function
def cost(
    table: TableLike,
    *,
    k: int | None = None,
    dataset: str | None = None,
    title: str | None = None,
) -> Figure:
    """Wall time and peak memory of each selection method (one training fold each).

    From the ``cost`` table: large markers are medians over repeats and folds
    (robust to a slow first fit), small dots the single folds. From a ``summary``
    table: mean ± SD. Methods are sorted
    by time; the time axis is logarithmic when the methods differ > 30-fold.

    Parameters
    ----------
    table
        The ``cost`` table (``tables/cost.tsv``), or a summary of it (``mean, sd``).
    k
        Panel size (default: each method's largest ``k``).
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
    ...     "method": ["anova"] * 4 + ["sequential_attention"] * 4, "k": 10, "repeat": 0,
    ...     "fold": [0, 1] * 4,
    ...     "metric": ["selector_time_s"] * 2 + ["selector_peak_rss_delta_mb"] * 2
    ...     + ["selector_time_s"] * 2 + ["selector_peak_rss_delta_mb"] * 2,
    ...     "value": [0.01, 0.02, 1.0, 1.2, 5.0, 6.0, 80.0, 90.0]})
    >>> fig = seqattn.pl.cost(table)
    >>> [ax.get_xlabel() for ax in fig.axes]
    ['wall time per fold (s)', 'peak RSS added per fold (MB)']
    """
    from matplotlib.lines import Line2D

    df, dataset = cost_table(table, k=k, dataset=dataset)
    long = df.attrs.get("kind") == "cost" or "value" in df.columns
    if long:
        df = df.assign(value=pd.to_numeric(df["value"], errors="coerce"))
        agg = df.groupby(["method", "metric"])["value"].agg(mean="median", sd="std").reset_index()
    else:
        agg = df[["method", "metric", "mean", "sd"]].copy()
    pieces = [(TIME, "wall time per fold (s)"), (MEMORY, "peak RSS added per fold (MB)")]
    pieces = [(m, lab) for m, lab in pieces if (agg["metric"] == m).any()]
    t = agg[agg["metric"] == pieces[0][0]].set_index("method")["mean"]
    methods = sorted(agg["method"].unique(), key=lambda m: (-float(t.get(m, -np.inf)), m))
    colors = method_colors(methods)
    markers = method_markers(methods)
    n = len(methods)
    fig = new_figure((3.4 * len(pieces) + 1.6, 1.0 + 0.3 * n), layout="constrained")
    axes = fig.subplots(1, len(pieces), squeeze=False, sharey=True)[0]
    y = np.arange(n)
    for ax, (metric, label) in zip(axes, pieces, strict=True):
        a = agg[agg["metric"] == metric].set_index("method").reindex(methods)
        mean = a["mean"].to_numpy(dtype=float)
        sd = a["sd"].to_numpy(dtype=float)
        # dot plot (not bars): honest on a log axis too
        for i, m in enumerate(methods):
            ax.axhline(i, color="0.92", linewidth=0.8, zorder=0)
            ax.scatter(
                mean[i],
                i,
                s=70 if is_reference(m) else 50,
                color=colors[m],
                marker=markers[m],
                edgecolors="black" if markers[m] in Line2D.filled_markers else None,
                linewidths=0.5 if markers[m] in Line2D.filled_markers else 1.5,
                zorder=4,
            )
            if not long and np.isfinite(sd[i]):
                ax.errorbar(
                    mean[i], i, xerr=sd[i], color="0.25", linewidth=0.8, capsize=2, zorder=3
                )
        if long:
            d = df[df["metric"] == metric]
            pos = {m: i for i, m in enumerate(methods)}
            rng = np.random.default_rng(0)
            yy = d["method"].map(pos).to_numpy(dtype=float) + rng.uniform(-0.15, 0.15, len(d))
            ax.scatter(d["value"], yy, s=8, color="0.2", alpha=0.6, linewidths=0, zorder=3)
        finite = mean[np.isfinite(mean) & (mean > 0)]
        if metric == TIME and finite.size and finite.max() / finite.min() > 30:
            ax.set_xscale("log")
        elif finite.size:
            ax.set_xlim(left=0)
        ax.set_xlabel(label)
        ax.grid(True, axis="x", color="0.9", linewidth=0.6)
        ax.set_axisbelow(True)
    axes[0].set_yticks(y, labels=[method_label(m) for m in methods])
    for tick, m in zip(axes[0].get_yticklabels(), methods, strict=True):
        if is_reference(m):
            tick.set_fontweight("bold")
    axes[0].set_ylim(n - 0.5, -0.5)
    ks = sorted(int(v) for v in df["k"].dropna().unique())
    kdesc = f"k = {ks[0]}" if len(ks) == 1 else "each method's largest k"
    fig.suptitle(
        title
        or f"{dataset + ': ' if dataset else ''}cost of selection on one training fold ({kdesc})\n"
        + ("large markers: median over folds; dots: single folds" if long else "mean ± SD"),
        fontsize=10,
    )
    return fig


__all__ = ["cost", "cost_table"]
