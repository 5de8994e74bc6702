"""Panel constraints by feature name: exclusions, blocks, costs, a budget, forced markers.

The selectors take their constraints as arrays and indices over the columns of ``X``
(``feature_groups``, ``feature_costs``, ``budget``, ``exclude``, ``preselected``; see
``seqattn.methods.make_selector``). Cross-validation selects on each training fold's
columns, which the fold transformer may thin out (completeness filters, HVG), so the
evaluate layer keeps the constraints by feature *name* (:class:`PanelConstraints`, checked
once against the data set's features) and turns them into the arrays of one fold's
columns (:meth:`PanelConstraints.for_features`) right before each fit.

Rules (each break is one :class:`~seqattn._errors.SeqattnError` line naming the setting):

- ``exclude``: a list of feature names, or one regular expression matched with
  ``re.search`` on every name; an unknown name, a bad expression or an exclusion that
  leaves no feature is refused. Excluded features never enter a panel, in any method or fold.
- ``feature_groups``: one label per feature (a ``.var`` column, a mapping by name or an
  array); missing labels (None, NaN, empty) make a feature its own block.
- ``feature_costs``: one cost per feature, finite and ``>= 0`` (a ``.var`` column, a
  mapping by name or an array). Every feature that is not excluded needs one; names the
  mapping has beyond the data's are ignored and counted.
- ``budget``: a positive number; the panel sizes become caps.
- ``preselected``: feature names forced into every panel first (never excluded ones).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from seqattn._constraints import compile_pattern
from seqattn._errors import SeqattnError

#: The constraint parameters, as the selectors name them.
CONSTRAINT_NAMES = ("feature_groups", "feature_costs", "budget", "exclude", "preselected")

#: How the user sets each constraint, per interface (errors name the setting to change).
SETTINGS = {
    "python": {name: name for name in CONSTRAINT_NAMES},
    "cli": {
        "exclude": "--exclude",
        "feature_groups": "--feature-groups",
        "feature_costs": "--costs",
        "budget": "--budget",
        "preselected": "--preselect",
    },
}


def config_settings(prefix: str) -> dict[str, str]:
    """The workflow's names of the settings, e.g. ``panel.costs`` for ``prefix="panel"``."""
    keys = {
        "exclude": "exclude",
        "feature_groups": "feature_groups",
        "feature_costs": "costs",
        "budget": "budget",
        "preselected": "preselected",
    }
    return {name: f"{prefix}.{key}" for name, key in keys.items()}


def _preview(names: Sequence[Any], n: int = 3) -> str:
    shown = ", ".join(repr(str(v)) for v in list(names)[:n])
    return shown + (", ..." if len(names) > n else "")


