"""One outer fold made ready for selection and scoring.

The fold transformer (``seqattn.pp``: completeness filter, imputation, z-scoring, HVG) is
fitted on the training samples only and then applied to both sides, so nothing about the
test samples reaches the selector or the classifiers except through a train-fitted map.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from seqattn._errors import SeqattnError
from seqattn.evaluate._data import matrix


def make_fold_transformer(adata: Any) -> Any:
    """The fold transformer recorded in ``adata.uns["seqattn_preprocessing"]`` (see
    ``seqattn.pp.fold_transformer_from_adata``; without a record, a NaN-checking identity)."""
    from seqattn import pp

    return pp.fold_transformer_from_adata(adata)


@dataclass
class FoldData:
    """Train and test matrices of one fold after the train-fitted fold transformer.

    Attributes
    ----------
    X_train, X_test : ndarray of float32
        Transformed matrices (no NaN); columns are ``features``.
    y_train, y_test : ndarray of str
    train_names, test_names : ndarray of str
        Sample names (``obs_names``) of each side.
    features : ndarray of str
        Names of the features the transformer kept (``var_names[support_]``).
    classes : list of str
        All class names of the data set (fixes per-class columns; knowing the names of the
        classes is not information about the test samples).
    transform_time_s : float
        Time to fit the transformer and transform both sides.
    groups_train : ndarray of str or None
        Subject of each training sample (passed to the selector's ``fit``), if known.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    train_names: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    test_names: np.ndarray
    features: np.ndarray
    classes: list[str]
    transform_time_s: float
    groups_train: np.ndarray | None = None

    def columns_of(self, panel_features: list[str]) -> np.ndarray:
        """Column positions of ``panel_features`` in the transformed matrices."""
        position = {f: i for i, f in enumerate(self.features)}
        missing = [f for f in panel_features if f not in position]
        if missing:
            raise SeqattnError(
                f"panel feature {missing[0]!r} is not among the {len(self.features)} features "
                "the fold preprocessing keeps; was the panel made from other data or "
                "preprocessing?"
            )
        return np.array([position[f] for f in panel_features], dtype=np.int64)


def prepare_fold(
    adata: Any,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> FoldData:
    """Fit the fold transformer on ``train`` rows and transform train (and test) rows.

    Parameters
    ----------
    adata : AnnData
        Data set (per-sample preprocessing already applied).
    y : ndarray of str, shape (n_obs,)
        Labels of all samples (only the training ones reach the transformer).
    train, test : ndarray of int
        Row positions; ``test=None`` (the final panel) transforms the training side only.
    groups : ndarray, shape (n_obs,), optional
        Subject of every sample; the training rows' go to the selector.
    """
    from seqattn.evaluate._data import class_labels

    start = time.perf_counter()
    transformer = make_fold_transformer(adata)
    X_train_raw = matrix(adata, train)
    transformer.fit(X_train_raw, y[train])
    X_train = _dense_float32(transformer.transform(X_train_raw))
    support = np.asarray(transformer.support_, dtype=bool)
    if support.shape != (adata.n_vars,):
        raise RuntimeError(
            f"fold transformer support_ has shape {support.shape}, expected ({adata.n_vars},)"
        )
    features = np.asarray(adata.var_names).astype(str)[support]
    if X_train.shape[1] != features.shape[0]:
        raise RuntimeError(
            f"fold transformer returned {X_train.shape[1]} columns but support_ keeps "
            f"{features.shape[0]}"
        )
    if test is None:
        test = np.array([], dtype=np.int64)
        X_test = np.zeros((0, features.shape[0]), dtype=np.float32)
    else:
        X_test = _dense_float32(transformer.transform(matrix(adata, test)))
    names = np.asarray(adata.obs_names).astype(str)
    return FoldData(
        X_train=X_train,
        y_train=y[train],
        train_names=names[train],
        X_test=X_test,
        y_test=y[test],
        test_names=names[test],
        features=features,
        classes=class_labels(y),
        transform_time_s=time.perf_counter() - start,
        groups_train=None if groups is None else np.asarray(groups)[train],
    )


def _dense_float32(X: Any) -> np.ndarray:
    X = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
    X = X.astype(np.float32, copy=False)
    if not np.isfinite(X).all():
        raise SeqattnError(
            "fold preprocessing left NaN/inf in the matrix; add an imputation step to the "
            "preprocessing preset"
        )
    return X
