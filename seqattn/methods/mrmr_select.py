"""Minimum-redundancy maximum-relevance selection (``mrmr``, package ``mrmr-selection``)."""

from __future__ import annotations

import warnings
from numbers import Integral
from typing import Any, ClassVar

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions

from seqattn.methods._base import PanelSelector, register
from seqattn.methods._prep import dense, encode_labels, import_peer


def _import_mrmr_classif():
    """Import ``mrmr.mrmr_classif`` without its side effect: ``mrmr`` calls
    ``warnings.filterwarnings("ignore")`` at import, which would silence every warning in
    the process; ``catch_warnings`` restores the filters afterwards."""
    with warnings.catch_warnings():
        return import_peer("mrmr", "mrmr", "mrmr-selection").mrmr_classif


@register
class MRMR(PanelSelector):
    """mRMR: greedily add the feature maximising relevance / mean redundancy with the
    features already chosen (``mrmr.mrmr_classif``, the "MID/FCQ" variant).

    Relevance is the ANOVA F statistic with the class (``relevance="f"``) or the
    Kolmogorov-Smirnov statistic (``"ks"``); redundancy is the absolute Pearson
    correlation (floored at 0.001). Ordered: step ``i`` depends only on steps before it.
    Features with zero relevance (e.g. constant) are never chosen by the package; if fewer
    than ``k`` remain, the panel is completed in column order with score 0
    (``n_filled_``). The score of each feature is its mRMR quotient at the step it
    was picked, recomputed from the package's relevance and redundancy tables.
    Cost: O(d * n) relevance plus k correlation passes O(k * d * n); about 30 s of CPU
    for 1000 x 2000 at k = 50 (mostly pandas overhead in the package). Because the
    redundancy floor is 0.001, a weakly relevant feature that is uncorrelated with the
    chosen ones can score very high (seen on independent synthetic noise). Reference:
    Peng, Long & Ding, IEEE TPAMI 2005; Zhao, Anand & Wang, "Maximum relevance and minimum
    redundancy feature selection methods for a marketing machine learning platform",
    IEEE DSAA 2019 (the package's variant).

    Parameters
    ----------
    relevance : {"f", "ks"}, default="f"
        Relevance statistic.
    denominator : {"mean", "max"}, default="mean"
        How redundancies with the chosen features are combined.
    n_jobs : int, default=1
        Workers the package uses per step (joblib; a positive integer or -1); 1 avoids
        process start-up per step.

    Attributes
    ----------
    n_filled_ : int
        Panel features filled in column order (zero relevance).
    """

    name = "mrmr"
    constraint_limit = "adds a fixed number of single features one after another"

    _parameter_constraints: ClassVar[dict] = {
        **PanelSelector._parameter_constraints,
        "relevance": [StrOptions({"f", "ks"})],
        "denominator": [StrOptions({"mean", "max"})],
        "n_jobs": [
            Options(Integral, {-1}),
            Interval(Integral, 1, None, closed="left"),
        ],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        relevance: str = "f",
        denominator: str = "mean",
        n_jobs: int = 1,
        random_state=0,
        **constraints: Any,
    ) -> None:
        super().__init__(n_features_to_select, random_state=random_state, **constraints)
        self.relevance = relevance
        self.denominator = denominator
        self.n_jobs = n_jobs

    def _select(self, X: Any, y: np.ndarray, k: int, *, random_state: int):
        import pandas as pd

        mrmr_classif = _import_mrmr_classif()
        codes, _ = encode_labels(y, self.name, min_per_class=2)
        Xd = dense(X, self.name)
        frame = pd.DataFrame(Xd, columns=pd.RangeIndex(Xd.shape[1]))
        selected, relevance, redundancy = mrmr_classif(
            X=frame,
            y=pd.Series(codes),
            K=k,
            relevance=self.relevance,
            redundancy="c",
            denominator=self.denominator,
            return_scores=True,
            n_jobs=self.n_jobs,
            show_progress=False,
        )
        selected = [int(j) for j in selected]
        combine = np.mean if self.denominator == "mean" else np.max
        scores = []
        for i, j in enumerate(selected):
            if i == 0:
                scores.append(float(relevance.loc[j]))
                continue
            denom = float(combine(redundancy.loc[j, selected[:i]].to_numpy()))
            scores.append(float(relevance.loc[j]) / denom if denom < 1.0 else 0.0)
        n_filled = k - len(selected)
        if n_filled:
            chosen = set(selected)
            rest = [j for j in range(Xd.shape[1]) if j not in chosen][:n_filled]
            selected += rest
            scores += [0.0] * len(rest)
        self.n_filled_ = n_filled
        return np.asarray(selected), np.asarray(scores)
