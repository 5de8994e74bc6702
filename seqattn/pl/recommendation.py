"""The recommended panel: the inner-CV curve that chose it and the outer estimate beside it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.pl._io import TableLike, figure_function, new_figure, one_dataset
from seqattn.pl._style import method_colors, method_label, method_markers, method_order

if TYPE_CHECKING:
    from matplotlib.figure import Figure

INNER = ("scope", "method", "k", "mean", "se", "threshold", "chosen")
FOLDS = ("repeat", "fold", "method", "k", "balanced_accuracy")


def _read(table: TableLike, columns: tuple[str, ...], what: str) -> pd.DataFrame:
    """A recommendation table (DataFrame or TSV path) with ``columns`` checked."""
    if isinstance(table, pd.DataFrame):
        df = table.copy()
    else:
        df = pd.read_csv(table, sep="\t", keep_default_na=False, na_values=["", "nan", "NaN"])
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise SeqattnError(f"{what} table lacks columns {missing} (seqattn recommend writes it)")
    return df


@figure_function
def recommendation(
    inner: TableLike,
    folds: TableLike,
    summary: TableLike | None = None,
    *,
    dataset: str | None = None,
    title: str | None = None,
) -> Figure:
    """Inner-CV balanced accuracy against k per method with the chosen k marked, and the
    outer estimate of the whole procedure beside it.

    Left: the inner cross-validation on all samples that chose the recommendation (mean ±
    standard error over the inner folds per method and k); the dashed line is the score a
    configuration had to reach (best mean minus one SE under the one-SE rule), the star the
    choice. Right: the balanced accuracy of the procedure on each outer test fold (labelled
    with the method and k chosen inside that fold), their mean and 95% interval.

    Parameters
    ----------
    inner
        ``tables/recommendation_inner.tsv``.
    folds
        ``tables/recommendation_folds.tsv``.
    summary
        ``tables/recommendation.tsv`` (its interval; without it a t-interval is computed).
    dataset
        Needed only when the tables hold several data sets.
    title
        Figure title.
    save
        Path or paths (``.png``, ``.pdf``, ``.svg``) to write.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    The tables ``seqattn recommend`` writes (here by hand: two methods, two outer folds):

    >>> import pandas as pd
    >>> import seqattn
    >>> inner = pd.DataFrame({
    ...     "scope": "all", "method": ["anova"] * 2 + ["t-test"] * 2, "k": [3, 5] * 2,
    ...     "mean": [0.70, 0.78, 0.66, 0.75], "se": 0.03, "threshold": 0.75,
    ...     "chosen": [False, True, False, False]})
    >>> folds = pd.DataFrame({"repeat": 0, "fold": [0, 1], "method": ["anova", "t-test"],
    ...                       "k": [5, 5], "balanced_accuracy": [0.74, 0.80]})
    >>> fig = seqattn.pl.recommendation(inner, folds)
    >>> [ax.get_title() for ax in fig.axes]
    ['inner CV on all samples (mean ± SE)', 'outer estimate']
    """
    inn = _read(inner, INNER, "recommendation_inner")
    inn, dataset = one_dataset(inn, dataset, "recommendation_inner")
    inn = inn[inn["scope"].astype(str) == "all"]
    if inn.empty:
        raise SeqattnError("recommendation_inner has no rows with scope 'all' (the final choice)")
    outer = _read(folds, FOLDS, "recommendation_folds")
    outer, _ = one_dataset(outer, dataset, "recommendation_folds")
    inn = inn.assign(
        method=inn["method"].astype(str),
        k=pd.to_numeric(inn["k"]),
        chosen=inn["chosen"].astype(str).str.lower().isin(["true", "1"]),
    )
    methods = method_order(inn["method"].unique())
    colors, markers = method_colors(methods), method_markers(methods)
    fig = new_figure((8.4, 3.4), layout="constrained")
    ax, ax2 = fig.subplots(1, 2, width_ratios=[3, 1.2], sharey=True)
    for m in methods:
        d = inn[inn["method"] == m].sort_values("k")
        ax.errorbar(
            d["k"],
            d["mean"],
            yerr=d["se"],
            color=colors[m],
            marker=markers[m],
            markersize=4,
            linewidth=1.2,
            capsize=2,
            label=method_label(m),
        )
    pick = inn[inn["chosen"]].iloc[0]
    ax.axhline(
        float(pick["threshold"]), color="0.4", linestyle="--", linewidth=0.8, label="score to reach"
    )
    ax.scatter(
        [pick["k"]],
        [pick["mean"]],
        marker="*",
        s=220,
        color=colors[pick["method"]],
        edgecolors="black",
        linewidths=0.8,
        zorder=5,
    )
    ax.annotate(
        f"chosen: {method_label(pick['method'])}, k = {int(pick['k'])}",
        (pick["k"], pick["mean"]),
        textcoords="offset points",
        xytext=(6, -14),
        fontsize=8,
    )
    ks = sorted(int(k) for k in inn["k"].unique())
    ax.set_xticks(ks)
    ax.set_xlabel("panel size k")
    ax.set_ylabel("balanced accuracy")
    ax.set_title("inner CV on all samples (mean ± SE)", fontsize=9)
    ax.grid(True, color="0.92", linewidth=0.6)
    ax.legend(fontsize=7, frameon=False, loc="lower right")

    scores = pd.to_numeric(outer["balanced_accuracy"]).to_numpy(dtype=float)
    jitter = np.random.default_rng(0).uniform(-0.12, 0.12, len(scores))
    ax2.scatter(jitter, scores, s=18, color="0.25", zorder=3)
    for x, s, m, k in zip(jitter, scores, outer["method"], outer["k"], strict=True):
        ax2.annotate(
            f"{m} k={int(k)}",
            (x, s),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=6,
            va="center",
            color="0.35",
        )
    mean = float(np.mean(scores))
    low = high = np.nan
    if summary is not None:
        row = _read(summary, ("ci_low", "ci_high"), "recommendation").iloc[0]
        low, high = float(row["ci_low"]), float(row["ci_high"])
    elif len(scores) > 1:
        from scipy import stats

        half = stats.t.ppf(0.975, len(scores) - 1) * scores.std(ddof=1) / np.sqrt(len(scores))
        low, high = max(0.0, mean - half), min(1.0, mean + half)
    if np.isfinite(low) and np.isfinite(high):
        ax2.errorbar(
            [0.45],
            [mean],
            yerr=[[mean - low], [high - mean]],
            fmt="D",
            color="black",
            capsize=4,
            markersize=6,
            zorder=4,
        )
    else:
        ax2.scatter([0.45], [mean], marker="D", color="black", zorder=4)
    ax2.set_xlim(-0.4, 0.9)
    ax2.set_xticks([0.0, 0.45], labels=["outer folds", "mean, 95% CI"], fontsize=7)
    ax2.set_title("outer estimate", fontsize=9)
    ax2.grid(True, axis="y", color="0.92", linewidth=0.6)
    ci = f" (95% CI {low:.2f}-{high:.2f})" if np.isfinite(low) else ""
    fig.suptitle(
        title
        or f"{dataset + ': ' if dataset else ''}recommended panel: "
        f"{method_label(pick['method'])}, k = {int(pick['k'])}; expected balanced accuracy "
        f"{mean:.2f}{ci}",
        fontsize=10,
    )
    return fig


__all__ = ["recommendation"]
