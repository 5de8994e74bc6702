"""The interface every selection method implements, and the registry behind it."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp

from seqattn._errors import SeqattnError

_REGISTRY: dict[str, type[SelectionMethod]] = {}


class SelectionMethod(ABC):
    """A feature-selection method behind one interface.

    Subclasses set ``name`` and ``ordered`` and implement :meth:`_select`. Options are
    keyword arguments of ``__init__``; unknown options fail at construction.

    Attributes
    ----------
    name : str
        Registry name.
    ordered : bool
        True when the first ``j`` features of a ``k``-panel are the method's ``j``-panel
        (rankings and sequential methods), so accuracy-vs-k needs one fit at the largest k.
    info_ : dict
        Extras from the last :meth:`select` (e.g. ``attention_history``, ``loss_curve``).
    """

    name: ClassVar[str] = ""
    ordered: ClassVar[bool] = True

    def __init__(self) -> None:
        self.info_: dict[str, Any] = {}

    def select(
        self, X: Any, y: Any, k: int, *, random_state: int = 0
    ) -> tuple[np.ndarray, np.ndarray]:
        """Select ``k`` features of ``X`` for predicting ``y``.

        Parameters
        ----------
        X : array-like or scipy.sparse matrix, shape (n_samples, n_features)
            Finite values (impute before selection).
        y : array-like, shape (n_samples,)
            Class labels of any dtype.
        k : int
            Panel size, ``1 <= k <= n_features``.
        random_state : int
            Seed for anything random in the method.

        Returns
        -------
        order : ndarray of int, shape (k,)
            Column indices, most important first.
        scores : ndarray of float, shape (k,)
            The method's importance score of each selected feature (higher is better).
        """
        X = X.tocsr() if sp.issparse(X) else np.asarray(X)
        y = np.asarray(y)
        if X.ndim != 2:
            raise SeqattnError(f"{self.name}: X must be 2-d, got shape {X.shape}")
        n, d = X.shape
        if y.shape[0] != n:
            raise SeqattnError(f"{self.name}: X has {n} samples but y has {y.shape[0]} labels")
        if not 1 <= int(k) <= d:
            raise SeqattnError(f"{self.name}: k={k} must be between 1 and n_features={d}")
        self.info_ = {}
        order, scores = self._select(X, y, int(k), random_state=int(random_state))
        order = np.asarray(order, dtype=np.int64)
        scores = np.asarray(scores, dtype=np.float64)
        if order.shape != (k,) or scores.shape != (k,) or len(np.unique(order)) != k:
            raise RuntimeError(f"{self.name} returned a malformed panel: {order!r}")
        return order, scores

    @abstractmethod
    def _select(
        self, X: Any, y: np.ndarray, k: int, *, random_state: int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Method-specific selection on validated inputs."""

    def get_params(self) -> dict[str, Any]:
        """The options this method was built with (recorded beside results)."""
        return dict(getattr(self, "_params", {}))


def register(cls: type[SelectionMethod]) -> type[SelectionMethod]:
    """Class decorator adding a method to the registry under ``cls.name``."""
    if not cls.name:
        raise TypeError(f"{cls.__name__} has no name")
    _REGISTRY[cls.name] = cls
    return cls


def available_methods() -> list[str]:
    """Registered method names, sorted."""
    return sorted(_REGISTRY)


def get_method(name: str, **options: Any) -> SelectionMethod:
    """Build the registered method ``name`` with ``options``.

    Raises
    ------
    SeqattnError
        For an unknown name (the message lists the known ones) or an unknown option.
    """
    if name not in _REGISTRY:
        raise SeqattnError(
            f"unknown method {name!r}; known methods: {', '.join(available_methods())}"
        )
    cls = _REGISTRY[name]
    try:
        method = cls(**options)
    except TypeError as err:
        raise SeqattnError(f"method {name!r}: bad option ({err}); see its docstring") from None
    method._params = dict(options)
    return method


def ranking_to_panel(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Top ``k`` indices of a per-feature score vector (ties broken by column order)."""
    scores = np.nan_to_num(np.asarray(scores, dtype=np.float64), nan=-np.inf)
    order = np.argsort(-scores, kind="stable")[:k]
    return order, scores[order]


MethodFactory = Callable[..., SelectionMethod]
