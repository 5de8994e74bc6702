"""Column centring and scaling: the one z-score of the package.

Used by the fold z-scoring (:class:`seqattn.pp.FoldTransformer`, fitted on the training
fold), the peer methods' standardisation (``seqattn.methods``) and the figures
(``seqattn.pl``). Missing values are ignored and stay missing; a column without spread
(or without any value) is centred only, never divided by zero.
"""

from __future__ import annotations

import warnings

import numpy as np


def mean_sd(X) -> tuple[np.ndarray, np.ndarray]:
    """Column means and standard deviations (ddof 0) of ``X``, ignoring NaN.

    A column without any value gets mean 0; a column without spread (or value) gets SD 1,
    so that ``(X - mean) / sd`` centres it and leaves it at 0.
    """
    X = np.asarray(X, dtype=np.float64)
    if np.isnan(X).any():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
            mean = np.nanmean(X, axis=0)
            sd = np.nanstd(X, axis=0)
    else:
        mean = X.mean(axis=0)
        sd = X.std(axis=0)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    sd = np.where((sd > 0) & np.isfinite(sd), sd, 1.0)
    return mean, sd


def zscore(X) -> np.ndarray:
    """Column z-scores of ``X`` (float64 copy; NaN stays NaN, constant columns become 0)."""
    X = np.asarray(X, dtype=np.float64)
    mean, sd = mean_sd(X)
    return (X - mean) / sd


__all__ = ["mean_sd", "zscore"]
