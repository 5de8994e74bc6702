"""Per-class marker rankings, pooled into one panel: scanpy ``rank_genes_groups``
(``wilcoxon``, ``t-test``, ``logreg``) and COSG (``cosg``).

These tools rank features *per class* (one class against the rest). A panel needs one
ranking, so the per-class lists are pooled by **round-robin**: each class in turn adds its
best-ranked feature not yet in the panel (first class, second class, ..., first class
again, ...) until ``k`` features are chosen. Classes are visited in sorted label order.
Every class therefore gets about ``k / n_classes`` markers, whatever
its size, and the panel prefix for a smaller ``k`` is the round-robin panel for that ``k``
(the methods are ordered). The score of a panel feature is the tool's own statistic for the
class that contributed it (``panel_classes_`` names that class), so scores are not
monotone along the panel.

Constraints (:mod:`seqattn._constraints`): excluded and constant columns are never scored.
With ``feature_groups`` each class ranks *blocks*, a block's score for a class being the
best of its columns' scores for that class (the largest ``|score|`` with ``rankby_abs``; the
score reported is that column's statistic), and the round-robin takes blocks: a block
taken for one class is skipped by the others, ``n_features_to_select`` counts blocks and
a block's columns enter together. Budget rule: each class in turn takes its untaken block
with the largest score per unit cost (a statistic compared only within its class; a score
<= 0 is multiplied by the cost, so a dearer block is always worse) among those that still
fit, a class with none left that fits is passed over, and selection stops when no class has
one or ``n_features_to_select`` blocks are taken. Preselected blocks come first; a class
whose turn reaches one spends that turn on it (the method's own order, without them), and
``panel_classes_`` credits each to the class it marks best.

Input scale: scanpy and COSG expect log-normalised expression. With ``log1p="auto"`` (the
default) ``log1p`` is applied first when ``X`` looks un-logged (non-negative and either
integer-valued or with a maximum above 50: raw counts or raw intensities); log-scale and
z-scored input is used as given (``log1p_applied_`` records the decision). The rank
statistics do not need log input (Wilcoxon is invariant to it), but the t statistic and the
logistic coefficients change with scale, and scanpy's log fold changes overflow on raw
values (those overflow warnings are silenced; the fold changes are not used here).
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.utils._param_validation import Interval, StrOptions

from seqattn._constraints import _tolerance, effective_costs, plan_panel, walk_blocks
from seqattn.methods._base import PanelSelector, register
from seqattn.methods._prep import encode_labels, import_peer, keep_torch_threads, log1p_if_needed

_GROUP_KEY = "seqattn_class"


def round_robin(
    class_scores: np.ndarray, k: int, *, by_abs: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pool per-class rankings into one panel of ``k`` distinct features.

    Parameters
    ----------
    class_scores : ndarray, shape (n_classes, n_features)
        Score of every feature for every class (higher = better marker of that class).
    k : int
        Panel size.
    by_abs : bool
        Rank each class by ``|score|`` instead of ``score``.

    Returns
    -------
    order, scores, classes : ndarray
        Feature indices in pooled order, the contributing class's score of each, and the
        index of the contributing class.
    """
    key = np.abs(class_scores) if by_abs else class_scores
    key = np.nan_to_num(key, nan=-np.inf)
    rankings = np.argsort(-key, axis=1, kind="stable")
    n_classes, d = class_scores.shape
    taken = np.zeros(d, dtype=bool)
    cursor = np.zeros(n_classes, dtype=np.int64)
    order: list[int] = []
    contributor: list[int] = []
    while len(order) < k:
        for c in range(n_classes):
            while taken[rankings[c, cursor[c]]]:
                cursor[c] += 1
            j = int(rankings[c, cursor[c]])
            taken[j] = True
            order.append(j)
            contributor.append(c)
            if len(order) == k:
                break
    idx = np.asarray(order)
    who = np.asarray(contributor)
    # A statistic can be NaN (e.g. a t statistic of a constant feature); report it as 0.
    return idx, np.nan_to_num(class_scores[who, idx].astype(float), nan=0.0), who


