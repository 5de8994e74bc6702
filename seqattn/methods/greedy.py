"""Exact forward greedy selection by cross-validated score (``forward_greedy``)."""

from __future__ import annotations

from numbers import Integral
from typing import Any, ClassVar

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from seqattn._errors import SeqattnError
from seqattn.methods._base import PanelSelector, register
from seqattn.methods._prep import dense, encode_labels, standardize

ESTIMATORS = ("logreg", "lda", "knn")


def _make_estimator(name: str) -> Any:
    if name == "logreg":
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(max_iter=1000)
    if name == "lda":
        from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

        return LinearDiscriminantAnalysis()
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier()


def greedy_fit_count(d: int, k: int, n_splits: int) -> int:
    """Model fits of forward selection: ``n_splits`` per candidate, ``d - i`` candidates at
    step ``i`` (``i = 0..k-1``)."""
    return n_splits * (k * d - k * (k - 1) // 2)


@register
class ForwardGreedy(PanelSelector):
    """Forward greedy selection: at each step add the feature whose addition gives the best
    cross-validated score of ``estimator`` (scikit-learn ``SequentialFeatureSelector``'s
    forward search, the exact greedy method Sequential Attention approximates).

    Implemented as the same loop as ``SequentialFeatureSelector(direction="forward")``
    (one ``cross_val_score`` per candidate on the columns ``selected + candidate`` in
    column order, the same ``cv`` via ``check_cv``, ties to the lowest column index), run
    here so that the *order* of addition is kept: ``SequentialFeatureSelector`` only
    exposes the final mask, and recovering the order would need k separate runs. The final
    set equals ``SequentialFeatureSelector(estimator, n_features_to_select=k, cv=cv)`` on
    the standardised matrix (tested). Features are standardised once inside (on all given
    samples, before the inner CV split).

    Optimises the cross-validated ``scoring`` of the panel greedily. Cost:
    ``cv * (k * d - k * (k - 1) / 2)`` model fits, e.g. 5 * 98,775 = 493,875 fits for
    d = 2000, k = 50 (hours); the method refuses, before fitting anything, when the count
    exceeds ``max_fits``. Scores are the gain in mean CV score from adding each feature
    (the first against a class-prior dummy); ``cv_scores_`` holds the path.
    Reference: Whitney, IEEE Trans. Computers 1971; Ferri, Pudil, Hatef & Kittler 1994;
    Yasuda et al., ICLR 2023 (Sequential Attention as its approximation).

    Parameters
    ----------
    estimator : {"logreg", "lda", "knn"} or scikit-learn classifier, default="logreg"
        Model scored at each step (``"logreg"``: ``LogisticRegression(max_iter=1000)``).
    cv : int or scikit-learn splitter, default=5
        Inner cross-validation (an int means ``StratifiedKFold(cv)`` without shuffling).
    scoring : str or None, default=None
        scikit-learn scorer name (None: the estimator's accuracy).
    max_fits : int, default=20_000
        Refuse when the forward search would need more model fits than this; the default
        (20,000) is a few minutes of logistic-regression fits on ~1000 samples.
    n_jobs : int, default=1
        Candidates scored in parallel (joblib; a non-zero integer).

    Attributes
    ----------
    cv_scores_ : list of float
        Mean CV score of the panel after each step.
    n_fits_ : int
        Model fits of the search.
    """

    name = "forward_greedy"
    constraint_limit = "adds single features one at a time by cross-validated score"

    _parameter_constraints: ClassVar[dict] = {
        **PanelSelector._parameter_constraints,
        "estimator": [StrOptions(set(ESTIMATORS)), HasMethods(["fit", "get_params"])],
        "cv": ["cv_object"],
        # scorer names are checked in _check_options: listing them imports sklearn.metrics
        "scoring": [None, str],
        "max_fits": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [
            Interval(Integral, None, -1, closed="right"),
            Interval(Integral, 1, None, closed="left"),
        ],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        estimator: Any = "logreg",
        cv: Any = 5,
        scoring: str | None = None,
        max_fits: int = 20_000,
        n_jobs: int = 1,
        random_state=0,
        **constraints: Any,
    ) -> None:
        super().__init__(n_features_to_select, random_state=random_state, **constraints)
        self.estimator = estimator
        self.cv = cv
        self.scoring = scoring
        self.max_fits = max_fits
        self.n_jobs = n_jobs

    def _check_options(self) -> None:
        if self.scoring is not None:
            from sklearn.metrics import get_scorer_names

            if self.scoring not in get_scorer_names():
                raise SeqattnError(
                    f"forward_greedy: scoring={self.scoring!r} is not a scikit-learn scorer "
                    "name (e.g. accuracy, balanced_accuracy, f1_macro)"
                )

    def _select(self, X: Any, y: np.ndarray, k: int, *, random_state: int):
        from joblib import Parallel, delayed
        from sklearn.base import clone
        from sklearn.dummy import DummyClassifier
        from sklearn.model_selection import check_cv, cross_val_score

        codes, _ = encode_labels(y, self.name, min_per_class=2)
        n, d = X.shape
        cv = check_cv(self.cv, codes, classifier=True)
        n_splits = cv.get_n_splits(np.zeros((n, 1)), codes)
        n_fits = greedy_fit_count(d, k, n_splits)
        if n_fits > self.max_fits:
            raise SeqattnError(
                f"forward_greedy: k={k} from d={d} features with {n_splits}-fold CV needs "
                f"{n_fits:,} model fits, over max_fits={self.max_fits:,} (hours at this "
                "size); pre-filter features (e.g. anova or HVG to a few hundred), lower k or "
                "cv, or raise max_fits"
            )
        estimator = (
            _make_estimator(self.estimator)
            if isinstance(self.estimator, str)
            else clone(self.estimator)
        )
        Xs = standardize(dense(X, self.name))
        mask = np.zeros(d, dtype=bool)

        def cv_score(model: Any, columns: np.ndarray) -> float:
            return float(
                cross_val_score(model, Xs[:, columns], codes, cv=cv, scoring=self.scoring).mean()
            )

        def candidate_score(j: int) -> float:
            columns = mask.copy()
            columns[j] = True
            return cv_score(clone(estimator), columns)

        previous = cv_score(DummyClassifier(strategy="prior"), np.array([0]))
        order: list[int] = []
        gains: list[float] = []
        path: list[float] = []
        with Parallel(n_jobs=self.n_jobs) as parallel:
            for _ in range(k):
                candidates = np.flatnonzero(~mask)
                if self.n_jobs == 1:
                    scores = [candidate_score(int(j)) for j in candidates]
                else:
                    scores = parallel(delayed(candidate_score)(int(j)) for j in candidates)
                best = int(np.argmax(scores))  # first maximum: lowest column index
                j = int(candidates[best])
                mask[j] = True
                order.append(j)
                gains.append(scores[best] - previous)
                path.append(scores[best])
                previous = scores[best]
        self.cv_scores_ = path
        self.n_fits_ = n_fits
        return np.asarray(order), np.asarray(gains)
