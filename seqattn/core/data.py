"""Training data on the device: standardised float32 mini-batches and encoded targets.

The feature matrix is kept once, as it was given (a float32 tensor on the device, or a
scipy CSR matrix on the host that is never densified whole). Mini-batches are gathered
by index into one reused buffer and centred in place; the per-feature scale ``1 / sd`` is
returned separately so the network can fold it into its first layer (a d-vector product
instead of another pass over the batch). Memory beyond the data is O(batch x d).
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
import torch

from seqattn._errors import SeqattnError

#: Elements per chunk when computing column statistics: bounds the float64 temporaries
#: to 8 MB each whatever the size of X.
_STATS_CHUNK_ELEMENTS = 2**20


def _chunk_rows(d: int) -> int:
    return max(1, _STATS_CHUNK_ELEMENTS // max(d, 1))


def _dense_moments(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Column mean and population variance in float64 without a full float64 copy."""
    n, d = X.shape
    step = _chunk_rows(d)
    mean = np.zeros(d, dtype=np.float64)
    for start in range(0, n, step):
        mean += X[start : start + step].sum(axis=0, dtype=np.float64)
    mean /= n
    sq = np.zeros(d, dtype=np.float64)
    for start in range(0, n, step):
        block = X[start : start + step].astype(np.float64) - mean
        sq += np.einsum("ij,ij->j", block, block)
    return mean, sq / n


