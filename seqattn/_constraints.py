"""Panel constraints shared by every selector: exclusions, blocks, costs, a budget, forced
features.

A leaf utility (imports numpy and ``seqattn._errors``/``seqattn._panel`` only), so that
:class:`seqattn.SequentialAttentionSelector` and the peer selectors resolve the
constraints the same way.

The rules:

- a column is a *candidate* when it varies and is not excluded; the method sees only the
  candidates, the other columns rank last and never enter a panel;
- ``feature_groups`` gives each column a block label (None, NaN or "" = a block of its
  own); a block is one candidate, a picked block brings all its candidate columns, and
  ``n_features_to_select`` counts blocks (a fraction is of all blocks);
- a block costs the sum of its candidate columns' ``feature_costs`` (1 per column by
  default);
- with a ``budget``, ``n_features_to_select`` is an upper limit (None: the budget only) and
  each pick is the candidate that fits what is left with the largest gain per unit cost;
  a zero-cost block counts as costing the smallest positive block cost present (1 when
  every block is free), so free blocks come first without dividing by zero;
- ``preselected`` features bring their blocks into the panel first, in the order given;
  they count towards ``n_features_to_select`` and the budget.
"""

from __future__ import annotations

import numbers
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from seqattn._errors import SeqattnError
from seqattn._panel import panel_size, varying_columns

#: The constructor parameters that constrain a panel (not method options).
CONSTRAINTS = ("feature_groups", "feature_costs", "budget", "exclude", "preselected")


def is_constrained(estimator: Any) -> bool:
    """True when any constraint parameter of ``estimator`` is set (not None)."""
    return any(getattr(estimator, key, None) is not None for key in CONSTRAINTS)


def _who(estimator: Any) -> str:
    return getattr(estimator, "name", "") or type(estimator).__name__


def _shown(items: list) -> str:
    return ", ".join(repr(i) for i in items[:5]) + (" ..." if len(items) > 5 else "")


def check_budget(budget: Any, who: str) -> float | None:
    """``budget`` as a float (None stays None); positive and finite."""
    if budget is None:
        return None
    if isinstance(budget, bool) or not isinstance(budget, numbers.Real) or not 0 < budget < np.inf:
        raise SeqattnError(
            f"{who}: budget={budget!r} must be a positive finite number or None (no budget)"
        )
    return float(budget)


def check_constraint_values(estimator: Any) -> None:
    """What can be checked before ``X`` is seen: the budget, the costs' values and the
    regular expression of ``exclude`` (one line each)."""
    who = _who(estimator)
    check_budget(getattr(estimator, "budget", None), who)
    costs = getattr(estimator, "feature_costs", None)
    if costs is not None:
        column_costs(costs, len(costs) if hasattr(costs, "__len__") else -1, who)
    exclude = getattr(estimator, "exclude", None)
    if isinstance(exclude, str):
        compile_pattern(exclude, f"{who}: exclude")


def feature_indices(items: Any, d: int, names: Any, who: str, what: str) -> list[int]:
    """Column indices of ``items`` (ints, or names of ``names``), in the order given.

    Raises
    ------
    SeqattnError
        For a name without column names, an unknown name, an index out of range or an
        item that is neither.
    """
    if isinstance(items, str | numbers.Integral):
        items = [items]
    lookup = None if names is None else {str(n): i for i, n in enumerate(names)}
    out: list[int] = []
    for item in items:
        if isinstance(item, str):
            if lookup is None:
                raise SeqattnError(
                    f"{who}: {what} names {item!r} but X has no column names; fit on a "
                    "DataFrame or pass column indices"
                )
            if item not in lookup:
                raise SeqattnError(
                    f"{who}: {what} feature {item!r} is not a column name of X; check the "
                    "spelling or pass a column index"
                )
            out.append(lookup[item])
        elif isinstance(item, numbers.Integral) and not isinstance(item, bool | np.bool_):
            if not 0 <= int(item) < d:
                raise SeqattnError(
                    f"{who}: {what} index {int(item)} is out of range for {d} features; "
                    f"use indices in [0, {d})"
                )
            out.append(int(item))
        else:
            raise SeqattnError(
                f"{who}: {what} holds {item!r}; give column indices (int) or names (str)"
            )
    return out


