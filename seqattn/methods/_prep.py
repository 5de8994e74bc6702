"""Input preparation shared by the peer methods: densifying, labels, scaling, torch setup.

Private helpers (the leading underscore keeps this module out of the registry scan).
"""

from __future__ import annotations

import contextlib
import importlib
import numbers
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import scipy.sparse as sp

from seqattn._errors import SeqattnError

MAX_DENSE_CELLS = 200_000_000
"""Largest sparse matrix (n x d entries) a dense-only method will densify (1.6 GB float64)."""


#: Where the packages of the peer methods come from (``pip install 'seqattn[peers]'``).
PEERS_EXTRA = "peers"


def import_peer(module: str, method: str, distribution: str | None = None) -> Any:
    """Import the third-party package a peer method wraps (cosg, mrmr, lassonet).

    These are the optional extra ``seqattn[peers]``: when the package is missing, the fit
    fails in one line naming the package and the command that installs it. An ImportError
    from inside an installed package (a broken dependency of its own) is left as it is.
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        if err.name is not None and err.name.split(".")[0] != module.split(".")[0]:
            raise
        raise SeqattnError(
            f"{method}: needs the package {distribution or module!r}, which is not installed; "
            f"pip install 'seqattn[{PEERS_EXTRA}]'"
        ) from None


def dense(X: Any, method: str, dtype: type = np.float64) -> np.ndarray:
    """``X`` as a dense C-contiguous array; a sparse ``X`` only if it is small enough.

    Raises
    ------
    SeqattnError
        When a sparse ``X`` has more than :data:`MAX_DENSE_CELLS` entries.
    """
    if sp.issparse(X):
        n, d = X.shape
        if n * d > MAX_DENSE_CELLS:
            raise SeqattnError(
                f"{method}: X is a sparse {n} x {d} matrix, too large to densify "
                f"(> {MAX_DENSE_CELLS:,} entries); pre-select features (e.g. HVG in "
                "seqattn preprocess) or use a method that takes sparse input "
                "(wilcoxon, t-test, logreg, cosg, variance, anova)"
            )
        X = X.toarray()
    return np.ascontiguousarray(X, dtype=dtype)


def encode_labels(
    y: np.ndarray, method: str, min_per_class: int = 2
) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes ``0..C-1`` of ``y`` and the sorted classes.

    Raises
    ------
    SeqattnError
        With fewer than two classes, or a class with fewer than ``min_per_class`` samples.
    """
    y = np.asarray(y)
    if y.dtype.kind == "O":
        y = y.astype(str)
    classes, codes = np.unique(y, return_inverse=True)
    if len(classes) < 2:
        raise SeqattnError(
            f"{method}: y has a single class {classes.tolist()!r}; supervised selection "
            "needs at least two classes"
        )
    counts = np.bincount(codes)
    if counts.min() < min_per_class:
        small = [str(c) for c, m in zip(classes, counts, strict=True) if m < min_per_class]
        raise SeqattnError(
            f"{method}: class(es) {', '.join(small)} have fewer than {min_per_class} samples; "
            "drop or merge rare classes before selection"
        )
    return codes.astype(np.int64), classes


def standardize(X: np.ndarray) -> np.ndarray:
    """Z-score every column; constant columns become all zero (float32 copy)."""
    from seqattn.pp.scale import zscore

    return zscore(X).astype(np.float32)


def looks_unlogged(X: Any) -> bool:
    """Heuristic: ``X`` is non-negative and either integer-valued (counts) or has a
    maximum above 50 (raw intensities); log-scale and z-scored data are neither."""
    values = X.data if sp.issparse(X) else np.asarray(X)
    if values.size == 0 or values.min() < 0:
        return False
    return bool(values.max() > 50 or np.all(values == np.round(values)))


def log1p_if_needed(X: Any, log1p: bool | str) -> tuple[Any, bool]:
    """Apply ``log1p`` when asked (``True``) or, with ``"auto"``, when
    :func:`looks_unlogged`. Returns the (possibly new) matrix and whether it was applied."""
    if log1p == "auto":
        log1p = looks_unlogged(X)
    if not log1p:
        return X, False
    if sp.issparse(X):
        return X.log1p(), True
    return np.log1p(np.asarray(X, dtype=np.float64)), True


def check_positive_ints(
    method: str,
    option: str,
    values: Any,
    *,
    length: int | None = None,
    allow_empty: bool = False,
    example: str = "(64,)",
) -> tuple[int, ...]:
    """``values`` as a tuple of positive ints (of ``length`` when given; empty only when
    ``allow_empty``), or a SeqattnError naming the option."""
    try:
        out = tuple(values)
    except TypeError:
        out = None
    if (
        out is None
        or (length is not None and len(out) != length)
        or (not out and not allow_empty)
        or not all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0 for v in out
        )
    ):
        size = f"{length} " if length is not None else ""
        raise SeqattnError(
            f"{method}: {option}={values!r} must be a tuple of {size}positive integers, "
            f"e.g. {example}"
        )
    return tuple(int(v) for v in out)


def torch_device(method: str, device: str) -> Any:
    """``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"`` or ``"cuda:N"``:
    :func:`seqattn.core.device.resolve_device`, with the method named in its errors."""
    from seqattn.core.device import resolve_device

    try:
        return resolve_device(device)
    except SeqattnError as err:
        raise SeqattnError(f"{method}: {err}") from None


@contextlib.contextmanager
def torch_seeded(seed: int) -> Iterator[None]:
    """Seed torch's global generators inside the block and restore them afterwards,
    so a method is deterministic without changing the caller's random state."""
    import torch

    devices = list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


@contextlib.contextmanager
def keep_torch_threads() -> Iterator[None]:
    """Restore torch's intra-op thread count after the block.

    scanpy's numba kernels (e.g. Wilcoxon ranks) start numba's OpenMP pool, which resets
    the process-wide OpenMP thread count that torch reads; a later torch method would then
    run with more threads than the caller set (40x slower on an oversubscribed machine).
    Does nothing when torch was never imported.
    """
    torch = sys.modules.get("torch")
    threads = torch.get_num_threads() if torch is not None else None
    try:
        yield
    finally:
        if threads is not None and torch.get_num_threads() != threads:
            torch.set_num_threads(threads)
