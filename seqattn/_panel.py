"""What every panel selector does the same way: panel size, seed, input checks, ranking.

A leaf utility (imports scikit-learn and ``seqattn._errors`` only) shared by
:class:`seqattn.SequentialAttentionSelector` (``seqattn.core``) and the peer selectors
(``seqattn.methods``), so that the two sides cannot drift apart and ``seqattn.methods``
can use it without importing torch.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from seqattn._errors import SeqattnError


def panel_size(n_features_to_select: Any, n_features: int) -> int:
    """Panel size from an int, a fraction in (0, 1) or None (half the features)."""
    if n_features_to_select is None:
        return max(1, n_features // 2)
    if isinstance(n_features_to_select, numbers.Integral) and not isinstance(
        n_features_to_select, bool
    ):
        k = int(n_features_to_select)
    elif isinstance(n_features_to_select, numbers.Real) and 0 < n_features_to_select < 1:
        k = max(1, round(float(n_features_to_select) * n_features))
    else:
        raise SeqattnError(
            f"n_features_to_select={n_features_to_select!r}; use an int, a fraction in (0, 1) "
            "or None (half of the features)"
        )
    if not 1 <= k <= n_features:
        raise SeqattnError(
            f"n_features_to_select={k} must be between 1 and n_features={n_features}"
        )
    return k


def seed_of(random_state: Any) -> int:
    """An int seed from ``random_state`` (int, RandomState or None, as in scikit-learn)."""
    if isinstance(random_state, numbers.Integral):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def check_X_y(estimator: Any, X: Any, y: Any) -> tuple[Any, Any]:
    """``validate_data`` for a selector's ``fit`` (float64/float32, CSR kept sparse).

    Sets ``n_features_in_`` (and ``feature_names_in_``). NaN or infinity in ``X`` is one
    line that says to impute, instead of scikit-learn's hint to use another estimator;
    duplicate column names are one line naming them, instead of a narwhals traceback.
    """
    columns = getattr(X, "columns", None)
    if columns is not None:
        seen: set[Any] = set()
        dups = list(dict.fromkeys(c for c in columns if c in seen or seen.add(c)))
        if dups:
            shown = ", ".join(repr(c) for c in dups[:5]) + (" ..." if len(dups) > 5 else "")
            raise SeqattnError(
                f"X has {len(dups)} duplicate column name(s): {shown}; make the names unique "
                "(e.g. adata.var_names_make_unique(), or sum/drop the repeated features)"
            )
    try:
        return validate_data(estimator, X, y, accept_sparse="csr", dtype=[np.float64, np.float32])
    except ValueError as err:
        first = str(err).splitlines()[0] if str(err) else ""
        if "Input X contains" not in first:
            raise
        fix = (
            "impute missing values first"
            if "NaN" in first
            else "set infinite values (a log of 0?) to NaN and impute them first"
        )
        raise SeqattnError(
            f"{first.rstrip('.')}; {fix} (seqattn.pp.preprocess, or a SimpleImputer "
            "before the selector in a Pipeline)"
        ) from None


def ranking_from_order(order: Any, n_features: int) -> np.ndarray:
    """``ranking_`` (1 = best) of ``n_features`` features: ``order`` first, best first,
    then the features it leaves out in column order."""
    order = np.asarray(order, dtype=np.int64)
    rest = np.setdiff1d(np.arange(n_features), order)
    ranking = np.empty(n_features, dtype=np.int64)
    ranking[np.concatenate([order, rest])] = np.arange(1, n_features + 1)
    return ranking