def compile_pattern(pattern: str, setting: str, sep: str = "=") -> re.Pattern:
    """``re.compile(pattern)``; a bad pattern is one line naming ``setting`` (the parameter,
    CLI flag or config key that gave it; ``sep`` joins the two, ``" "`` for a flag)."""
    try:
        return re.compile(pattern)
    except re.error as err:
        raise SeqattnError(
            f"{setting}{sep}{pattern!r} is not a valid regular expression ({err})"
        ) from None


def excluded_mask(exclude: Any, d: int, names: Any, who: str) -> np.ndarray:
    """Boolean mask of the columns ``exclude`` names: None, indices/names, or one str (a
    regular expression searched in every column name)."""
    mask = np.zeros(d, dtype=bool)
    if exclude is None:
        return mask
    if isinstance(exclude, str):
        if names is None:
            raise SeqattnError(
                f"{who}: exclude={exclude!r} is a regular expression on column names but X "
                "has none; fit on a DataFrame or pass column indices"
            )
        pattern = compile_pattern(exclude, f"{who}: exclude")
        mask[[i for i, n in enumerate(names) if pattern.search(str(n))]] = True
        return mask
    mask[feature_indices(list(exclude), d, names, who, "exclude")] = True
    return mask


class _Own(int):
    """The label of a column that forms a block of its own (its column index)."""


def _alone(label: Any) -> bool:
    """None, NaN (or pandas' NA) and "" mean a column forms a block of its own."""
    if label is None:
        return True
    if isinstance(label, str):
        return label == ""
    try:
        return bool(label != label)
    except TypeError:  # pandas.NA
        return True


def block_labels(feature_groups: Any, d: int, who: str) -> tuple[np.ndarray, list]:
    """Block id of every column (0..B-1, in order of first appearance) and the label of
    each block (the column index for a column of its own)."""
    if feature_groups is None:
        return np.arange(d), [_Own(i) for i in range(d)]
    labels = list(feature_groups.tolist() if hasattr(feature_groups, "tolist") else feature_groups)
    if len(labels) != d:
        raise SeqattnError(
            f"{who}: feature_groups has {len(labels)} labels for {d} features; give one "
            "label per column (None for a column of its own)"
        )
    ids: dict[Any, int] = {}
    block = np.empty(d, dtype=np.int64)
    out: list = []
    for i, label in enumerate(labels):
        alone = _alone(label)
        key = ("__own__", i) if alone else label
        try:
            b = ids.setdefault(key, len(ids))
        except TypeError:
            raise SeqattnError(
                f"{who}: feature_groups label {label!r} is not hashable; use str or int labels"
            ) from None
        if b == len(out):
            out.append(_Own(i) if alone else label)
        block[i] = b
    return block, out


