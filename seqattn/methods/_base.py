"""The base class of every selection method, and the registry of their classes."""

from __future__ import annotations

import importlib
from numbers import Integral
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.feature_selection import SelectorMixin
from sklearn.utils._param_validation import Interval, InvalidParameterError, RealNotInt
from sklearn.utils.validation import check_is_fitted

from seqattn._constraints import (
    CONSTRAINTS,
    check_constraint_values,
    is_constrained,
    plan_panel,
    walk_blocks,
)
from seqattn._errors import SeqattnError
from seqattn._panel import (
    check_varying_size,
    check_X_y,
    panel_size,
    ranking_from_order,
    ranking_with_constant_last,
    seed_of,
    varying_columns,
)

#: Constructor parameters every selector has that are not method options: the panel size
#: and the seed are set apart (by ``ks`` and ``--seed`` in the workflow and the CLI).
FIXED_PARAMETERS = ("n_features_to_select", "random_state")
#: Constructor parameters every selector has that constrain the panel (blocks of columns,
#: their costs, a budget, exclusions, forced features): not method options, they are given
#: through ``make_selector(..., constraints=...)``; rules in :mod:`seqattn._constraints`.
CONSTRAINT_PARAMETERS: tuple[str, ...] = CONSTRAINTS

_REGISTRY: dict[str, type] = {}
#: Methods registered by a module that is imported on first use (it imports torch).
_LAZY: dict[str, str] = {}


