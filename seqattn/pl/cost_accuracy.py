"""Accuracy against what a panel costs: count-based against cost-aware panels."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.pl._io import TableLike, figure_function, new_figure, one_dataset
from seqattn.pl._style import (
    is_reference,
    method_colors,
    method_label,
    method_markers,
    method_order,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: The columns :func:`cost_accuracy` reads (plus the metric's, ``balanced_accuracy`` by default).
COLUMNS = ("method", "mode", "setting", "fold", "cost")
#: Line style per selection mode; other modes get dotted lines.
MODE_STYLES = {"count": "--", "budget": "-"}
_MODE_LABELS = {"count": "fixed k", "budget": "cost budget"}


def _read(table: TableLike) -> tuple[pd.DataFrame, str]:
    if isinstance(table, pd.DataFrame):
        return table.copy(), "cost-accuracy table"
    path = Path(table)
    where = f"cost-accuracy table {str(path)!r}"
    if not path.is_file():
        raise SeqattnError(f"{where} does not exist")
    try:
        df = pd.read_csv(path, sep="," if path.name.lower().endswith(".csv") else "\t")
    except pd.errors.EmptyDataError:
        df = pd.DataFrame()
    return df, where


def cost_accuracy_summary(
    table: TableLike, *, metric: str = "balanced_accuracy", dataset: str | None = None
) -> pd.DataFrame:
    """Mean and SD over folds of cost and ``metric`` per ``method, mode, setting``.

    Parameters
    ----------
    table
        One row per method, mode (``count``: a fixed panel size; ``budget``: a cost budget),
        setting (the ``k`` or the budget) and fold, with the panel's total ``cost`` and the
        ``metric`` column (a DataFrame or a TSV/CSV path).
    metric
        The score column.
    dataset
        Needed only when a ``dataset`` column holds several data sets.

    Returns
    -------
    pandas.DataFrame
        Columns ``method, mode, setting, cost_mean, cost_sd, mean, sd, n``, sorted by method,
        mode and mean cost.
    """
    df, where = _read(table)
    required = (*COLUMNS, metric)
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise SeqattnError(
            f"{where} lacks column(s) {', '.join(missing)}; expected {', '.join(required)} "
            "(one row per method, mode, setting and fold)"
        )
    if df.empty:
        raise SeqattnError(f"{where} is empty")
    df, _ = one_dataset(df, dataset, "cost-accuracy")
    df = df.assign(
        method=df["method"].astype(str),
        mode=df["mode"].astype(str),
        setting=df["setting"].astype(str),
        cost=pd.to_numeric(df["cost"], errors="coerce"),
        score=pd.to_numeric(df[metric], errors="coerce"),
    )
    if df["cost"].isna().all() or df["score"].isna().all():
        raise SeqattnError(f"{where} has no numeric cost or {metric} values")
    out = (
        df.groupby(["method", "mode", "setting"], observed=True)
        .agg(
            cost_mean=("cost", "mean"),
            cost_sd=("cost", "std"),
            mean=("score", "mean"),
            sd=("score", "std"),
            n=("score", "count"),
        )
        .reset_index()
    )
    return out.sort_values(["method", "mode", "cost_mean"]).reset_index(drop=True)


@figure_function
def cost_accuracy(
    table: TableLike,
    *,
    metric: str = "balanced_accuracy",
    dataset: str | None = None,
    methods: list[str] | None = None,
    annotate: bool = True,
    logx: bool = False,
    title: str | None = None,
) -> Figure:
    """Score against the panel's total cost: one line per method and mode, mean ± SD over folds.

    Each point is one setting (a panel size ``k`` or a cost budget) averaged over the folds;
    the bars are the SD over folds of the score (vertical) and of the cost (horizontal).
    Colour and marker follow the method (as in every figure), the line style the mode:
    dashed for count-based panels (``count``), solid for cost-aware ones (``budget``).

    Parameters
    ----------
    table
        One row per ``method, mode, setting, fold`` with ``cost`` and the ``metric`` column
        (``bench/results/panel_cost/panel_cost.tsv`` has this layout).
    metric
        The score column to draw (default ``balanced_accuracy``).
    dataset
        Needed only when a ``dataset`` column holds several data sets.
    methods
        Draw only these methods (default: all in the table).
    annotate
        Label each point with its setting (``k=5``, ``budget=50``).
    logx
        Logarithmic cost axis.
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
    >>> rows = [("anova", "count", "5", f, 14.0 + f, 0.60 + 0.01 * f) for f in range(3)]
    >>> rows += [("anova", "budget", "14", f, 13.0, 0.62 + 0.01 * f) for f in range(3)]
    >>> table = pd.DataFrame(rows, columns=["method", "mode", "setting", "fold", "cost",
    ...                                     "balanced_accuracy"])
    >>> fig = seqattn.pl.cost_accuracy(table)
    >>> fig.axes[0].get_xlabel()
    'total panel cost'
    """
    from matplotlib.lines import Line2D

    summary = cost_accuracy_summary(table, metric=metric, dataset=dataset)
    if methods is not None:
        summary = summary[summary["method"].isin([str(m) for m in methods])]
        if summary.empty:
            raise SeqattnError(f"the table has none of methods {', '.join(map(str, methods))}")
    names = method_order(summary["method"].unique())
    colors, markers = method_colors(names), method_markers(names)
    modes = list(dict.fromkeys(["count", "budget", *summary["mode"].unique()]))
    fig = new_figure((8.0, 4.2), layout="constrained")
    ax = fig.subplots()
    for method in names:
        for mode in modes:
            d = summary[(summary["method"] == method) & (summary["mode"] == mode)]
            if d.empty:
                continue
            ref = is_reference(method)
            ax.errorbar(
                d["cost_mean"],
                d["mean"],
                yerr=d["sd"].fillna(0),
                xerr=d["cost_sd"].fillna(0),
                color=colors[method],
                marker=markers[method],
                markersize=6 if ref else 5,
                linestyle=MODE_STYLES.get(mode, ":"),
                linewidth=2.0 if ref else 1.4,
                elinewidth=0.8,
                capsize=2,
                zorder=4 if ref else 3,
            )
            if annotate:
                prefix = "k=" if mode == "count" else ("budget=" if mode == "budget" else "")
                for _, row in d.iterrows():
                    ax.annotate(
                        f"{prefix}{row['setting']}",
                        (row["cost_mean"], row["mean"]),
                        textcoords="offset points",
                        xytext=(4, -9 if mode == "count" else 5),
                        fontsize=6,
                        color=colors[method],
                    )
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel("total panel cost")
    ax.set_ylabel(metric.replace("_", " ") + " (mean ± SD over folds)")
    ax.grid(True, color="0.92", linewidth=0.6)
    ax.set_axisbelow(True)
    # the errorbar glyph hides the line style, so the legend draws plain lines with markers
    handles = [
        Line2D(
            [],
            [],
            color=colors[method],
            marker=markers[method],
            linestyle=MODE_STYLES.get(mode, ":"),
            linewidth=2.0 if is_reference(method) else 1.4,
            label=f"{method_label(method)}, {_MODE_LABELS.get(mode, mode)}",
        )
        for method in names
        for mode in modes
        if ((summary["method"] == method) & (summary["mode"] == mode)).any()
    ]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        frameon=False,
        handlelength=3.0,
    )
    n = int(summary["n"].max()) if len(summary) else 0
    ax.set_title(
        title
        or f"{dataset + ': ' if dataset else ''}{metric.replace('_', ' ')} against panel cost "
        f"({n} folds)",
    )
    return fig


__all__ = ["COLUMNS", "MODE_STYLES", "cost_accuracy", "cost_accuracy_summary"]
