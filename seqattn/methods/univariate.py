"""Baselines and univariate filters: random, variance, ANOVA F, mutual information."""

from __future__ import annotations

from numbers import Integral
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import Interval

from seqattn.methods._base import PanelSelector, ranking_to_panel, register


@register
class RandomPanel(PanelSelector):
    """A seeded random panel: the floor every method must clear.

    Cost: O(d). Order is the random permutation; scores decrease with rank.
    """

    name = "random"
    supports_blocks = True
    supports_budget = True
    scores_are_gains = False  # a random order: with a budget, walked in that order

    def _select(self, X: Any, y: np.ndarray, k: int, *, random_state: int):
        rng = np.random.default_rng(random_state)
        order = rng.permutation(X.shape[1])
        return order, np.arange(k, k - len(order), -1, dtype=float)  # k, ..., 1 on the panel


@register
class VariancePanel(PanelSelector):
    """The k features of highest variance (unsupervised; ignores ``y``).

    Cost: O(n d).
    """

    name = "variance"
    supports_blocks = True
    supports_budget = True

    def _select(self, X: Any, y: np.ndarray, k: int, *, random_state: int):
        if sp.issparse(X):
            mean = np.asarray(X.mean(axis=0)).ravel()
            var = np.asarray(X.multiply(X).mean(axis=0)).ravel() - mean**2
        else:
            var = np.var(X, axis=0)
        return ranking_to_panel(var)


@register
class AnovaPanel(PanelSelector):
    """Top k by the one-way ANOVA F statistic (``sklearn.feature_selection.f_classif``).

    Optimises per-feature between-class / within-class variance; blind to redundancy and
    to features that only matter together. Cost: O(n d).
    """

    name = "anova"
    supports_blocks = True
    supports_budget = True

    def _select(self, X: Any, y: np.ndarray, k: int, *, random_state: int):
        from sklearn.feature_selection import f_classif

        f, _ = f_classif(X, y)
        return ranking_to_panel(f)


@register
class MutualInfoPanel(PanelSelector):
    """Top k by estimated mutual information with the class
    (``sklearn.feature_selection.mutual_info_classif``, k-NN estimator; Kraskov et al. 2004).

    Univariate but non-linear. Cost: O(d n log n).

    Parameters
    ----------
    n_neighbors : int, default=3
        Neighbours of the MI estimator.
    """

    name = "mutual_info"
    supports_blocks = True
    supports_budget = True

    _parameter_constraints: ClassVar[dict] = {
        **PanelSelector._parameter_constraints,
        "n_neighbors": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        n_neighbors: int = 3,
        random_state=0,
        **constraints: Any,
    ) -> None:
        super().__init__(n_features_to_select, random_state=random_state, **constraints)
        self.n_neighbors = n_neighbors

    def _select(self, X: Any, y: np.ndarray, k: int, *, random_state: int):
        from sklearn.feature_selection import mutual_info_classif

        mi = mutual_info_classif(X, y, n_neighbors=self.n_neighbors, random_state=random_state)
        return ranking_to_panel(mi)
