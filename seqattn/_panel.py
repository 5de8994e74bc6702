"""What every panel selector does the same way: panel size, seed, input checks, ranking,
constant columns.

A leaf utility (imports scikit-learn and ``seqattn._errors`` only) shared by
:class:`seqattn.SequentialAttentionSelector` (``seqattn.core``) and the peer selectors
(``seqattn.methods``), so that the two sides cannot drift apart and ``seqattn.methods``
can use it without importing torch.
"""

from __future__ import annotations

import numbers
import warnings
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


def constant_columns(X: Any) -> np.ndarray:
    """Boolean mask of the columns of ``X`` without spread (every value equal).

    ``X`` is validated input: a dense array, a scipy sparse matrix or a torch tensor.
    """
    if hasattr(X, "tocsc"):  # scipy sparse: implicit zeros count as values
        lo = np.asarray(X.min(axis=0).todense()).ravel()
        hi = np.asarray(X.max(axis=0).todense()).ravel()
    elif type(X).__module__.startswith("torch"):
        lo = X.amin(dim=0).detach().cpu().numpy() if X.shape[0] else np.zeros(X.shape[1])
        hi = X.amax(dim=0).detach().cpu().numpy() if X.shape[0] else np.zeros(X.shape[1])
    else:
        X = np.asarray(X)
        lo, hi = X.min(axis=0), X.max(axis=0)
    return np.asarray(lo == hi, dtype=bool)


def varying_columns(estimator: Any, X: Any) -> np.ndarray | None:
    """The columns a panel may hold: a constant column carries no information on the classes.

    Sets ``estimator.n_constant_features_``. Refuses an X whose every column is constant
    (one line); with some constant columns warns once and returns the indices of the
    varying ones (the selector fits on those, ranks the constant ones last); with none,
    returns None.
    """
    name = getattr(estimator, "name", "") or type(estimator).__name__
    n, d = X.shape
    const = constant_columns(X)
    estimator.n_constant_features_ = int(const.sum())
    if const.all():
        samples = f"{n} sample" + ("s" if n != 1 else "")
        raise SeqattnError(
            f"{name}: every feature of X is constant ({samples} x {d} features), so no "
            "panel can tell the classes apart; check the input (an all-zero or "
            "all-imputed matrix?)"
        )
    if not const.any():
        return None
    warnings.warn(
        f"{name}: {int(const.sum())} of {d} features are constant (zero variance); "
        "they are left out of the panel and ranked last (n_constant_features_)",
        UserWarning,
        stacklevel=3,
    )
    return np.flatnonzero(~const)


def check_varying_size(estimator: Any, k: int, cols: np.ndarray, d: int) -> None:
    """A panel of ``k`` features needs ``k`` varying ones (one line otherwise)."""
    if k > len(cols):
        name = getattr(estimator, "name", "") or type(estimator).__name__
        raise SeqattnError(
            f"{name}: n_features_to_select={k} but only {len(cols)} of {d} features vary "
            f"(the other {d - len(cols)} are constant); select at most {len(cols)}"
        )


def ranking_with_constant_last(order: Any, cols: np.ndarray, n_features: int) -> np.ndarray:
    """``ranking_`` of a selector fitted on the varying columns ``cols`` only.

    ``order`` (indices of the full X) first, then the other varying columns in column order,
    then the constant columns in column order.
    """
    order = np.asarray(order, dtype=np.int64)
    rest = np.setdiff1d(cols, order)
    const = np.setdiff1d(np.arange(n_features), cols)
    return ranking_from_order(np.concatenate([order, rest, const]), n_features)
