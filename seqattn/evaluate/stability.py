"""How stable are the panels: selection frequency, Jaccard and Kuncheva between fold panels.

Inputs are *long panel tables*: panel tables with the identity of each fit added, columns
``dataset, method, repeat, fold, n_features, panel_k, rank, feature, score`` (see
:func:`label_panel`). The k-panel of a fit follows the panel-table rule (smallest block with
``panel_k >= k``, ranks ``<= k``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn._tables import (
    METHOD_SIMILARITY_COLUMNS,
    PANEL_COLUMNS,
    SELECTION_FREQUENCY_COLUMNS,
    STABILITY_COLUMNS,
)
from seqattn.evaluate.panels import panel_for_k

FIT_KEYS = ["dataset", "method", "repeat", "fold"]
LONG_PANEL_COLUMNS = [*FIT_KEYS, "n_features", *PANEL_COLUMNS]


def label_panel(panel: pd.DataFrame, meta: Mapping[str, Any], dataset: str = "") -> pd.DataFrame:
    """A panel table with its fit's identity (from the sidecar ``meta``) as columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from seqattn.evaluate import label_panel
    >>> panel = pd.DataFrame({"panel_k": 2, "rank": [1, 2], "feature": ["CD3E", "MS4A1"],
    ...                       "score": [0.9, 0.4]})
    >>> meta = {"method": "anova", "repeat": 0, "fold": 1, "n_features": 765}
    >>> label_panel(panel, meta, dataset="pbmc")
      dataset method  repeat  fold  n_features  panel_k  rank feature  score
    0    pbmc  anova       0     1         765        2     1    CD3E    0.9
    1    pbmc  anova       0     1         765        2     2   MS4A1    0.4
    """
    out = panel[PANEL_COLUMNS].copy()
    out.insert(0, "n_features", meta.get("n_features", np.nan))
    out.insert(0, "fold", meta.get("fold"))
    out.insert(0, "repeat", meta.get("repeat"))
    out.insert(0, "method", meta.get("method", ""))
    out.insert(0, "dataset", dataset or meta.get("dataset", ""))
    return out


def kuncheva_index(a: set, b: set, n_features: float | None) -> float:
    """Kuncheva's consistency index of two equal-size subsets of ``n_features`` features.

    ``(r d - k^2) / (k (d - k))`` with ``r = |a & b|``: 0 for the overlap expected by chance,
    1 for identical subsets (Kuncheva 2007). NaN when undefined (``k = 0`` or ``k = d``).

    Examples
    --------
    >>> from seqattn.evaluate import kuncheva_index
    >>> kuncheva_index({"a", "b"}, {"a", "b"}, 10)
    1.0
    >>> round(kuncheva_index({"a", "b"}, {"a", "c"}, 10), 3)  # one of two shared
    0.375
    >>> kuncheva_index({"a", "b"}, {"c", "d"}, 4)  # none shared, chance shares one
    -1.0
    """
    k = len(a)
    if len(b) != k:
        raise ValueError("Kuncheva's index needs subsets of equal size")
    if n_features is None or np.isnan(float(n_features)):
        return float("nan")
    d = int(n_features)
    if k == 0 or k >= d:
        return float("nan")
    r = len(a & b)
    return (r * d - k * k) / (k * (d - k))


def jaccard_index(a: set, b: set) -> float:
    """``|a & b| / |a | b|`` (NaN for two empty sets).

    Examples
    --------
    >>> from seqattn.evaluate import jaccard_index
    >>> round(jaccard_index({"a", "b"}, {"a", "c"}), 3)
    0.333
    """
    union = len(a | b)
    return len(a & b) / union if union else float("nan")


def panel_sizes(panels: pd.DataFrame, ks: Iterable[int] | None) -> list[int]:
    """``ks`` sorted, or every block size present in ``panels``."""
    if ks is not None:
        return sorted({int(k) for k in ks})
    return sorted(int(k) for k in panels["panel_k"].unique())


def k_panel_sets(panels: pd.DataFrame, ks: Iterable[int] | None = None) -> pd.DataFrame:
    """One row per fold fit and k: ``dataset, method, repeat, fold, k, n_features, features``.

    Only fold fits (``fold`` not missing) are kept: the final panel is not a resample. A fit
    whose panel is smaller than k is skipped for that k.
    """
    _check_long(panels)
    fold_fits = panels[panels["fold"].notna()]
    rows = []
    for key, fit in fold_fits.groupby(FIT_KEYS, sort=True, dropna=False):
        largest = int(fit["panel_k"].max())
        d = fit["n_features"].iloc[0]
        for k in panel_sizes(panels, ks):
            if k > largest:
                continue
            rows.append((*key, k, d, frozenset(panel_for_k(fit, k))))
    return pd.DataFrame(rows, columns=[*FIT_KEYS, "k", "n_features", "features"])


def selection_frequency(panels: pd.DataFrame, ks: Iterable[int] | None = None) -> pd.DataFrame:
    """Fraction of fold panels (all repeats and folds) that contain each feature.

    Returns
    -------
    DataFrame
        ``dataset, method, k, feature, frequency``; only features selected at least once,
        highest frequency first.

    Examples
    --------
    >>> import pandas as pd
    >>> from seqattn.evaluate import label_panel, selection_frequency
    >>> def fit(method, fold, features):  # one fold's panel, labelled as the workflow does
    ...     panel = pd.DataFrame({"panel_k": 2, "rank": [1, 2], "feature": features,
    ...                           "score": [1.0, 0.5]})
    ...     meta = {"method": method, "repeat": 0, "fold": fold, "n_features": 10}
    ...     return label_panel(panel, meta, dataset="demo")
    >>> panels = pd.concat([fit("anova", 0, ["A", "B"]), fit("anova", 1, ["A", "C"]),
    ...                     fit("t-test", 0, ["A", "B"]), fit("t-test", 1, ["B", "C"])])
    >>> selection_frequency(panels, ks=[2]).query("method == 'anova'")
      dataset method  k feature  frequency
    0    demo  anova  2       A        1.0
    1    demo  anova  2       B        0.5
    2    demo  anova  2       C        0.5
    """
    sets = k_panel_sets(panels, ks)
    rows = []
    for (dataset, method, k), group in sets.groupby(["dataset", "method", "k"], sort=True):
        counts = pd.Series([f for s in group["features"] for f in s]).value_counts()
        freq = counts / len(group)
        for feature, value in freq.items():
            rows.append((dataset, method, k, feature, float(value)))
    out = pd.DataFrame(rows, columns=SELECTION_FREQUENCY_COLUMNS)
    return out.sort_values(
        ["dataset", "method", "k", "frequency", "feature"],
        ascending=[True, True, True, False, True],
        ignore_index=True,
    )


def stability(panels: pd.DataFrame, ks: Iterable[int] | None = None) -> pd.DataFrame:
    """Mean pairwise Jaccard and Kuncheva index between the fold panels of each method.

    All pairs of fold fits (across folds and repeats) enter; NaN with fewer than two fits.

    Returns
    -------
    DataFrame
        ``dataset, method, k, jaccard_mean, kuncheva_mean``.

    Examples
    --------
    >>> import pandas as pd
    >>> from seqattn.evaluate import label_panel, stability
    >>> def fit(method, fold, features):  # one fold's panel, labelled as the workflow does
    ...     panel = pd.DataFrame({"panel_k": 2, "rank": [1, 2], "feature": features,
    ...                           "score": [1.0, 0.5]})
    ...     meta = {"method": method, "repeat": 0, "fold": fold, "n_features": 10}
    ...     return label_panel(panel, meta, dataset="demo")
    >>> panels = pd.concat([fit("anova", 0, ["A", "B"]), fit("anova", 1, ["A", "C"]),
    ...                     fit("t-test", 0, ["A", "B"]), fit("t-test", 1, ["B", "C"])])
    >>> stability(panels).round(3)
      dataset  method  k  jaccard_mean  kuncheva_mean
    0    demo   anova  2         0.333          0.375
    1    demo  t-test  2         0.333          0.375
    """
    sets = k_panel_sets(panels, ks)
    rows = []
    for (dataset, method, k), group in sets.groupby(["dataset", "method", "k"], sort=True):
        jac, kun = _pairwise(group["features"].tolist(), group["n_features"].tolist())
        rows.append((dataset, method, k, jac, kun))
    return pd.DataFrame(rows, columns=STABILITY_COLUMNS)


def method_similarity(panels: pd.DataFrame, ks: Iterable[int] | None = None) -> pd.DataFrame:
    """How alike two methods' panels are on the same training fold, averaged over folds.

    Returns
    -------
    DataFrame
        ``dataset, k, method_a, method_b, jaccard, kuncheva``; one row per unordered pair
        (``method_a < method_b``), means over the (repeat, fold) fits both methods have.

    Examples
    --------
    >>> import pandas as pd
    >>> from seqattn.evaluate import label_panel, method_similarity
    >>> def fit(method, fold, features):  # one fold's panel, labelled as the workflow does
    ...     panel = pd.DataFrame({"panel_k": 2, "rank": [1, 2], "feature": features,
    ...                           "score": [1.0, 0.5]})
    ...     meta = {"method": method, "repeat": 0, "fold": fold, "n_features": 10}
    ...     return label_panel(panel, meta, dataset="demo")
    >>> panels = pd.concat([fit("anova", 0, ["A", "B"]), fit("anova", 1, ["A", "C"]),
    ...                     fit("t-test", 0, ["A", "B"]), fit("t-test", 1, ["B", "C"])])
    >>> method_similarity(panels).round(3)  # identical in fold 0, one shared in fold 1
      dataset  k method_a method_b  jaccard  kuncheva
    0    demo  2    anova   t-test    0.667     0.688
    """
    sets = k_panel_sets(panels, ks)
    rows = []
    for (dataset, k), group in sets.groupby(["dataset", "k"], sort=True):
        by_method = {
            m: g.set_index(["repeat", "fold"]) for m, g in group.groupby("method", sort=True)
        }
        for a, b in itertools.combinations(sorted(by_method), 2):
            common = by_method[a].index.intersection(by_method[b].index)
            if not len(common):
                continue
            jac, kun = [], []
            for idx in common:
                sa, sb = by_method[a].at[idx, "features"], by_method[b].at[idx, "features"]
                d = _universe(
                    by_method[a].at[idx, "n_features"], by_method[b].at[idx, "n_features"]
                )
                jac.append(jaccard_index(sa, sb))
                kun.append(kuncheva_index(sa, sb, d) if len(sa) == len(sb) else np.nan)
            rows.append((dataset, k, a, b, _nanmean(jac), _nanmean(kun)))
    return pd.DataFrame(rows, columns=METHOD_SIMILARITY_COLUMNS)


def _pairwise(sets: Sequence[frozenset], dims: Sequence[Any]) -> tuple[float, float]:
    jac, kun = [], []
    for i, j in itertools.combinations(range(len(sets)), 2):
        jac.append(jaccard_index(sets[i], sets[j]))
        if len(sets[i]) == len(sets[j]):
            kun.append(kuncheva_index(sets[i], sets[j], _universe(dims[i], dims[j])))
    return _nanmean(jac), _nanmean(kun)


def _universe(d_a: Any, d_b: Any) -> float:
    # folds may keep slightly different feature counts (completeness filters): take the
    # larger, the smallest universe both subsets could have been drawn from
    values = [float(d) for d in (d_a, d_b) if d is not None and not pd.isna(d)]
    return max(values) if values else float("nan")


def _nanmean(values: list[float]) -> float:
    arr = np.asarray(values, dtype=float)
    return float(np.nanmean(arr)) if arr.size and not np.isnan(arr).all() else float("nan")


def _check_long(panels: pd.DataFrame) -> None:
    missing = [c for c in LONG_PANEL_COLUMNS if c not in panels.columns]
    if missing:
        raise SeqattnError(
            f"panel table lacks {missing}; label each panel with label_panel(panel, meta) first"
        )