def column_costs(feature_costs: Any, d: int, who: str) -> np.ndarray:
    """Cost of every column (1 each when None); finite and >= 0."""
    if feature_costs is None:
        return np.ones(d)
    try:
        costs = np.asarray(feature_costs, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise SeqattnError(f"{who}: feature_costs must be numbers, one per column") from None
    if costs.shape != (d,):
        raise SeqattnError(
            f"{who}: feature_costs has {costs.size} values for {d} features; give one cost "
            "per column"
        )
    if not np.all(np.isfinite(costs) & (costs >= 0)):
        bad = np.flatnonzero(~(np.isfinite(costs) & (costs >= 0)))[:5].tolist()
        raise SeqattnError(
            f"{who}: feature_costs must be finite and >= 0 (columns {bad}); give 0 for a "
            "free column and exclude one that cannot be bought"
        )
    return costs


def effective_costs(cost: np.ndarray) -> np.ndarray:
    """The cost a gain is divided by: a zero cost counts as the smallest positive cost
    present (1 when every cost is zero)."""
    cost = np.asarray(cost, dtype=np.float64)
    positive = cost[cost > 0]
    floor = positive.min() if positive.size else 1.0
    return np.where(cost > 0, cost, floor)


def _tolerance(budget: float) -> float:
    return 1e-9 * max(1.0, abs(budget))


@dataclass
class Plan:
    """The resolved constraints of one fit.

    Attributes
    ----------
    candidates : ndarray of int
        Columns the method sees (varying, not excluded), ascending.
    excluded : ndarray of int
        Excluded columns.
    block : ndarray of int, shape (len(candidates),)
        Block id (0..B-1) of each candidate column.
    labels : list
        Label of each candidate block.
    cost : ndarray of float, shape (B,)
        Cost of each candidate block.
    forced : list of int
        Blocks forced first (from ``preselected``), in order.
    cap : int or None
        Most blocks in the panel (None: the budget alone limits it).
    budget : float or None
    grouped : bool
        ``feature_groups`` was given.
    """

    d: int
    candidates: np.ndarray
    excluded: np.ndarray
    block: np.ndarray
    labels: list
    cost: np.ndarray
    forced: list[int]
    cap: int | None
    budget: float | None
    grouped: bool
    members: list[np.ndarray] = field(default_factory=list)

    @property
    def n_blocks(self) -> int:
        return len(self.labels)

    def columns(self, blocks: Any) -> np.ndarray:
        """Columns of X (full indexing) of ``blocks``, block after block."""
        parts = [self.candidates[self.members[b]] for b in blocks]
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)

    def max_picks(self) -> int:
        """Upper bound on the blocks a panel can hold (forced ones included)."""
        limit = self.n_blocks if self.cap is None else self.cap
        if self.budget is None:
            return limit
        left = self.budget - float(self.cost[self.forced].sum())
        rest = np.sort(np.delete(self.cost, self.forced))
        fits = int(np.searchsorted(np.cumsum(rest), left + _tolerance(self.budget), "right"))
        return min(limit, len(self.forced) + fits)

    def ranking(self, picked: Any, rest: Any) -> np.ndarray:
        """``ranking_``: the columns of the j-th picked block rank j, the other candidate
        blocks follow in ``rest`` order (one rank per block), then every other column
        in column order."""
        blocks = [*picked, *[b for b in rest if b not in set(picked)]]
        ranking = np.empty(self.d, dtype=np.int64)
        outside = np.setdiff1d(np.arange(self.d), self.candidates)
        for r, b in enumerate(blocks, start=1):
            ranking[self.candidates[self.members[b]]] = r
        ranking[outside] = np.arange(len(blocks) + 1, len(blocks) + 1 + len(outside))
        return ranking

    def group_labels(self, blocks: Any, names: Any) -> list:
        """Labels of ``blocks``: the group label, or the column's name/index for a column
        of its own (every block without ``feature_groups``)."""
        out = []
        for b in blocks:
            label = self.labels[b]
            if isinstance(label, _Own):
                col = int(self.candidates[self.members[b][0]])
                label = str(names[col]) if names is not None else col
            out.append(label)
        return out