@dataclass(frozen=True)
class PanelConstraints:
    """Constraints on a panel, by feature name (see the module docstring for the rules).

    Build with :func:`resolve_constraints`; an empty instance constrains nothing.
    """

    exclude: tuple[str, ...] = ()
    exclude_pattern: str | None = None
    groups: Mapping[str, str] | None = None
    costs: Mapping[str, float] | None = None
    budget: float | None = None
    preselected: tuple[str, ...] = ()
    sources: Mapping[str, str] = field(default_factory=dict)
    n_costs_unmatched: int = 0
    settings: Mapping[str, str] = field(default_factory=lambda: dict(SETTINGS["python"]))

    @property
    def active(self) -> bool:
        """Whether anything is constrained."""
        return bool(
            self.exclude
            or self.groups
            or self.costs is not None
            or self.budget is not None
            or self.preselected
        )

    def group_of(self, feature: str) -> str:
        """The block label of ``feature`` (the feature itself when it has none)."""
        if self.groups and feature in self.groups:
            return self.groups[feature]
        return str(feature)

    def cost_of(self, feature: str) -> float:
        """The cost of ``feature`` (NaN without costs)."""
        if self.costs is None:
            return float("nan")
        return float(self.costs.get(feature, np.nan))

    def block_ranks(self, picked: Sequence[str]) -> np.ndarray:
        """The pick (1 = first) of the block of each feature of ``picked``, a panel in pick
        order: a block's members share it."""
        labels = [self.group_of(str(name)) for name in picked]
        first: dict[str, int] = {}
        for label in labels:
            first.setdefault(label, len(first) + 1)
        return np.array([first[label] for label in labels], dtype=np.int64)

    def for_features(self, features: Sequence[str]) -> dict[str, Any]:
        """The selector's constraint parameters over the columns named ``features`` (one
        fold's, after the fold transformer); only those that are set.

        Raises
        ------
        SeqattnError
            When a preselected feature is not among ``features`` (the fold preprocessing
            dropped it), or the exclusions leave none of them.
        """
        features = np.asarray(features).astype(str)
        position = {f: i for i, f in enumerate(features)}
        out: dict[str, Any] = {}
        if self.exclude:
            excluded = sorted(position[f] for f in self.exclude if f in position)
            if len(excluded) == len(features):
                raise SeqattnError(
                    f"{self.settings['exclude']} excludes all {len(features)} features this "
                    "fold's preprocessing keeps; exclude fewer"
                )
            if excluded:
                out["exclude"] = excluded
        if self.groups:
            labels = np.empty(len(features), dtype=object)
            labels[:] = None
            for i, name in enumerate(features):
                labels[i] = self.groups.get(name)
            out["feature_groups"] = labels
        if self.costs is not None:
            # an excluded feature may lack a cost; it never enters a panel
            out["feature_costs"] = np.array(
                [self.costs.get(name, 0.0) for name in features], dtype=np.float64
            )
        if self.budget is not None:
            out["budget"] = float(self.budget)
        if self.preselected:
            dropped = [f for f in self.preselected if f not in position]
            if dropped:
                raise SeqattnError(
                    f"{self.settings['preselected']}: {_preview(dropped)} dropped by this "
                    "fold's preprocessing (completeness filter or HVG selection); relax the "
                    f"filter or leave it out of {self.settings['preselected']}"
                )
            out["preselected"] = [position[f] for f in self.preselected]
        return out

    def record(self) -> dict[str, Any]:
        """A JSON-ready (and ``.h5ad``-storable) record of what was constrained."""
        out: dict[str, Any] = {}
        if self.exclude_pattern is not None:
            out["exclude_pattern"] = self.exclude_pattern
        if self.exclude:
            out["excluded"] = list(self.exclude)
            out["n_excluded"] = len(self.exclude)
        if self.groups:
            out["feature_groups"] = self.sources.get("feature_groups", "given")
            out["n_grouped_features"] = len(self.groups)
            out["n_groups"] = len(set(self.groups.values()))
        if self.costs is not None:
            out["feature_costs"] = self.sources.get("feature_costs", "given")
            if self.n_costs_unmatched:
                out["n_costs_unmatched"] = int(self.n_costs_unmatched)
        if self.budget is not None:
            out["budget"] = float(self.budget)
        if self.preselected:
            out["preselected"] = list(self.preselected)
        return out

    def describe(self) -> str:
        """One line for people: what is constrained (empty when nothing is)."""
        parts = []
        if self.exclude:
            how = f" (matching {self.exclude_pattern!r})" if self.exclude_pattern else ""
            parts.append(f"{len(self.exclude)} features excluded{how}")
        if self.groups:
            parts.append(
                f"blocks from {self.sources.get('feature_groups', 'feature_groups')} "
                f"({len(set(self.groups.values()))} blocks of {len(self.groups)} features)"
            )
        if self.costs is not None:
            parts.append(f"costs from {self.sources.get('feature_costs', 'feature_costs')}")
        if self.budget is not None:
            parts.append(f"budget {self.budget:g}")
        if self.preselected:
            parts.append(f"preselected {', '.join(self.preselected)}")
        return "; ".join(parts)


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value == ""


