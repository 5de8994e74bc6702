"""Accuracy against what a panel costs: count-based against cost-aware panels.

:func:`cost_accuracy` draws a table with one row per method, mode, setting and fold (the
benchmark's layout); :func:`cost_accuracy_table` makes one from a workflow's
``tables/metrics.tsv`` and ``tables/panel_cost.tsv``.
"""

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
#: The columns :func:`cost_accuracy_table` reads from the metrics and panel-cost tables
#: (``budget`` and ``dataset`` too when present).
METRICS_COLUMNS = ("method", "k", "repeat", "fold", "classifier", "metric", "value")
PANEL_COST_COLUMNS = ("method", "k", "repeat", "fold", "cost")
#: Line style per selection mode; other modes get dotted lines.
MODE_STYLES = {"count": "--", "budget": "-", "cap": "-."}
_MODE_LABELS = {"count": "fixed k", "budget": "cost budget", "cap": "k as a cap under a budget"}
_MODE_PREFIX = {"count": "k=", "budget": "budget=", "cap": "k≤"}


def _read(table: TableLike, kind: str = "cost-accuracy") -> tuple[pd.DataFrame, str]:
    if isinstance(table, pd.DataFrame):
        return table.copy(), f"{kind} table"
    path = Path(table)
    where = f"{kind} table {str(path)!r}"
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
        mode and mean cost (and ``classifier`` when the table has one: the first of each).
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
    df, name = one_dataset(df, dataset, "cost-accuracy")
    df = df.assign(
        method=df["method"].astype(str),
        mode=df["mode"].astype(str),
        setting=df["setting"].astype(str),
        cost=pd.to_numeric(df["cost"], errors="coerce"),
        score=pd.to_numeric(df[metric], errors="coerce"),
    )
    if df["cost"].isna().all() or df["score"].isna().all():
        raise SeqattnError(f"{where} has no numeric cost or {metric} values")
    extra = {"classifier": ("classifier", "first")} if "classifier" in df.columns else {}
    out = (
        df.groupby(["method", "mode", "setting"], observed=True)
        .agg(
            cost_mean=("cost", "mean"),
            cost_sd=("cost", "std"),
            mean=("score", "mean"),
            sd=("score", "std"),
            n=("score", "count"),
            **extra,
        )
        .reset_index()
    )
    out = out.sort_values(["method", "mode", "cost_mean"]).reset_index(drop=True)
    out.attrs["dataset"] = name  # the figure's title names it
    return out


def _check(df: pd.DataFrame, where: str, required: tuple[str, ...], what: str) -> None:
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise SeqattnError(
            f"{where} lacks column(s) {', '.join(missing)}; expected {', '.join(required)} ({what})"
        )
    if df.empty:
        raise SeqattnError(f"{where} is empty")


def _fit_keys(df: pd.DataFrame) -> pd.DataFrame:
    return df.assign(
        method=df["method"].astype(str),
        k=pd.to_numeric(df["k"], errors="coerce"),
        repeat=pd.to_numeric(df["repeat"], errors="coerce"),
        fold=pd.to_numeric(df["fold"], errors="coerce"),
    )


