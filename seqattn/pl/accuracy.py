"""The headline figure: downstream accuracy against panel size, per method and classifier."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.pl._io import TableLike, figure_function, new_figure, one_dataset, read_table
from seqattn.pl._style import (
    canonical_method,
    is_reference,
    method_colors,
    method_label,
    method_markers,
    method_order,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

SELECTOR_CLASSIFIER = "-"

METRIC_LABELS = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "f1_macro": "macro F1",
    "roc_auc_ovr": "ROC AUC (one-vs-rest)",
    "selector_time_s": "selection wall time (s)",
    "selector_peak_rss_delta_mb": "selection peak RSS added (MB)",
}


def metric_label(metric: str) -> str:
    """Readable name of a metric (``recall[B]`` -> ``recall of B``)."""
    if metric.startswith("recall[") and metric.endswith("]"):
        return f"recall of {metric[7:-1]}"
    return METRIC_LABELS.get(metric, metric)


def score_summary(
    table: TableLike,
    *,
    metric: str = "balanced_accuracy",
    dataset: str | None = None,
) -> tuple[pd.DataFrame, str | None]:
    """Mean, SD and count per ``method, k, classifier`` from a summary or metrics table.

    Parameters
    ----------
    table
        The ``summary`` table (``mean, sd, n``) or the long ``metrics`` table
        (``value`` per repeat and fold, averaged here).
    metric
        The metric to keep.
    dataset
        Needed only when the table holds several data sets.

    Returns
    -------
    (DataFrame, str or None)
        Columns ``method, k, classifier, mean, sd, n`` (selector-cost rows
        dropped) and the data set name.
    """
    df = read_table(table, ("metrics", "summary"))
    kind = df.attrs["kind"]
    df, dataset = one_dataset(df, dataset, kind)
    df = df[
        (df["metric"].astype(str) == metric) & (df["classifier"].astype(str) != SELECTOR_CLASSIFIER)
    ]
    if df.empty:
        raise SeqattnError(f"{kind} table has no rows for metric {metric!r}")
    df = df.assign(
        method=df["method"].astype(str),
        classifier=df["classifier"].astype(str),
        k=pd.to_numeric(df["k"], errors="coerce"),
    )
    if kind == "metrics":
        df = df.assign(value=pd.to_numeric(df["value"], errors="coerce"))
        out = (
            df.groupby(["method", "k", "classifier"], observed=True)["value"]
            .agg(mean="mean", sd="std", n="count")
            .reset_index()
        )
    else:
        out = df[["method", "k", "classifier", "mean", "sd", "n"]].copy()
        for col in ("mean", "sd", "n"):
            out[col] = pd.to_numeric(out[col], errors="coerce")
    return out.sort_values(["classifier", "method", "k"]).reset_index(drop=True), dataset


def _band(sd: pd.Series, n: pd.Series, band: str | None) -> np.ndarray:
    sd = sd.to_numpy(dtype=float)
    n = np.maximum(n.to_numpy(dtype=float), 1.0)
    if band is None:
        return np.zeros_like(sd)
    if band == "sd":
        return sd
    if band == "sem":
        return sd / np.sqrt(n)
    if band == "ci95":
        return 1.96 * sd / np.sqrt(n)
    raise SeqattnError(f"band={band!r} is not one of sd, sem, ci95, None")


def _set_k_axis(ax: Axes, ks: list[int]) -> None:
    from matplotlib.ticker import FixedLocator, NullLocator, ScalarFormatter

    if len(ks) > 1 and min(ks) > 0 and max(ks) / min(ks) >= 8:
        ax.set_xscale("log", base=2)
        ax.xaxis.set_minor_locator(NullLocator())
    if len(ks) <= 12:
        ax.xaxis.set_major_locator(FixedLocator(ks))
        fmt = ScalarFormatter()
        fmt.set_scientific(False)
        ax.xaxis.set_major_formatter(fmt)
    pad = 0.06 * (math.log2(max(ks) / min(ks)) if ax.get_xscale() == "log" else 0)
    if ax.get_xscale() == "log" and pad:
        ax.set_xlim(min(ks) / 2**pad, max(ks) * 2**pad)


@figure_function
def accuracy_vs_k(
    table: TableLike,
    *,
    metric: str = "balanced_accuracy",
    dataset: str | None = None,
    methods: list[str] | None = None,
    classifiers: list[str] | None = None,
    band: Literal["sd", "sem", "ci95"] | None = "sd",
    chance: float | None = None,
    title: str | None = None,
) -> Figure:
    """Downstream score against panel size ``k``: one line per method, one panel per classifier.

    Parameters
    ----------
    table
        The ``summary`` table or the long ``metrics`` table (DataFrame or path).
    metric
        Which metric to plot (``balanced_accuracy``, ``accuracy``, ``f1_macro``,
        ``roc_auc_ovr``, ``recall[<class>]``).
    dataset
        Needed only when the table holds several data sets.
    methods, classifiers
        Subsets to draw (default: all, Sequential Attention first).
    band
        Error band around the mean across folds: ``"sd"`` (default), ``"sem"``,
        ``"ci95"`` or ``None``.
    chance
        Draw a dotted line at this score (e.g. ``1 / n_classes`` for balanced accuracy).
    title
        Figure title (default: data set and metric).
    save
        Path or paths (``.png``, ``.pdf``, ``.svg``) to write.

    Returns
    -------
    matplotlib.figure.Figure
        Methods named ``all_features`` (or ``all``) are drawn as a dashed
        horizontal reference line: the classifier on every feature.

    Examples
    --------
    A ``summary`` table (``seqattn aggregate`` writes ``tables/summary.tsv``):

    >>> import pandas as pd
    >>> import seqattn
    >>> summary = pd.DataFrame({
    ...     "method": ["sequential_attention"] * 3 + ["anova"] * 3, "k": [2, 5, 10] * 2,
    ...     "classifier": "logistic", "metric": "balanced_accuracy",
    ...     "mean": [0.61, 0.74, 0.80, 0.55, 0.70, 0.78], "sd": 0.05, "n": 5})
    >>> fig = seqattn.pl.accuracy_vs_k(summary, chance=1 / 4)  # save="accuracy.png" writes it
    >>> [ax.get_title() for ax in fig.axes]  # one panel per classifier
    ['logistic']
    """
    df, dataset = score_summary(table, metric=metric, dataset=dataset)
    if methods is not None:
        df = df[df["method"].isin([str(m) for m in methods])]
    if classifiers is not None:
        df = df[df["classifier"].isin([str(c) for c in classifiers])]
    if df.empty:
        raise SeqattnError("no rows left for the requested methods/classifiers")
    clfs = sorted(df["classifier"].unique())
    is_all = df["method"].map(lambda m: canonical_method(m) == "all_features")
    lines, refs = df[~is_all], df[is_all]
    if lines.empty:
        raise SeqattnError(f"no selection-method rows for metric {metric!r}")
    # legend order: reference first, then by score at the largest k, random / all last
    kmax = lines["k"].max()
    at_max = lines[lines["k"] == kmax].groupby("method")["mean"].mean()
    base = method_order(lines["method"].unique())
    order = sorted(
        base,
        key=lambda m: (
            not is_reference(m),
            canonical_method(m) == "random",
            -float(at_max.get(m, -np.inf)),
        ),
    )
    all_methods = order + list(refs["method"].unique())
    colors = method_colors(all_methods)
    markers = method_markers(all_methods)
    ks = sorted(int(k) for k in lines["k"].dropna().unique())

    ncols = min(len(clfs), 3)
    nrows = math.ceil(len(clfs) / ncols)
    legend_w = 2.0 if len(all_methods) <= 12 else 3.4
    fig = new_figure((3.6 * ncols + legend_w, 3.1 * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False, sharey=True)
    handles: dict[str, object] = {}
    faint = 0.10 if len(order) <= 6 else 0.05
    bounded = metric in METRIC_LABELS or metric.startswith("recall[")
    for i, clf in enumerate(clfs):
        ax = axes[i // ncols][i % ncols]
        sub = lines[lines["classifier"] == clf]
        for method in order:
            d = sub[sub["method"] == method].sort_values("k")
            if d.empty:
                continue
            ref = is_reference(method)
            x = d["k"].to_numpy(dtype=float)
            y = d["mean"].to_numpy(dtype=float)
            e = _band(d["sd"], d["n"], band)
            color = colors[method]
            (h,) = ax.plot(
                x,
                y,
                color=color,
                marker=markers[method],
                markersize=5 if ref else 3.5,
                linewidth=2.4 if ref else 1.3,
                linestyle="--" if canonical_method(method) == "random" else "-",
                zorder=5 if ref else 3,
                label=method_label(method),
            )
            if band is not None and np.isfinite(e).any():
                ax.fill_between(
                    x,
                    y - e,
                    y + e,
                    color=color,
                    alpha=0.18 if ref else faint,
                    linewidth=0,
                    zorder=4 if ref else 2,
                )
            handles.setdefault(method, h)
        for method in refs["method"].unique():
            d = refs[(refs["classifier"] == clf) & (refs["method"] == method)]
            if d.empty:
                continue
            m = float(d["mean"].mean())
            h = ax.axhline(
                m,
                color=colors[method],
                linestyle=(0, (4, 2)),
                linewidth=1.2,
                zorder=1,
                label=method_label(method),
            )
            handles.setdefault(method, h)
        if chance is not None:
            h = ax.axhline(
                chance, color="0.55", linestyle=":", linewidth=1, zorder=0, label="chance"
            )
            handles.setdefault("__chance__", h)
        _set_k_axis(ax, ks)
        ax.set_title(clf)
        ax.set_xlabel("panel size k")
        if i % ncols == 0:
            ax.set_ylabel(metric_label(metric))
        ax.grid(True, axis="y", color="0.9", linewidth=0.6)
    if bounded:  # after every panel is drawn: the y axis is shared
        lo, hi = axes[0][0].get_ylim()
        axes[0][0].set_ylim(max(lo, -0.02), min(hi, 1.02))
    for j in range(len(clfs), nrows * ncols):
        axes[j // ncols][j % ncols].set_axis_off()
    n_folds = int(np.nanmedian(lines["n"])) if lines["n"].notna().any() else 0
    folds = f"{n_folds} folds" if n_folds else "folds"
    band_txt = {"sd": "mean ± SD", "sem": "mean ± SEM", "ci95": "mean ± 95% CI", None: "mean"}[
        band
    ] + f" across {folds}"
    legend = [h for key, h in handles.items() if key != "__chance__"]
    if "__chance__" in handles:
        legend.append(handles["__chance__"])
    fig.legend(
        handles=legend,
        loc="outside right upper",
        title="method",
        ncols=1 if len(legend) <= 14 else 2,
        frameon=False,
    )
    head = title or f"{dataset + ': ' if dataset else ''}{metric_label(metric)} vs panel size"
    fig.suptitle(f"{head}\n({band_txt})", fontsize=10)
    return fig