def _by_feature(
    value: Any, names: pd.Index, var: pd.DataFrame | None, setting: str, what: str
) -> tuple[pd.Series, str, int]:
    """``value`` (a ``var`` column key, a mapping/Series by name, or an array aligned with
    ``names``) as a Series over ``names``; also where it came from and how many mapped names
    are not features."""
    if isinstance(value, str):
        if var is None or value not in var.columns:
            known = ", ".join(map(str, [] if var is None else var.columns[:20])) or "(none)"
            raise SeqattnError(
                f"{setting}={value!r} is not a column of the features' var; choose one of: {known}"
            )
        column = var[value]
        return pd.Series(column.to_numpy(), index=names), f"var column {value!r}", 0
    if isinstance(value, Mapping | pd.Series):
        series = pd.Series(dict(value)) if isinstance(value, Mapping) else value.copy()
        series.index = series.index.astype(str)
        if series.index.duplicated().any():
            dup = series.index[series.index.duplicated()].unique()
            raise SeqattnError(f"{setting} gives {what} twice for {_preview(dup)}; give one each")
        unmatched = int((~series.index.isin(names)).sum())
        return series.reindex(names), "given by feature name", unmatched
    array = np.asarray(value, dtype=object)
    if array.ndim != 1 or len(array) != len(names):
        raise SeqattnError(
            f"{setting} has {array.size} values for {len(names)} features; give one {what} "
            "per feature (or a mapping by feature name)"
        )
    return pd.Series(array, index=names), "given per feature", 0


def _names(values: Any, names: pd.Index, setting: str) -> list[str]:
    """Feature names (or column positions) ``values`` as names, each checked."""
    if isinstance(values, str | bytes | int | np.integer):
        values = [values]
    out, unknown = [], []
    known = set(names)
    for item in values:
        if isinstance(item, int | np.integer) and not isinstance(item, bool):
            if not 0 <= int(item) < len(names):
                raise SeqattnError(
                    f"{setting}: column {int(item)} is out of range for {len(names)} features"
                )
            out.append(str(names[int(item)]))
        elif str(item) in known:
            out.append(str(item))
        else:
            unknown.append(str(item))
    if unknown:
        raise SeqattnError(
            f"{setting}: {len(unknown)} name(s) not among the {len(names)} features "
            f"({_preview(unknown)}); check the spelling against var_names"
        )
    return list(dict.fromkeys(out))