class PanelSelector(SelectorMixin, BaseEstimator):
    """A feature-selection method as a scikit-learn selector.

    Subclasses set ``name`` and ``ordered``, list their options as keyword parameters of
    ``__init__`` (after ``n_features_to_select``, before ``random_state``; stored as given,
    as scikit-learn requires), declare them in ``_parameter_constraints`` and implement
    :meth:`_select`. Checks the constraints cannot express go in :meth:`_check_options`.
    Bad parameters raise :class:`~seqattn._errors.SeqattnError` at ``fit`` (and when the
    registry builds the selector, see :func:`make_selector`).

    Parameters
    ----------
    n_features_to_select : int, float or None, default=None
        Panel size; a float in (0, 1) is a fraction of the features; None selects half.
        With ``feature_groups`` it counts blocks; with a ``budget`` it is an upper limit
        (None: the budget alone).
    feature_groups : array-like of shape (n_features,), optional
        Block label of each column (None, NaN or "" = a block of its own): one candidate
        per block, a picked block brings all its columns. Needs ``supports_blocks``.
    feature_costs : array-like of shape (n_features,), optional
        Cost of each column (finite, >= 0; 1 each when None); a block costs the sum.
    budget : float, optional
        Most a panel may cost. Needs ``supports_budget``.
    exclude : sequence of int or str, or str, optional
        Columns never to select: indices, names, or one regular expression searched in the
        column names (e.g. ``"^KRT|^IG[HKL]V"``). Names need a DataFrame.
    preselected : sequence of int or str, optional
        Columns forced into the panel first (with their blocks); they count towards
        ``n_features_to_select`` and the budget. Peers do not condition on them: the panel
        is the preselected blocks, then the method's own order without them.
    random_state : int, RandomState or None, default=0
        Seed for anything random in the method.

    Attributes
    ----------
    selected_features_ : ndarray of int, shape (k,)
        Selected column indices, most important first.
    selection_scores_ : ndarray of float, shape (k,)
        The method's score of each selected feature (higher is more important).
    ranking_ : ndarray of int, shape (n_features,)
        1 for the first selected feature, ..., k for the last; the other features follow,
        by the method's own ranking where it has one, else in column order.
    n_features_in_ : int
    n_constant_features_ : int
        Columns of ``X`` without spread: left out of the panel (the method sees only the
        varying columns) and ranked last; one warning says how many. An X whose every
        column is constant is refused.
    feature_names_in_ : ndarray of str
        Only when ``X`` had string column names.
    selected_groups_ : list
        Label of each picked block in pick order (the column's name, else its index, for
        a column of its own).
    panel_cost_ : float
        Total cost of the panel's columns.
    excluded_features_ : ndarray of int
        Columns ``exclude`` named (never selected, ranked last).

    With ``feature_groups``, ``selected_features_`` lists the columns of each picked
    block together, ``selection_scores_`` gives each its block's score (the best score
    of its columns) and the columns of the j-th block all rank j.

    Notes
    -----
    Class attributes a method sets:

    name : str
        Registry name.
    ordered : bool
        True when the first ``j`` features of a ``k``-panel are the method's ``j``-panel
        (rankings and sequential methods), so accuracy-vs-k needs one fit at the largest k.
    supports_blocks, supports_budget : bool
        The method honours ``feature_groups`` / ``budget``: it returns a full ranking with
        scores, a block ranks by its best column, and with a budget the blocks are walked
        by score per unit cost (by rank alone when ``scores_are_gains`` is False) taking
        each that still fits. Others refuse the parameter in one line.
    scores_are_gains : bool
        The scores are comparable across features (so score / cost means something).
    constraint_limit : str
        Why a method without ``supports_blocks`` or ``supports_budget`` cannot honour them.

    Examples
    --------
    A method is ``_select`` plus a name (decorate the class with ``@register`` to add it to the
    registry; without it, the class is used directly):

    >>> import numpy as np
    >>> from seqattn.methods import PanelSelector, ranking_to_panel
    >>> class Spread(PanelSelector):  # features by their standard deviation (a toy method)
    ...     name = "spread"
    ...     def _select(self, X, y, k, *, random_state):
    ...         return ranking_to_panel(X.std(axis=0))  # a full ranking, best first
    >>> X = np.random.default_rng(0).normal(size=(40, 4)) * [1.0, 5.0, 2.0, 3.0]
    >>> sel = Spread(2).fit(X, np.arange(40) % 2)
    >>> sel.selected_features_, sel.ranking_
    (array([1, 3]), array([4, 1, 3, 2]))
    >>> sel.transform(X).shape  # scikit-learn's SelectorMixin: columns in input order
    (40, 2)
    """

    name: ClassVar[str] = ""
    ordered: ClassVar[bool] = True
    supports_blocks: ClassVar[bool] = False
    supports_budget: ClassVar[bool] = False
    scores_are_gains: ClassVar[bool] = True
    constraint_limit: ClassVar[str] = "selects a fixed number of single features"

    _parameter_constraints: ClassVar[dict] = {
        "n_features_to_select": [
            None,
            Interval(RealNotInt, 0, 1, closed="neither"),
            Interval(Integral, 1, None, closed="left"),
        ],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        n_features_to_select: int | float | None = None,
        *,
        feature_groups: Any = None,
        feature_costs: Any = None,
        budget: float | None = None,
        exclude: Any = None,
        preselected: Any = None,
        random_state=0,
    ):
        self.n_features_to_select = n_features_to_select
        self.feature_groups = feature_groups
        self.feature_costs = feature_costs
        self.budget = budget
        self.exclude = exclude
        self.preselected = preselected
        self.random_state = random_state

    @classmethod
    def _get_param_names(cls) -> list[str]:
        # Subclasses pass the constraint parameters on through ``**constraints``.
        return sorted(set(super()._get_param_names()) | set(CONSTRAINT_PARAMETERS))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.required = True  # supervised (variance and random ignore y)
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _check_params(self) -> None:
        """Validate the parameters: ``_parameter_constraints``, then :meth:`_check_options`.

        Raises
        ------
        SeqattnError
            Naming the method and the parameter.
        """
        try:
            self._validate_params()
        except InvalidParameterError as err:
            raise SeqattnError(f"{self.name}: {err}") from None
        self._check_options()
        check_constraint_values(self)
        for key, able in (("feature_groups", "supports_blocks"), ("budget", "supports_budget")):
            if getattr(self, key) is not None and not getattr(self, able):
                able_ones = sorted(
                    {n for n, c in _REGISTRY.items() if getattr(c, able, False)}
                    | {"sequential_attention"}
                )
                raise SeqattnError(
                    f"{self.name} cannot honour {key}: it {self.constraint_limit}; methods "
                    f"that can: {', '.join(able_ones)}"
                )

    def _check_options(self) -> None:
        """Checks ``_parameter_constraints`` cannot express (raise SeqattnError)."""

    def fit(self, X: Any, y: Any, groups: Any = None) -> PanelSelector:
        """Select ``n_features_to_select`` features of ``X`` for predicting ``y``.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix, shape (n_samples, n_features)
            Finite values (impute before selection); CSR is kept sparse.
        y : array-like, shape (n_samples,)
            Class labels of any dtype.
        groups : array-like, shape (n_samples,), optional
            Subject of each sample; accepted by every selector, used by those that hold
            samples out (ignored by this class).

        Returns
        -------
        self
        """
        self._check_params()
        X, y = check_X_y(self, X, y)
        n, d = X.shape
        if groups is not None and len(groups) != n:
            raise SeqattnError(f"{self.name}: X has {n} samples but groups has {len(groups)}")
        if is_constrained(self):
            return self._fit_constrained(X, y)
        k = panel_size(self.n_features_to_select, d)
        cols = varying_columns(self, X)  # constant columns never enter a panel
        if cols is not None:
            check_varying_size(self, k, cols, d)
            X = X[:, cols]
        order, scores = self._checked_select(X, y, k)
        if cols is not None:
            order = cols[order]
        self.selected_features_ = order[:k]
        self.selection_scores_ = scores[:k]
        self.ranking_ = (
            ranking_from_order(order, d)
            if cols is None
            else ranking_with_constant_last(order, cols, d)
        )
        names = getattr(self, "feature_names_in_", None)
        self.selected_groups_ = [
            str(names[j]) if names is not None else int(j) for j in self.selected_features_
        ]
        self.panel_cost_ = float(k)
        self.excluded_features_ = np.zeros(0, dtype=np.int64)
        return self

    def _fit_constrained(self, X: Any, y: Any) -> PanelSelector:
        """``fit`` with constraints: the method ranks the candidate columns, then the
        panel is walked block by block (:func:`seqattn._constraints.walk_blocks`)."""
        plan = plan_panel(self, X, getattr(self, "feature_names_in_", None))
        blocked = plan.grouped or plan.budget is not None
        m = len(plan.candidates)
        # A full ranking to walk blocks; else room for the preselected ones in the order.
        k_call = m if blocked else min(m, plan.cap + len(plan.forced))
        order, scores = self._checked_select(X[:, plan.candidates], y, k_call)
        position = np.full(m, np.inf)
        position[order] = np.arange(len(order))
        score = np.full(m, -np.inf)
        score[order] = np.nan_to_num(scores, nan=-np.inf)
        priority = np.array([position[mem].min() for mem in plan.members])
        gain = np.array([score[mem].max() for mem in plan.members])
        picked = walk_blocks(plan, priority, gain if self.scores_are_gains else None)
        columns = plan.columns(picked)
        self.selected_features_ = columns
        self.selection_scores_ = np.concatenate(
            [np.full(len(plan.members[b]), gain[b]) for b in picked]
        )
        self.ranking_ = plan.ranking(picked, np.argsort(priority, kind="stable"))
        self.selected_groups_ = plan.group_labels(picked, getattr(self, "feature_names_in_", None))
        self.panel_cost_ = float(plan.cost[picked].sum())
        return self

    def _checked_select(self, X: Any, y: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`_select` on ``X`` at the selector's seed, its result checked: at least
        ``k`` distinct columns of ``X`` with one score each (a RuntimeError otherwise)."""
        order, scores = self._select(X, y, k, random_state=seed_of(self.random_state))
        order = np.asarray(order, dtype=np.int64)
        scores = np.asarray(scores, dtype=np.float64)
        if (
            order.ndim != 1
            or not k <= len(order) <= X.shape[1]
            or scores.shape != order.shape
            or len(np.unique(order)) != len(order)
        ):
            raise RuntimeError(f"{self.name} returned a malformed panel: {order!r}")
        return order, scores

    def _select(
        self, X: Any, y: np.ndarray, k: int, *, random_state: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Method-specific selection on validated inputs.

        Returns ``(order, scores)``: at least ``k`` distinct column indices, most important
        first (a method with a full ranking may return all of them; the first ``k`` are
        the panel), and the score of each. Extras go in fitted attributes (``device_``,
        ``loss_curve_``, ...).
        """
        raise NotImplementedError

    def _get_support_mask(self) -> np.ndarray:
        check_is_fitted(self, "selected_features_")
        mask = np.zeros(self.n_features_in_, dtype=bool)
        mask[self.selected_features_] = True
        return mask


def register(cls: type) -> type:
    """Class decorator adding a selector class to the registry under ``cls.name``.

    Examples
    --------
    In a module of ``seqattn/methods/`` (imported by ``seqattn.methods``, so the decorator
    runs)::

        @register
        class Spread(PanelSelector):
            name = "spread"
            ...

    after which ``get_method("spread")``, ``make_selector("spread", k)``, ``seqattn select
    --method spread`` and the workflow know it. It returns the class unchanged:

    >>> from seqattn.methods import get_method, register
    >>> anova = get_method("anova")
    >>> register(anova) is anova  # registering again under its name changes nothing
    True
    """
    if not getattr(cls, "name", ""):
        raise TypeError(f"{cls.__name__} has no name")
    _REGISTRY[cls.name] = cls
    return cls


def register_module(name: str, module: str) -> None:
    """Register method ``name`` whose ``module`` (it imports torch) is imported on first use,
    so that listing the methods stays light.

    Examples
    --------
    What ``seqattn.methods`` does for Sequential Attention (torch is imported only when the
    method is first used, not when the methods are listed):

    >>> from seqattn.methods import available_methods, register_module
    >>> register_module("sequential_attention", "seqattn.methods.sequential_attention")
    >>> "sequential_attention" in available_methods()
    True
    """
    _LAZY[name] = module


def available_methods() -> list[str]:
    """Registered method names, sorted.

    Examples
    --------
    >>> from seqattn.methods import available_methods
    >>> methods = available_methods()
    >>> "sequential_attention" in methods, "anova" in methods, methods == sorted(methods)
    (True, True, True)
    """
    return sorted(set(_REGISTRY) | set(_LAZY))


def get_method(name: str) -> type:
    """The selector class registered as ``name``.

    Raises
    ------
    SeqattnError
        For an unknown name (the message lists the known ones).

    Examples
    --------
    >>> from seqattn.methods import get_method
    >>> cls = get_method("anova")
    >>> cls.name, cls.ordered
    ('anova', True)
    >>> get_method("anvoa")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    seqattn._errors.SeqattnError: unknown method 'anvoa'; known methods: ...
    """
    if name not in _REGISTRY and name in _LAZY:
        importlib.import_module(_LAZY[name])
    if name not in _REGISTRY:
        raise SeqattnError(
            f"unknown method {name!r}; known methods: {', '.join(available_methods())}"
        )
    return _REGISTRY[name]


def method_parameters(name: str) -> dict[str, Any]:
    """The options of method ``name`` and their defaults: its constructor parameters
    except :data:`FIXED_PARAMETERS` and :data:`CONSTRAINT_PARAMETERS`.

    Examples
    --------
    >>> from seqattn.methods import method_parameters
    >>> method_parameters("anova")
    {}
    >>> "epochs" in method_parameters("stg")
    True
    """
    params = get_method(name)().get_params(deep=False)
    skip = (*FIXED_PARAMETERS, *CONSTRAINT_PARAMETERS)
    return {key: value for key, value in params.items() if key not in skip}


def make_selector(
    name: str,
    n_features_to_select: int | float | None = None,
    options: dict[str, Any] | None = None,
    random_state: Any = 0,
    *,
    device: str | None = None,
    constraints: dict[str, Any] | None = None,
) -> Any:
    """Build method ``name`` with ``options``, its parameters checked now, not at ``fit``.

    ``device`` (e.g. a workflow-wide setting) is passed to a method that has a ``device``
    parameter, unless ``options`` sets one; other methods ignore it. ``constraints`` sets
    :data:`CONSTRAINT_PARAMETERS` (``feature_groups``, ``feature_costs``, ``budget``,
    ``exclude``, ``preselected``); a method that cannot honour one refuses it here.

    Raises
    ------
    SeqattnError
        One line for an unknown method (listing the known ones), an unknown option
        (listing the method's), a bad option value, an unknown constraint, or a constraint
        the method cannot honour.

    Examples
    --------
    >>> import numpy as np
    >>> from seqattn.methods import make_selector
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(60, 8))
    >>> y = (X[:, 2] - X[:, 5] > 0).astype(int)
    >>> selector = make_selector("anova", 2).fit(X, y)
    >>> sorted(selector.selected_features_.tolist())
    [2, 5]
    >>> make_selector("anova", 2, {"alpha": 1.0})
    Traceback (most recent call last):
    ...
    seqattn._errors.SeqattnError: anova: unknown option(s) alpha; its options are (none)
    """
    cls = get_method(name)
    options = dict(options or {})
    constraints = dict(constraints or {})
    known = method_parameters(name)
    unknown = sorted(set(constraints) - set(CONSTRAINT_PARAMETERS))
    if unknown:
        raise SeqattnError(
            f"{name}: unknown constraint(s) {', '.join(unknown)}; the constraints are "
            f"{', '.join(CONSTRAINT_PARAMETERS)}"
        )
    misplaced = [key for key in CONSTRAINT_PARAMETERS if key in options]
    if misplaced:
        raise SeqattnError(
            f"{name}: {', '.join(misplaced)} is a constraint, not an option; pass it in constraints"
        )
    fixed = [key for key in FIXED_PARAMETERS if key in options]
    if fixed:
        raise SeqattnError(
            f"{name}: {', '.join(fixed)} is not an option; the panel size and the seed are "
            "given apart (ks / n_features, and the seed)"
        )
    unknown = sorted(set(options) - set(known))
    if unknown:
        raise SeqattnError(
            f"{name}: unknown option(s) {', '.join(unknown)}; its options are "
            f"{', '.join(known) or '(none)'}"
        )
    if device is not None and "device" in known and "device" not in options:
        options["device"] = device
    selector = cls(n_features_to_select, random_state=random_state, **options, **constraints)
    check = getattr(selector, "_check_params", None)
    if check is not None:
        check()
    return selector


def ranking_to_panel(scores: np.ndarray, k: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The top ``k`` (default: all) indices of a per-feature score vector, best first, and
    their scores (ties broken by column order, NaN last).

    Examples
    --------
    >>> import numpy as np
    >>> from seqattn.methods import ranking_to_panel
    >>> order, scores = ranking_to_panel(np.array([0.2, np.nan, 0.9, 0.5]), k=2)
    >>> order.tolist(), scores.tolist()
    ([2, 3], [0.9, 0.5])
    >>> ranking_to_panel(np.array([0.2, np.nan, 0.9, 0.5]))[0].tolist()  # NaN last
    [2, 3, 0, 1]
    """
    scores = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=-np.inf)
    order = np.argsort(-scores, kind="stable")[:k]
    return order, scores[order]