def block_scores(
    class_scores: np.ndarray, members: list[np.ndarray], *, by_abs: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Per-class scores of blocks of columns: a block scores, for each class, as its best
    column for that class.

    Parameters
    ----------
    class_scores : ndarray, shape (n_classes, n_features)
    members : list of ndarray of int
        The columns of each block.
    by_abs : bool
        The best column is the one with the largest ``|score|``.

    Returns
    -------
    key, score : ndarray, shape (n_classes, n_blocks)
        The ranking key of each block for each class (its best column's score, or
        ``|score|``; NaN as -inf) and that column's own statistic (NaN as 0).
    """
    raw = np.asarray(class_scores, dtype=np.float64)
    key = np.nan_to_num(np.abs(raw) if by_abs else raw, nan=-np.inf)
    best = np.array([m[np.argmax(key[:, m], axis=1)] for m in members]).T  # (C, B) columns
    rows = np.arange(raw.shape[0])[:, None]
    return key[rows, best], np.nan_to_num(raw[rows, best], nan=0.0)


def pool_blocks(
    key: np.ndarray,
    *,
    cost: np.ndarray | None = None,
    budget: float | None = None,
    cap: int | None = None,
    forced: list[int] | tuple = (),
) -> tuple[list[int], list[int]]:
    """Round-robin over classes, one block per turn (the module docstring's rules).

    Parameters
    ----------
    key : ndarray, shape (n_classes, n_blocks)
        Score of every block for every class (higher = better marker; -inf allowed).
    cost, budget : ndarray of shape (n_blocks,) and float, optional
        With a budget, each class takes its untaken block with the largest score per unit
        cost that still fits what is left (the preselected blocks paid first).
    cap : int, optional
        Most blocks in the panel, preselected ones included (None: every block).
    forced : sequence of int
        Preselected blocks: in the panel already; a class whose turn reaches one spends
        the turn on it.

    Returns
    -------
    picked, classes : list of int
        The blocks taken after ``forced``, in order, and the class that took each.
    """
    n_classes, n_blocks = key.shape
    cap = n_blocks if cap is None else cap
    rank = key
    left = None
    if budget is not None:
        c = effective_costs(cost)
        rank = np.where(key > 0, key / c, key * c)
        left = budget - float(np.asarray(cost)[list(forced)].sum())
    rankings = np.argsort(-rank, axis=1, kind="stable")
    taken = np.zeros(n_blocks, dtype=bool)
    pending = np.zeros(n_blocks, dtype=bool)  # preselected, not yet reached by a turn
    pending[list(forced)] = True
    cursor = np.zeros(n_classes, dtype=np.int64)
    picked: list[int] = []
    classes: list[int] = []
    active = list(range(n_classes))
    while active and len(forced) + len(picked) < cap:
        for cls in list(active):
            ranking = rankings[cls]
            while cursor[cls] < n_blocks and (
                taken[ranking[cursor[cls]]]
                or (
                    left is not None
                    and not pending[ranking[cursor[cls]]]
                    and cost[ranking[cursor[cls]]] > left + _tolerance(budget)
                )  # left only shrinks: a block that does not fit now never will
            ):
                cursor[cls] += 1
            if cursor[cls] == n_blocks:
                active.remove(cls)
                continue
            b = int(ranking[cursor[cls]])
            taken[b] = True
            if pending[b]:
                continue  # the turn goes to a preselected block
            if left is not None:
                left -= float(cost[b])
            picked.append(b)
            classes.append(cls)
            if len(forced) + len(picked) == cap:
                break
    return picked, classes


class _PerClassMarkers(PanelSelector):
    """Shared driver: build an AnnData, score every class, pool by round-robin."""

    supports_blocks = True  # each class ranks blocks by their best column
    supports_budget = True  # each class's next block by score per unit cost

    _parameter_constraints: ClassVar[dict] = {
        **PanelSelector._parameter_constraints,
        "log1p": [StrOptions({"auto"}), "boolean"],
        "rankby_abs": ["boolean"],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        log1p: bool | str = "auto",
        rankby_abs: bool = False,
        random_state=0,
        **constraints: Any,
    ) -> None:
        super().__init__(n_features_to_select, random_state=random_state, **constraints)
        self.log1p = log1p
        self.rankby_abs = rankby_abs

    def _class_scores(self, adata: Any, n_classes: int) -> np.ndarray:
        """Scores of shape (n_classes, n_features) from the tool, in class-code order."""
        raise NotImplementedError

    def _select(self, X: Any, y: np.ndarray, k: int, *, random_state: int):
        scores, names = self._score_classes(X, y)
        order, panel_scores, who = round_robin(scores, k, by_abs=self.rankby_abs)
        self.panel_classes_ = [names[c] for c in who]
        return order, panel_scores

    def _fit_constrained(self, X: Any, y: Any) -> _PerClassMarkers:
        """``fit`` with constraints: the classes score the candidate columns, each class
        ranks the blocks by their best column, and the round-robin takes blocks."""
        plan = plan_panel(self, X, getattr(self, "feature_names_in_", None))
        scores, names = self._score_classes(X[:, plan.candidates], y)
        key, score = block_scores(scores, plan.members, by_abs=self.rankby_abs)
        full, full_classes = pool_blocks(key)  # the method's own order of every block
        priority = np.empty(plan.n_blocks)
        priority[full] = np.arange(plan.n_blocks)
        if plan.budget is None:
            picked = walk_blocks(plan, priority, None)
            took = dict(zip(full, full_classes, strict=True))
        else:
            rest, classes = pool_blocks(
                key, cost=plan.cost, budget=plan.budget, cap=plan.cap, forced=plan.forced
            )
            picked = [*plan.forced, *rest]
            took = dict(zip(rest, classes, strict=True))
        who = [took.get(b, int(np.argmax(key[:, b]))) for b in picked]  # forced: best class
        sizes = [len(plan.members[b]) for b in picked]
        self.selected_features_ = plan.columns(picked)
        self.selection_scores_ = np.repeat(
            [score[c, b] for b, c in zip(picked, who, strict=True)], sizes
        ).astype(np.float64)
        self.panel_classes_ = [names[c] for c, m in zip(who, sizes, strict=True) for _ in range(m)]
        self.ranking_ = plan.ranking(picked, full)
        self.selected_groups_ = plan.group_labels(picked, getattr(self, "feature_names_in_", None))
        self.panel_cost_ = float(plan.cost[picked].sum())
        return self

    def _score_classes(self, X: Any, y: np.ndarray) -> tuple[np.ndarray, list[str]]:
        """Scores (n_classes, n_features) of every class against the rest, and the class
        names (sorted); sets ``log1p_applied_``."""
        import anndata as ad
        import pandas as pd

        codes, classes = encode_labels(y, self.name, min_per_class=2)
        X, logged = log1p_if_needed(X, self.log1p)
        if sp.issparse(X):
            X = X.tocsr().astype(np.float32)
        else:
            X = np.asarray(X, dtype=np.float32)
        n, d = X.shape
        names = [str(c) for c in classes]
        obs = pd.DataFrame(
            {_GROUP_KEY: pd.Categorical.from_codes(codes, categories=names)},
            index=[str(i) for i in range(n)],
        )
        adata = ad.AnnData(X=X, obs=obs, var=pd.DataFrame(index=[str(j) for j in range(d)]))
        with warnings.catch_warnings(), np.errstate(all="ignore"), keep_torch_threads():
            warnings.simplefilter("ignore", RuntimeWarning)
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            scores = self._class_scores(adata, len(classes))
        self.log1p_applied_ = logged
        return scores, names


def _uns_scores(result: dict, group: str, d: int) -> np.ndarray:
    """Full score vector of one group from a scanpy-style ``uns`` result."""
    out = np.full(d, -np.inf)
    idx = np.asarray(result["names"][group]).astype(np.int64)
    out[idx] = np.asarray(result["scores"][group], dtype=np.float64)
    return out


class _RankGenesGroups(_PerClassMarkers):
    """``scanpy.tl.rank_genes_groups`` with one method, one class against the rest."""

    scanpy_method: ClassVar[str] = ""

    def _tool_kwargs(self) -> dict[str, Any]:
        return {}

    def _class_scores(self, adata: Any, n_classes: int) -> np.ndarray:
        import scanpy as sc

        d = adata.n_vars
        sc.tl.rank_genes_groups(
            adata,
            _GROUP_KEY,
            method=self.scanpy_method,
            n_genes=d,
            use_raw=False,
            corr_method="bonferroni",
            key_added="seqattn_rgg",
            **self._tool_kwargs(),
        )
        result = adata.uns["seqattn_rgg"]
        stored = list(result["names"].dtype.names)
        categories = list(adata.obs[_GROUP_KEY].cat.categories)
        if len(stored) == 1 and n_classes == 2:
            # Binary logistic regression: scanpy stores the single coefficient vector
            # (positive = up in the second class) under the first class's name. Give each
            # class its own direction so that round-robin covers both.
            coef = _uns_scores(result, stored[0], d)
            return np.vstack([-coef, coef])
        return np.vstack([_uns_scores(result, g, d) for g in categories])


@register
class WilcoxonMarkers(_RankGenesGroups):
    """Wilcoxon rank-sum markers of each class against the rest, pooled by round-robin
    (``scanpy.tl.rank_genes_groups(method="wilcoxon")``).

    Optimises, per class and per feature, the rank-sum z statistic (shift in location,
    robust to scale and outliers); blind to redundancy and to joint effects. Cost:
    O(n_classes * d * n log n). Reference: Wilcoxon (1945); Wolf et al., Genome Biology
    2018 (scanpy). Pooling and input scale: see the module docstring.

    Parameters
    ----------
    log1p : {"auto", True, False}, default="auto"
        Apply ``log1p`` first (``"auto"``: only when ``X`` looks un-logged).
    rankby_abs : bool, default=False
        Rank each class by ``|z|`` (markers down in the class count too).
    tie_correct : bool, default=False
        Tie-corrected z scores (scanpy option).
    """

    name = "wilcoxon"
    scanpy_method = "wilcoxon"

    _parameter_constraints: ClassVar[dict] = {
        **_PerClassMarkers._parameter_constraints,
        "tie_correct": ["boolean"],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        log1p: bool | str = "auto",
        rankby_abs: bool = False,
        tie_correct: bool = False,
        random_state=0,
        **constraints: Any,
    ) -> None:
        super().__init__(
            n_features_to_select,
            log1p=log1p,
            rankby_abs=rankby_abs,
            random_state=random_state,
            **constraints,
        )
        self.tie_correct = tie_correct

    def _tool_kwargs(self) -> dict[str, Any]:
        return {"tie_correct": self.tie_correct}


@register
class TTestMarkers(_RankGenesGroups):
    """Welch t-test markers of each class against the rest, pooled by round-robin
    (``scanpy.tl.rank_genes_groups(method="t-test")``).

    Optimises, per class and per feature, the Welch t statistic; blind to redundancy.
    Cost: O(n_classes * n * d). Reference: Welch (1947); Wolf et al., Genome Biology 2018.
    Pooling and input scale: see the module docstring.

    Parameters
    ----------
    log1p : {"auto", True, False}, default="auto"
        Apply ``log1p`` first (``"auto"``: only when ``X`` looks un-logged).
    rankby_abs : bool, default=False
        Rank each class by ``|t|``.
    """

    name = "t-test"
    scanpy_method = "t-test"


@register
class LogregMarkers(_RankGenesGroups):
    """Multinomial logistic-regression markers (``scanpy.tl.rank_genes_groups(method="logreg")``),
    pooled by round-robin over classes.

    Fits one L2-penalised multinomial logistic regression on all features (scikit-learn,
    as scanpy does) and ranks each class by its coefficients (Ntranos et al. 2019). With two
    classes scanpy returns one coefficient vector; the first class is ranked by its negative.
    Features are not standardised (scanpy's behaviour), so the coefficients depend on
    feature scale. Cost: one fit on n x d (lbfgs). Pooling and input scale: see the module
    docstring.

    Parameters
    ----------
    log1p : {"auto", True, False}, default="auto"
        Apply ``log1p`` first (``"auto"``: only when ``X`` looks un-logged).
    rankby_abs : bool, default=False
        Rank each class by ``|coef|``.
    C : float, default=1.0
        Inverse L2 strength of the logistic regression.
    max_iter : int, default=1000
        Solver iterations (scikit-learn's default of 100 often stops short on omics data).
    """

    name = "logreg"
    scanpy_method = "logreg"

    _parameter_constraints: ClassVar[dict] = {
        **_PerClassMarkers._parameter_constraints,
        "C": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        log1p: bool | str = "auto",
        rankby_abs: bool = False,
        C: float = 1.0,
        max_iter: int = 1000,
        random_state=0,
        **constraints: Any,
    ) -> None:
        super().__init__(
            n_features_to_select,
            log1p=log1p,
            rankby_abs=rankby_abs,
            random_state=random_state,
            **constraints,
        )
        self.C = C
        self.max_iter = max_iter

    def _tool_kwargs(self) -> dict[str, Any]:
        return {"C": float(self.C), "max_iter": int(self.max_iter)}


@register
class CosgMarkers(_PerClassMarkers):
    """COSG cosine-similarity markers of each class (package ``cosg``), pooled by
    round-robin over classes.

    Optimises, per class, the cosine between a feature's expression vector and the class
    indicator, penalised by its similarity to the other classes (``mu``); designed for
    non-negative log-normalised expression where zeros mean "not expressed". On centred or
    z-scored data the cosine reduces to a class-mean contrast. Cost: one sparse/dense product
    O(n * d) plus O(d * n_classes log d) sorting. Reference: Dai, Pan & Chen, Briefings in
    Bioinformatics 2022. Pooling and input scale: see the module docstring.

    Parameters
    ----------
    log1p : {"auto", True, False}, default="auto"
        Apply ``log1p`` first (``"auto"``: only when ``X`` looks un-logged).
    mu : float, default=1.0
        COSG's penalty on expression in non-target classes (``mu >= 0``).
    remove_lowly_expressed : bool, default=True
        Drop, per class, features non-zero in fewer than ``expressed_pct`` of its samples.
    expressed_pct : float, default=0.1
        Threshold for ``remove_lowly_expressed``, in [0, 1].
    """

    name = "cosg"
    rankby_abs = False  # COSG's scores are non-negative similarities: not an option

    _parameter_constraints: ClassVar[dict] = {
        **_PerClassMarkers._parameter_constraints,  # its rankby_abs is not cosg's option
        "mu": [Interval(Real, 0, None, closed="left")],
        "remove_lowly_expressed": ["boolean"],
        "expressed_pct": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        n_features_to_select=None,
        *,
        log1p: bool | str = "auto",
        mu: float = 1.0,
        remove_lowly_expressed: bool = True,
        expressed_pct: float = 0.1,
        random_state=0,
        **constraints: Any,
    ) -> None:
        PanelSelector.__init__(self, n_features_to_select, random_state=random_state, **constraints)
        self.log1p = log1p
        self.mu = mu
        self.remove_lowly_expressed = remove_lowly_expressed
        self.expressed_pct = expressed_pct

    def _class_scores(self, adata: Any, n_classes: int) -> np.ndarray:
        cosg = import_peer("cosg", self.name)

        d = adata.n_vars
        cosg.cosg(
            adata,
            groupby=_GROUP_KEY,
            mu=float(self.mu),
            remove_lowly_expressed=self.remove_lowly_expressed,
            expressed_pct=float(self.expressed_pct),
            n_genes_user=d,
            key_added="seqattn_cosg",
            return_by_group=False,
            verbosity=0,
            device="cpu",
        )
        result = adata.uns["seqattn_cosg"]
        categories = list(adata.obs[_GROUP_KEY].cat.categories)
        return np.vstack([_uns_scores(result, g, d) for g in categories])