def resolve_constraints(
    features: Sequence[str],
    *,
    exclude: str | Sequence[str | int] | None = None,
    feature_groups: Any = None,
    feature_costs: Any = None,
    budget: float | None = None,
    preselected: Sequence[str | int] | None = None,
    var: pd.DataFrame | None = None,
    settings: Mapping[str, str] | None = None,
) -> PanelConstraints:
    """Check panel constraints against the data set's features and keep them by name.

    Parameters
    ----------
    features : sequence of str
        The data set's feature names (``var_names``), before any fold preprocessing.
    exclude : str or sequence of str/int, optional
        One regular expression (``re.search`` on each name), or names (or positions).
    feature_groups, feature_costs : str, mapping, Series or array, optional
        A column of ``var``, a mapping by feature name, or one value per feature.
    budget : float, optional
        Positive; the panel sizes become caps.
    preselected : sequence of str/int, optional
        Names (or positions) forced in first.
    var : DataFrame, optional
        The features' annotation (``adata.var``), for column keys.
    settings : mapping, optional
        How the caller names each setting in errors (:data:`SETTINGS`, :func:`config_settings`).

    Returns
    -------
    PanelConstraints

    Raises
    ------
    SeqattnError
        One line naming the setting: an unknown name or column, a bad expression, an
        exclusion of every feature, a missing/negative/non-finite cost, ``budget <= 0``,
        a preselected feature that is also excluded.
    """
    names = pd.Index(np.asarray(features).astype(str))
    say = dict(SETTINGS["python"])
    say.update(settings or {})
    sources: dict[str, str] = {}

    excluded: list[str] = []
    pattern = None
    if exclude is not None:
        if isinstance(exclude, str):
            pattern = exclude
            regex = compile_pattern(exclude, say["exclude"])
            excluded = [n for n in names if regex.search(n)]
        else:
            excluded = _names(exclude, names, say["exclude"])
        if len(excluded) == len(names):
            raise SeqattnError(
                f"{say['exclude']} excludes all {len(names)} features, leaving nothing to "
                "select; narrow it"
            )
    gone = set(excluded)

    groups = None
    if feature_groups is not None:
        series, sources["feature_groups"], _ = _by_feature(
            feature_groups, names, var, say["feature_groups"], "group label"
        )
        groups = {n: str(v) for n, v in series.items() if not _missing(v) and not pd.isna(v)}

    costs = None
    unmatched = 0
    if feature_costs is not None:
        series, sources["feature_costs"], unmatched = _by_feature(
            feature_costs, names, var, say["feature_costs"], "cost"
        )
        values = pd.to_numeric(series, errors="coerce")
        bad_text = series.notna() & values.isna()
        if bad_text.any():
            raise SeqattnError(
                f"{say['feature_costs']}: cost of {_preview(series.index[bad_text])} is not a "
                "number; give numbers"
            )
        lacking = [n for n in names[values.isna().to_numpy()] if n not in gone]
        if lacking:
            hint = (
                f"; {unmatched} of its names match no feature (names differ?)" if unmatched else ""
            )
            raise SeqattnError(
                f"{say['feature_costs']} gives no cost for {len(lacking)} of the "
                f"{len(names)} features ({_preview(lacking)}){hint}; give every feature that "
                f"is not excluded a cost"
            )
        finite = values.dropna()
        wrong = finite[~np.isfinite(finite) | (finite < 0)]
        if len(wrong):
            raise SeqattnError(
                f"{say['feature_costs']}: costs must be finite and >= 0; "
                f"{wrong.index[0]!r} costs {wrong.iloc[0]!r}"
            )
        costs = {n: float(v) for n, v in finite.items()}

    if budget is not None:
        try:
            value = float(budget)
        except (TypeError, ValueError):
            raise SeqattnError(f"{say['budget']}={budget!r} is not a number") from None
        if not np.isfinite(value) or value <= 0:
            raise SeqattnError(f"{say['budget']}={budget!r} must be a positive number")
        budget = value

    forced: list[str] = []
    if preselected is not None:
        forced = _names(preselected, names, say["preselected"])
        clash = [f for f in forced if f in gone]
        if clash:
            raise SeqattnError(
                f"{say['preselected']} names {_preview(clash)}, which "
                f"{say['exclude']} excludes; drop one of the two"
            )
    return PanelConstraints(
        exclude=tuple(excluded),
        exclude_pattern=pattern,
        groups=groups or None,
        costs=costs,
        budget=budget,
        preselected=tuple(forced),
        sources=sources,
        n_costs_unmatched=unmatched,
        settings=say,
    )


def constraints_for_adata(
    adata: Any,
    constraints: PanelConstraints | Mapping[str, Any] | None,
    *,
    settings: Mapping[str, str] | None = None,
) -> PanelConstraints:
    """``constraints`` checked against ``adata``'s features (column keys read from its
    ``var``); a :class:`PanelConstraints` is checked for unknown names only."""
    if constraints is None:
        return PanelConstraints()
    if isinstance(constraints, PanelConstraints):
        return constraints
    unknown = sorted(set(constraints) - set(CONSTRAINT_NAMES))
    if unknown:
        raise SeqattnError(
            f"unknown constraint(s) {', '.join(unknown)}; the constraints are "
            f"{', '.join(CONSTRAINT_NAMES)}"
        )
    return resolve_constraints(
        adata.var_names, var=adata.var, settings=settings, **dict(constraints)
    )
