"""Confusion matrix of the best classifier on a panel, with per-class recall across folds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.pl._io import (
    TableLike,
    _natural_key,
    figure_function,
    new_figure,
    one_dataset,
    pick_k,
    read_table,
)
from seqattn.pl._style import REFERENCE_METHOD, method_colors, method_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _fold_scores(d: pd.DataFrame) -> pd.DataFrame:
    """Per ``repeat, fold``: recall of every class present and the balanced accuracy."""
    rows = []
    for (rep, fold), g in d.groupby(["repeat", "fold"], sort=True):
        hit = g["y_true"] == g["y_pred"]
        rec = hit.groupby(g["y_true"]).mean()
        rows.append(
            {
                "repeat": rep,
                "fold": fold,
                "balanced_accuracy": float(rec.mean()),
                **{f"recall::{c}": float(v) for c, v in rec.items()},
            }
        )
    return pd.DataFrame(rows)


def best_classifier(predictions: pd.DataFrame) -> tuple[str, dict[str, float]]:
    """The classifier with the highest mean balanced accuracy across folds, and all means."""
    means = {
        str(clf): float(_fold_scores(g)["balanced_accuracy"].mean())
        for clf, g in predictions.groupby("classifier", sort=True)
    }
    if not means:
        raise SeqattnError("predictions table has no classifier rows")
    return max(means, key=lambda c: (means[c], -sorted(means).index(c))), means


@figure_function
def confusion(
    predictions: TableLike,
    *,
    method: str | None = None,
    k: int | None = None,
    classifier: str | None = None,
    dataset: str | None = None,
    normalize: Literal["true", "none"] = "true",
    title: str | None = None,
) -> Figure:
    """Confusion matrix (pooled over repeats and folds) and per-class recall.

    Parameters
    ----------
    predictions
        The ``predictions`` table (``method, k, repeat, fold, classifier,
        sample, y_true, y_pred``), DataFrame or path.
    method
        Selection method (default: Sequential Attention when present, else the
        first method).
    k
        Panel size (default: the largest for that method).
    classifier
        Downstream classifier (default: the one with the best mean balanced
        accuracy for that method and k).
    dataset
        Needed only when the table holds several data sets.
    normalize
        ``"true"``: each row divided by the class size (recall on the diagonal);
        ``"none"``: counts.
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
    >>> predictions = pd.DataFrame({
    ...     "method": "anova", "k": 5, "repeat": 0, "fold": [0, 0, 0, 1, 1, 1],
    ...     "classifier": "logistic", "sample": ["s1", "s2", "s3", "s4", "s5", "s6"],
    ...     "y_true": list("aabbcc"), "y_pred": list("abbbca")})
    >>> fig = seqattn.pl.confusion(predictions)
    >>> fig.axes[0].get_title()
    'confusion matrix, pooled over 2 folds'
    """
    from matplotlib import colormaps

    if normalize not in ("true", "none"):
        raise SeqattnError(f"normalize={normalize!r} is not 'true' or 'none'")
    df = read_table(predictions, "predictions")
    df, dataset = one_dataset(df, dataset, "predictions")
    df = df.assign(
        method=df["method"].astype(str),
        classifier=df["classifier"].astype(str),
        y_true=df["y_true"].astype(str),
        y_pred=df["y_pred"].astype(str),
    )
    methods = list(dict.fromkeys(df["method"]))
    if method is None:
        method = REFERENCE_METHOD if REFERENCE_METHOD in methods else methods[0]
    if method not in methods:
        raise SeqattnError(f"predictions table has no method {method!r} (has {', '.join(methods)})")
    d = df[df["method"] == method]
    k = pick_k(d, k, "predictions")
    d = d[pd.to_numeric(d["k"]) == k]
    chosen, means = best_classifier(d)
    if classifier is None:
        classifier = chosen
    if classifier not in means:
        raise SeqattnError(
            f"predictions table has no classifier {classifier!r} for {method} at k={k} "
            f"(has {', '.join(means)})"
        )
    d = d[d["classifier"] == classifier]
    classes = sorted(set(d["y_true"]) | set(d["y_pred"]), key=_natural_key)
    idx = {c: i for i, c in enumerate(classes)}
    n = len(classes)
    cm = np.zeros((n, n), dtype=float)
    np.add.at(cm, (d["y_true"].map(idx).to_numpy(), d["y_pred"].map(idx).to_numpy()), 1)
    support = cm.sum(axis=1)
    shown = cm / np.where(support > 0, support, 1)[:, None] if normalize == "true" else cm
    folds = _fold_scores(d)
    rec_cols = [f"recall::{c}" for c in classes]
    rec = folds.reindex(columns=rec_cols)
    rec_mean = rec.mean().to_numpy()
    rec_sd = rec.std().to_numpy()

    side = float(np.clip(1.6 + 0.3 * n, 3.2, 12.0))
    fig = new_figure((side + 2.6, side + 0.9), layout="constrained")
    gs = fig.add_gridspec(1, 2, width_ratios=[side, 1.6])
    ax = fig.add_subplot(gs[0, 0])
    axr = fig.add_subplot(gs[0, 1], sharey=ax)
    cmap = colormaps["Blues"]
    vmax = 1.0 if normalize == "true" else max(1.0, float(cm.max()))
    im = ax.imshow(shown, cmap=cmap, vmin=0.0, vmax=vmax, aspect="auto")
    fontsize = 8 if n <= 8 else (6.5 if n <= 15 else 5)
    for (i, j), v in np.ndenumerate(shown):
        if n > 15 and i != j:
            continue
        if i != j and (v == 0 or (normalize == "true" and v < 0.005)):
            continue
        txt = f"{v:.2f}" if normalize == "true" else f"{int(v)}"
        if normalize == "true" and n > 8:
            txt = f"{100 * v:.0f}"
        ax.text(
            j,
            i,
            txt,
            ha="center",
            va="center",
            fontsize=fontsize,
            color="white" if v > 0.6 * vmax else "black",
        )
    rot = 90 if n > 6 or max(len(c) for c in classes) > 6 else 0
    ax.set_xticks(np.arange(n), labels=classes, rotation=rot, fontsize=8 if n <= 20 else 6.5)
    ax.set_yticks(np.arange(n), labels=classes, fontsize=8 if n <= 20 else 6.5)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.spines[:].set_visible(False)
    ax.tick_params(length=0)
    cb = fig.colorbar(im, ax=ax, location="bottom", shrink=0.5, pad=0.01, aspect=30)
    cb.set_label("fraction of the true class" if normalize == "true" else "samples")
    color = method_colors([method])[method]
    y = np.arange(n)
    axr.barh(
        y,
        rec_mean,
        xerr=np.nan_to_num(rec_sd),
        color=color,
        alpha=0.8,
        height=0.7,
        error_kw={"elinewidth": 0.8, "capsize": 1.5, "ecolor": "0.25"},
    )
    axr.set_xlim(0, 1.05)
    axr.set_xlabel("recall\n(mean ± SD over folds)")
    axr.tick_params(axis="y", labelleft=False, length=0)
    axr.grid(True, axis="x", color="0.9", linewidth=0.6)
    axr.set_ylim(n - 0.5, -0.5)
    pct = "" if normalize == "none" else (" (%)" if n > 8 else "")
    ax.set_title(f"confusion matrix{pct}, pooled over {len(folds)} folds", fontsize=9)
    bacc = means[classifier]
    fig.suptitle(
        title
        or f"{dataset + ': ' if dataset else ''}{method_label(method)} panel (k = {k}), "
        f"{classifier}: balanced accuracy {bacc:.3f}",
        fontsize=10,
    )
    return fig


__all__ = ["best_classifier", "confusion"]