def cost_accuracy_table(
    metrics: TableLike,
    panel_cost: TableLike,
    *,
    metric: str = "balanced_accuracy",
    classifier: str | None = None,
    dataset: str | None = None,
) -> pd.DataFrame:
    """Each fold panel's score beside its cost: the workflow's tables in :func:`cost_accuracy`'s layout.

    Joins the metrics table (the score of every method, k, repeat, fold and classifier) with
    the panel-cost table (what each of those fold panels cost) on ``method, k, repeat, fold``.

    Parameters
    ----------
    metrics
        ``tables/metrics.tsv`` (``seqattn aggregate``), a DataFrame or path.
    panel_cost
        ``tables/panel_cost.tsv`` (``seqattn aggregate``; its ``cost`` is empty when the
        panels were selected without costs), a DataFrame or path.
    metric
        The score to keep.
    classifier
        The downstream classifier whose scores to use (default: each method's best, the
        one with the highest mean ``metric`` over all its panel sizes and folds; ties to
        the first by name).
    dataset
        Needed only when a table holds several data sets.

    Returns
    -------
    pandas.DataFrame
        Columns ``method, mode, setting, fold, cost, <metric>, classifier, n_features``
        (after ``dataset`` when the tables name one): one row per fold panel and k; ``mode`` is ``count`` (``setting`` = k, the panel
        size) or, where the panels were bought under a budget, ``cap`` (k a cap); ``fold``
        is ``r<repeat>_f<fold>``.

    Examples
    --------
    >>> import pandas as pd
    >>> import seqattn
    >>> fits = [(m, k, f) for m in ("anova", "random") for k in (2, 4) for f in (0, 1)]
    >>> metrics = pd.DataFrame(
    ...     [(m, k, 0, f, c, "balanced_accuracy", 0.5 + k / 20 + (c == "rf") / 10)
    ...      for m, k, f in fits for c in ("logreg", "rf")],
    ...     columns=["method", "k", "repeat", "fold", "classifier", "metric", "value"])
    >>> panel_cost = pd.DataFrame([(m, k, 0, f, k, 3.0 * k + f) for m, k, f in fits],
    ...     columns=["method", "k", "repeat", "fold", "n_features", "cost"])
    >>> table = seqattn.pl.cost_accuracy_table(metrics, panel_cost)
    >>> table.head(2)
      method   mode setting   fold  cost  balanced_accuracy classifier  n_features
    0  anova  count       2  r0_f0   6.0                0.7         rf           2
    1  anova  count       2  r0_f1   7.0                0.7         rf           2
    >>> fig = seqattn.pl.cost_accuracy(table)
    """
    mt, mwhere = _read(metrics, "metrics")
    _check(mt, mwhere, METRICS_COLUMNS, "seqattn aggregate writes tables/metrics.tsv")
    pc, pwhere = _read(panel_cost, "panel-cost")
    _check(pc, pwhere, PANEL_COST_COLUMNS, "seqattn aggregate writes tables/panel_cost.tsv")
    mt, dataset = one_dataset(mt, dataset, "metrics")
    pc, _ = one_dataset(pc, dataset, "panel-cost")
    mt = mt[(mt["metric"].astype(str) == metric) & (mt["classifier"].astype(str) != "-")]
    if mt.empty:
        raise SeqattnError(f"{mwhere} has no rows for metric {metric!r}")
    mt = _fit_keys(mt).assign(
        classifier=mt["classifier"].astype(str),
        value=pd.to_numeric(mt["value"], errors="coerce"),
    )
    if classifier is not None:
        if str(classifier) not in set(mt["classifier"]):
            have = ", ".join(sorted(set(mt["classifier"])))
            raise SeqattnError(f"{mwhere} has no scores for classifier {classifier!r} ({have})")
        mt = mt[mt["classifier"] == str(classifier)]
    else:  # each method's best classifier over all its panel sizes and folds
        means = mt.groupby(["method", "classifier"])["value"].mean().reset_index()
        means = means.sort_values(["value", "classifier"], ascending=[False, True])
        best = means.drop_duplicates("method").set_index("method")["classifier"]
        mt = mt[mt["classifier"] == mt["method"].map(best)]
    pc = _fit_keys(pc).assign(cost=pd.to_numeric(pc["cost"], errors="coerce"))
    if pc["cost"].isna().all():
        raise SeqattnError(
            f"{pwhere} holds no panel costs: the panels were selected without costs "
            "(panel.costs in the workflow, --costs on the command line)"
        )
    budget = (
        pd.to_numeric(pc["budget"], errors="coerce")
        if "budget" in pc.columns
        else pd.Series(float("nan"), index=pc.index)
    )
    pc = pc.assign(mode=budget.notna().map({True: "cap", False: "count"}))
    if "n_features" not in pc.columns:
        pc = pc.assign(n_features=pd.NA)
    keys = ["method", "k", "repeat", "fold"]
    dup = pc.duplicated(keys)
    if dup.any():
        row = pc[dup].iloc[0]
        raise SeqattnError(
            f"{pwhere} lists {row['method']} k={row['k']} repeat {row['repeat']} fold "
            f"{row['fold']} twice; one row per fold panel and k"
        )
    joined = mt[[*keys, "classifier", "value"]].merge(
        pc[[*keys, "cost", "mode", "n_features"]], on=keys, how="inner"
    )
    if joined.empty:
        raise SeqattnError(
            f"{mwhere} and {pwhere} share no method, k, repeat and fold; pass the tables of one run"
        )
    joined = joined.sort_values(keys, kind="stable").reset_index(drop=True)
    out = pd.DataFrame(
        {
            "method": joined["method"],
            "mode": joined["mode"],
            "setting": joined["k"].astype(int).astype(str),
            "fold": [
                f"r{r:g}_f{f:g}" for r, f in zip(joined["repeat"], joined["fold"], strict=True)
            ],
            "cost": joined["cost"],
            metric: joined["value"],
            "classifier": joined["classifier"],
            "n_features": joined["n_features"],
        }
    )
    if dataset is not None:  # the figure's title names it
        out.insert(0, "dataset", str(dataset))
    return out


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
    dashed for count-based panels (``count``), solid for cost-aware ones (``budget``),
    dash-dotted for panel sizes capped under a budget (``cap``).

    Parameters
    ----------
    table
        One row per ``method, mode, setting, fold`` with ``cost`` and the ``metric`` column
        (``bench/results/panel_cost/panel_cost.tsv`` has this layout; so has
        :func:`cost_accuracy_table` of a workflow's tables). A ``classifier`` column, when
        present, is named in the legend.
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
    dataset = dataset or summary.attrs.get("dataset")
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
                prefix = _MODE_PREFIX.get(mode, "")
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
            label=f"{method_label(method)}{_classifier_note(summary, method)}, "
            f"{_MODE_LABELS.get(mode, mode)}",
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


def _classifier_note(summary: pd.DataFrame, method: str) -> str:
    if "classifier" not in summary.columns:
        return ""
    names = summary.loc[summary["method"] == method, "classifier"].dropna().astype(str).unique()
    return f" ({', '.join(sorted(names))})" if len(names) else ""


__all__ = [
    "COLUMNS",
    "MODE_STYLES",
    "cost_accuracy",
    "cost_accuracy_summary",
    "cost_accuracy_table",
]