def plan_panel(estimator: Any, X: Any, names: Any = None) -> Plan:
    """Resolve ``estimator``'s constraint parameters against ``X`` (validated input).

    Sets ``estimator.n_constant_features_`` (with the one warning of
    :func:`seqattn._panel.varying_columns`) and ``estimator.excluded_features_``.

    Raises
    ------
    SeqattnError
        One line for each bad constraint: lengths, costs, an unknown name, a regular
        expression without names, every column excluded, a preselected feature that is
        excluded or constant, a panel or budget that cannot be met.
    """
    who = _who(estimator)
    d = X.shape[1]
    groups = getattr(estimator, "feature_groups", None)
    budget = check_budget(getattr(estimator, "budget", None), who)
    costs = column_costs(getattr(estimator, "feature_costs", None), d, who)
    block_all, labels_all = block_labels(groups, d, who)
    excluded = excluded_mask(getattr(estimator, "exclude", None), d, names, who)
    estimator.excluded_features_ = np.flatnonzero(excluded)
    if excluded.all():
        raise SeqattnError(
            f"{who}: exclude removes all {d} features, so nothing is left to select; exclude fewer"
        )
    varying = varying_columns(estimator, X)
    keep = ~excluded
    if varying is not None:
        constant = np.ones(d, dtype=bool)
        constant[varying] = False
        keep &= ~constant
    else:
        constant = np.zeros(d, dtype=bool)
    if not keep.any():
        raise SeqattnError(
            f"{who}: every feature is excluded ({int(excluded.sum())}) or constant "
            f"({int(constant.sum())}); nothing is left to select"
        )
    candidates = np.flatnonzero(keep)
    cand_blocks, block = np.unique(block_all[candidates], return_inverse=True)
    labels = [labels_all[b] for b in cand_blocks]
    members = [np.flatnonzero(block == b) for b in range(len(cand_blocks))]
    cost = np.array([costs[candidates[m]].sum() for m in members], dtype=np.float64)

    preselected = getattr(estimator, "preselected", None)
    forced: list[int] = []
    if preselected is not None:
        chosen = feature_indices(preselected, d, names, who, "preselected")
        if len(set(chosen)) != len(chosen):
            raise SeqattnError(f"{who}: preselected lists a feature twice; give each once")
        bad_ex = [c for c in chosen if excluded[c]]
        if bad_ex:
            raise SeqattnError(
                f"{who}: preselected feature(s) {_shown(bad_ex)} are also excluded; drop "
                "them from one of the two"
            )
        bad_const = [c for c in chosen if constant[c]]
        if bad_const:
            raise SeqattnError(
                f"{who}: preselected feature(s) {_shown(bad_const)} are constant in X, so "
                "they cannot enter a panel; drop them from preselected"
            )
        position = np.full(d, -1, dtype=np.int64)
        position[candidates] = np.arange(len(candidates))
        for c in chosen:
            b = int(block[position[c]])
            if b not in forced:
                forced.append(b)

    n_all = len(labels_all)
    unit = "blocks" if groups is not None else "features"
    nfs = getattr(estimator, "n_features_to_select", None)
    if budget is not None and nfs is None:
        cap = None
    else:
        try:
            cap = panel_size(nfs, n_all)
        except SeqattnError:
            raise SeqattnError(
                f"{who}: n_features_to_select={nfs!r} must be an int in [1, {n_all}], a "
                f"fraction in (0, 1) or None ({unit} of X: {n_all})"
            ) from None
        if budget is None and cap > len(labels):
            raise SeqattnError(
                f"{who}: n_features_to_select={cap} but only {len(labels)} {unit} are "
                f"candidates (the others are excluded or constant); select at most "
                f"{len(labels)}"
            )
        if budget is not None:
            cap = min(cap, len(labels))
    if forced and cap is not None and len(forced) > cap:
        raise SeqattnError(
            f"{who}: {len(forced)} preselected {unit} exceed n_features_to_select={cap}; "
            "raise n_features_to_select or preselect fewer"
        )
    if budget is not None:
        spent = float(cost[forced].sum())
        if spent > budget + _tolerance(budget):
            raise SeqattnError(
                f"{who}: the preselected features cost {spent:g}, over budget={budget:g}; "
                "raise the budget or preselect fewer"
            )
        if not forced and float(cost.min()) > budget + _tolerance(budget):
            raise SeqattnError(
                f"{who}: budget={budget:g} is below the cheapest candidate's cost "
                f"({float(cost.min()):g}); raise the budget"
            )
    return Plan(
        d=d,
        candidates=candidates,
        excluded=np.flatnonzero(excluded),
        block=block,
        labels=labels,
        cost=cost,
        forced=forced,
        cap=cap,
        budget=budget,
        grouped=groups is not None,
        members=members,
    )


def walk_blocks(plan: Plan, priority: np.ndarray, gain: np.ndarray | None) -> list[int]:
    """The panel's blocks in pick order from a static ranking of the candidate blocks.

    ``priority`` is every block's rank in the method's order (0 = best); ``gain`` its
    score, or None when the scores are not comparable across features. Forced blocks
    come first; then, without a budget, the best blocks by ``priority`` up to the cap;
    with one, the block with the largest ``gain`` per (effective) cost among those that
    still fit (by ``priority`` without ``gain``), until none fits or the cap is reached.
    Scores do not change between picks, so this is a walk down one sorted list.
    """
    picked = list(plan.forced)
    taken = set(picked)
    cap = plan.n_blocks if plan.cap is None else plan.cap
    if plan.budget is None or gain is None:
        order = np.argsort(priority, kind="stable")
    else:
        ratio = np.nan_to_num(np.asarray(gain, float), nan=-np.inf) / effective_costs(plan.cost)
        order = np.lexsort((priority, -ratio))
    left = None if plan.budget is None else plan.budget - float(plan.cost[picked].sum())
    for b in order:
        if len(picked) >= cap:
            break
        b = int(b)
        if b in taken or not np.isfinite(priority[b]):
            continue
        if left is not None:
            if plan.cost[b] > left + _tolerance(plan.budget):
                continue
            left -= float(plan.cost[b])
        picked.append(b)
        taken.add(b)
    return picked


__all__ = [
    "CONSTRAINTS",
    "Plan",
    "effective_costs",
    "excluded_mask",
    "feature_indices",
    "is_constrained",
    "plan_panel",
    "walk_blocks",
]