def _sparse_moments(X: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Column mean and variance of a CSR matrix, two-pass, touching only stored values."""
    n, d = X.shape
    data = X.data.astype(np.float64)
    mean = np.bincount(X.indices, weights=data, minlength=d) / n
    stored = np.bincount(X.indices, minlength=d)
    centred = data - mean[X.indices]
    sq = np.bincount(X.indices, weights=centred * centred, minlength=d)
    # Implicit zeros each contribute (0 - mean)^2.
    sq += (n - stored) * mean * mean
    return mean, sq / n


def _tensor_moments(X: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """Column mean and variance of a (possibly GPU) tensor, chunked in float64."""
    n, d = X.shape
    step = _chunk_rows(d)
    total = torch.zeros(d, dtype=torch.float64, device=X.device)
    for start in range(0, n, step):
        total += X[start : start + step].to(torch.float64).sum(dim=0)
    mean = total / n
    sq = torch.zeros(d, dtype=torch.float64, device=X.device)
    for start in range(0, n, step):
        block = X[start : start + step].to(torch.float64) - mean
        sq += (block * block).sum(dim=0)
    return mean.cpu().numpy(), (sq / n).cpu().numpy()


class FeatureSource:
    """A feature matrix that serves centred float32 mini-batches on one device.

    Parameters
    ----------
    X : ndarray, scipy.sparse matrix or torch.Tensor, shape (n_samples, n_features)
        Finite values. Dense input becomes one float32 tensor on ``device`` (no copy when
        it already is one); sparse input stays a CSR matrix on the host and each batch is
        densified on its own.
    device : torch.device
        Where batches are delivered.

    Attributes
    ----------
    n_samples, n_features : int
    mean : torch.Tensor, shape (n_features,)
        Column means (float32, on ``device``), subtracted from every batch.
    inv_sd : torch.Tensor, shape (n_features,)
        ``1 / sd`` per column (0 for constant columns), for the caller to apply.
    """

    def __init__(self, X: Any, device: torch.device) -> None:
        self.device = device
        self._csr: sp.csr_matrix | None = None
        self._dense: torch.Tensor | None = None
        if isinstance(X, torch.Tensor):
            if X.ndim != 2:
                raise SeqattnError(f"X must be 2-d, got a tensor of shape {tuple(X.shape)}")
            self._dense = X.detach().to(device=device, dtype=torch.float32).contiguous()
            mean, var = _tensor_moments(self._dense)
        elif sp.issparse(X):
            self._csr = sp.csr_matrix(X)
            mean, var = _sparse_moments(self._csr)
        else:
            arr = np.ascontiguousarray(X, dtype=np.float32)
            mean, var = _dense_moments(arr)
            with warnings.catch_warnings():
                # A read-only array is fine: the tensor is never written to.
                warnings.simplefilter("ignore", UserWarning)
                self._dense = torch.from_numpy(arr).to(device)
        self.n_samples, self.n_features = (
            self._csr.shape if self._csr is not None else tuple(self._dense.shape)
        )
        sd = np.sqrt(np.maximum(var, 0.0))
        # Constant columns carry no information: scale them to zero rather than divide by 0.
        inv_sd = np.divide(1.0, sd, out=np.zeros_like(sd), where=sd > 1e-12 * (1 + np.abs(mean)))
        self.mean = torch.as_tensor(mean, dtype=torch.float32, device=device)
        self.inv_sd = torch.as_tensor(inv_sd, dtype=torch.float32, device=device)
        self._buffer: torch.Tensor | None = None

    @property
    def is_sparse(self) -> bool:
        """True when the data stays a host-side CSR matrix."""
        return self._csr is not None

    def batch(self, index: torch.Tensor) -> torch.Tensor:
        """Rows ``index`` minus the column means, shape (len(index), n_features), float32.

        The returned tensor is a reused buffer: it is valid until the next call.
        """
        size = int(index.shape[0])
        if self._buffer is None or self._buffer.shape[0] != size:
            self._buffer = torch.empty(
                (size, self.n_features), dtype=torch.float32, device=self.device
            )
        if self._dense is not None:
            torch.index_select(self._dense, 0, index, out=self._buffer)
        else:
            rows = self._csr[index.cpu().numpy()].toarray().astype(np.float32, copy=False)
            self._buffer.copy_(torch.from_numpy(rows))
        return self._buffer.sub_(self.mean)


@dataclass
class Targets:
    """Encoded training targets.

    Attributes
    ----------
    values : torch.Tensor, shape (n_samples,)
        Class codes (int64) or standardised regression targets (float32), on the device.
    task : str
        ``"classification"`` or ``"regression"``.
    classes : ndarray or None
        Original class labels in code order (classification only).
    class_weight : torch.Tensor or None
        Per-class loss weight, or None for unweighted.
    n_outputs : int
        Network outputs: number of classes, or 1 for regression.
    """

    values: torch.Tensor
    task: str
    classes: np.ndarray | None
    class_weight: torch.Tensor | None
    n_outputs: int


def infer_task(y: np.ndarray) -> str:
    """``"regression"`` for float targets with non-integer values, else ``"classification"``."""
    if y.dtype.kind == "f" and np.isfinite(y).all() and not np.all(np.equal(np.mod(y, 1), 0)):
        return "regression"
    return "classification"


def encode_targets(
    y: Any,
    n_samples: int,
    task: str,
    class_weight: str | Mapping[Any, float] | None,
    device: torch.device,
) -> Targets:
    """Validate and encode ``y`` for training.

    Parameters
    ----------
    y : array-like, shape (n_samples,)
        Labels of any dtype (strings, ints, bools, pandas categoricals) or, for
        regression, real values.
    n_samples : int
        Rows of X, for the length check.
    task : {"auto", "classification", "regression"}
    class_weight : {"balanced", None} or dict
        ``"balanced"`` weights each class by ``n / (n_classes * n_class)`` so rare classes
        count as much as common ones (the panel is judged by balanced accuracy); a dict
        ``{class: weight}`` sets them (classes it leaves out weigh 1), as in scikit-learn.
    device : torch.device

    Raises
    ------
    SeqattnError
        For a length mismatch, a 2-d target, a single class or non-finite regression values.
    """
    if isinstance(y, torch.Tensor):
        y = y.detach().cpu().numpy()
    y = np.asarray(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y.ravel()
    if y.ndim != 1:
        raise SeqattnError(f"y must be 1-d (one label per sample), got shape {y.shape}")
    if y.shape[0] != n_samples:
        raise SeqattnError(f"X has {n_samples} samples but y has {y.shape[0]} labels")
    if task == "auto":
        task = infer_task(y)
    if task == "regression":
        values = y.astype(np.float64)
        if not np.isfinite(values).all():
            raise SeqattnError("y has NaN or infinite values; drop or impute those samples")
        sd = values.std()
        values = (values - values.mean()) / (sd if sd > 0 else 1.0)
        return Targets(
            values=torch.as_tensor(values, dtype=torch.float32, device=device),
            task=task,
            classes=None,
            class_weight=None,
            n_outputs=1,
        )
    if task != "classification":
        raise SeqattnError(f"task={task!r}; use 'auto', 'classification' or 'regression'")
    if y.dtype.kind == "O" and any(v is None or v != v for v in y):
        raise SeqattnError("y has missing labels; drop those samples before fitting")
    classes, codes = np.unique(y, return_inverse=True)
    if classes.shape[0] < 2:
        raise SeqattnError(
            f"y has only 1 class ({classes[0]!r}); selection needs at least two classes"
        )
    weight = None
    if class_weight == "balanced":
        counts = np.bincount(codes, minlength=classes.shape[0]).astype(np.float64)
        weight = torch.as_tensor(
            n_samples / (classes.shape[0] * counts), dtype=torch.float32, device=device
        )
    elif isinstance(class_weight, Mapping):
        weight = torch.as_tensor(
            _weights_by_class(class_weight, classes), dtype=torch.float32, device=device
        )
    elif class_weight is not None:
        raise SeqattnError(
            f"class_weight={class_weight!r}; use 'balanced', None or a dict {{class: weight}}"
        )
    return Targets(
        values=torch.as_tensor(codes.astype(np.int64), device=device),
        task=task,
        classes=classes,
        class_weight=weight,
        n_outputs=int(classes.shape[0]),
    )


def _weights_by_class(class_weight: Mapping[Any, float], classes: np.ndarray) -> np.ndarray:
    """Per-class weights from a ``{class: weight}`` dict (scikit-learn's convention:
    classes left out weigh 1)."""

    def positive(value: Any) -> bool:
        try:
            return bool(np.isfinite(float(value)) and float(value) > 0)
        except (TypeError, ValueError):
            return False

    bad = {k: v for k, v in class_weight.items() if not positive(v)}
    if bad:
        raise SeqattnError(f"class_weight has weights that are not positive numbers: {bad}")
    known = set(classes.tolist())
    unknown = [k for k in class_weight if k not in known]
    if unknown:
        raise SeqattnError(
            f"class_weight names {unknown}, which are not classes of y; use labels from "
            f"{classes.tolist()[:10]}"
        )
    return np.asarray([float(class_weight.get(c, 1.0)) for c in classes.tolist()])
