"""Missing-value imputation for intensity matrices (rows = samples).

``downshift`` looks at one sample at a time; ``knn``, ``min``, ``mean`` and ``median``
learn from the training samples (:class:`Imputer.fit`) and are then applied unchanged to
held-out samples.
"""

from __future__ import annotations

import zlib

import numpy as np

from seqattn._errors import SeqattnError


class Imputer:
    """Fit on training rows, fill NaN in any rows.

    Parameters
    ----------
    method
        ``downshift``: each sample's missing values are drawn from a normal distribution
        ``N(mean - downshift * sd, (width * sd)^2)`` of that sample's own observed values
        (Perseus' "replace missing values from normal distribution", defaults 1.8 and 0.3).
        ``knn``: scikit-learn ``KNNImputer`` fitted on the training rows. ``min``, ``mean``,
        ``median``: the feature's training minimum / mean / median. ``none``: no filling.

    Examples
    --------
    >>> import numpy as np
    >>> from seqattn.pp import Imputer
    >>> train = np.array([[1.0, 4.0], [np.nan, 6.0], [3.0, np.nan]])
    >>> Imputer("median").fit(train).transform(np.array([[np.nan, np.nan]]))
    array([[2., 5.]])
    >>> filled = Imputer("downshift").fit(train).transform(train)  # seeded per sample
    >>> bool(np.isnan(filled).any())
    False
    """

    def __init__(
        self,
        method: str,
        *,
        downshift: float = 1.8,
        width: float = 0.3,
        knn_neighbors: int = 5,
        random_state: int = 0,
    ) -> None:
        self.method = method
        self.downshift = downshift
        self.width = width
        self.knn_neighbors = knn_neighbors
        self.random_state = random_state

    def fit(self, X: np.ndarray) -> Imputer:
        """Learn what the method needs from the training rows ``X`` (every column observed)."""
        if self.method == "knn":
            from sklearn.impute import KNNImputer

            # keep_empty_features: a column must never disappear, or support_ would lie.
            self._knn = KNNImputer(n_neighbors=self.knn_neighbors, keep_empty_features=True).fit(X)
        elif self.method in ("min", "mean", "median"):
            self._fill = {"min": np.nanmin, "mean": np.nanmean, "median": np.nanmedian}[
                self.method
            ](X, axis=0)
        elif self.method == "downshift":
            # Fallback for a sample with fewer than two values or no spread: the pooled
            # training distribution (learned here, on the training rows only).
            vals = X[~np.isnan(X)]
            self._pooled = (float(vals.mean()), float(vals.std()) or 1.0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """A copy of ``X`` (float64) with NaN filled (left as is for ``none``)."""
        X = np.array(X, dtype=np.float64)
        missing = np.isnan(X)
        if not missing.any() or self.method == "none":
            return X
        if self.method == "knn":
            return self._knn.transform(X)
        if self.method in ("min", "mean", "median"):
            rows, cols = np.nonzero(missing)
            X[rows, cols] = self._fill[cols]
            return X
        if self.method == "downshift":
            for i in np.flatnonzero(missing.any(axis=1)):
                X[i] = self._downshift_row(X[i])
            return X
        raise SeqattnError(f"unknown imputation {self.method!r}")

    def _downshift_row(self, row: np.ndarray) -> np.ndarray:
        missing = np.isnan(row)
        vals = row[~missing]
        if vals.size >= 2 and vals.std(ddof=1) > 0:
            mean, sd = float(vals.mean()), float(vals.std(ddof=1))
        else:
            mean, sd = self._pooled
        # Seeded by the row's own values: a sample gets the same draws whichever batch
        # (training fold, test fold, whole file) it is transformed in.
        seed = np.random.SeedSequence(
            [self.random_state, zlib.crc32(np.nan_to_num(row, nan=0.0).tobytes())]
        )
        rng = np.random.default_rng(seed)
        out = row.copy()
        out[missing] = rng.normal(
            mean - self.downshift * sd, self.width * sd, size=int(missing.sum())
        )
        return out
