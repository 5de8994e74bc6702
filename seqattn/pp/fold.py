"""Cross-sample preprocessing, fitted on a training fold only (:class:`FoldTransformer`).

Completeness filters, per-feature imputation, z-scoring and HVG selection learn from
several samples (and the group-wise filters from labels). Fitted on the whole data
before a cross-validation split they would let the test samples shape the training
features: :class:`FoldTransformer` is fitted on the training fold and applied unchanged
to the held-out fold.
"""

from __future__ import annotations

import warnings

import anndata as ad
import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin

from seqattn._errors import SeqattnError
from seqattn.pp.impute import Imputer
from seqattn.pp.presets import resolve_options
from seqattn.pp.scale import mean_sd


class FoldTransformer(TransformerMixin, BaseEstimator):
    """The cross-sample steps of a preset, scikit-learn style.

    Parameters
    ----------
    preset
        ``proteomics``, ``zscore``, ``none`` (dense input, NaN allowed):
        completeness filter -> imputation -> optional z-score; or ``scrna`` (dense or
        scipy sparse, no NaN): scanpy ``filter_genes(min_cells)`` ->
        ``highly_variable_genes(n_top_genes)`` -> optional scale; or ``cite`` (dense or
        sparse): ``highly_variable_genes(n_top_genes)`` among the ``rna_columns`` only
        (every other column is kept) -> completeness filter -> imputation -> z-score.
    options
        The preset's fold options (see ``seqattn.pp.presets``); missing ones take the
        defaults. Prefer :func:`seqattn.pp.make_fold_transformer`, which validates them at
        once.
    rna_columns
        ``cite`` only: bool per input column, ``True`` for RNA (where the HVGs are picked);
        needed unless ``n_top_genes=0``. :func:`seqattn.pp.fold_transformer_from_adata`
        takes it from ``var["modality"]``.

    Attributes
    ----------
    support_ : ndarray of bool, shape (``n_features_in_``,)
        The input columns kept (completeness filter, HVG); ``transform`` returns exactly
        these columns, in input order. A column without any value in the training fold
        is never kept.
    n_features_in_ : int
    report_ : dict
        Counts of what ``fit`` did (features kept by each step), for the record.

    Examples
    --------
    A scikit-learn step, so a pipeline refits it on each training fold:

    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn.pipeline import make_pipeline
    >>> from seqattn.pp import FoldTransformer
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(40, 5))
    >>> y = (X[:, 0] > 0).astype(int)
    >>> X[rng.random(X.shape) < 0.1] = np.nan  # missing values, imputed per fold
    >>> pipe = make_pipeline(FoldTransformer("zscore"), LogisticRegression())
    >>> pipe.fit(X[:30], y[:30]).predict(X[30:]).shape
    (10,)
    >>> pipe[0].support_.tolist()
    [True, True, True, True, True]
    """

    def __init__(self, preset: str = "none", options: dict | None = None, rna_columns=None) -> None:
        self.preset = preset
        self.options = options
        self.rna_columns = rna_columns

    # -- fitting ---------------------------------------------------------------------
    def fit(self, X, y=None, groups=None) -> FoldTransformer:
        """Learn the steps from the training rows ``X`` (``y``: class labels, for the
        group-wise completeness filters; ``groups`` is accepted for CV-splitter symmetry
        and not used)."""
        _, self.options_ = resolve_options(self.preset, dict(self.options or {}))
        X = _as_input(X, self.preset)
        self.n_features_in_ = X.shape[1]
        if X.shape[0] < 2:
            raise SeqattnError(
                f"FoldTransformer.fit needs at least 2 training samples, got {X.shape[0]}"
            )
        if self.preset == "scrna":
            self._fit_scrna(X)
        elif self.preset == "cite":
            self._fit_cite(X, y)
        else:
            self._fit_matrix(X, y)
        return self

    def _fit_matrix(self, X: np.ndarray, y) -> None:
        o = self.options_
        valid = ~np.isnan(X)
        observed = valid.any(axis=0)
        frac = _valid_fraction(valid, y, o["completeness"]) if o["min_valid"] > 0 else None
        keep = observed if frac is None else observed & (frac >= o["min_valid"])
        if not keep.any():
            raise SeqattnError(
                f"no feature has values in {o['min_valid']:.0%} of the training samples "
                f"(completeness={o['completeness']}); lower --option min_valid"
            )
        self.support_ = keep
        self.report_ = {
            "n_features_in": int(X.shape[1]),
            "n_no_value_in_train": int((~observed).sum()),
            "n_kept": int(keep.sum()),
        }
        Xk = X[:, keep]
        if o["impute"] == "none" and np.isnan(Xk).any():
            raise SeqattnError(
                f"the training data have {int(np.isnan(Xk).sum())} missing values and impute=none; "
                "pass --option impute=downshift|knn|min|mean|median (or raise min_valid to 1)"
            )
        self._imputer = Imputer(
            o["impute"],
            downshift=o["downshift"],
            width=o["width"],
            knn_neighbors=o["knn_neighbors"],
            random_state=o["random_state"],
        ).fit(Xk)
        if o["zscore"]:
            Xi = self._imputer.transform(Xk)
            # A feature constant in the training fold has no scale to learn: centred only.
            self._mean, self._std = mean_sd(Xi)

    def _fit_cite(self, X, y) -> None:
        o = self.options_
        n = X.shape[1]
        pre = np.ones(n, dtype=bool)
        hvg_report: dict = {}
        if o["n_top_genes"]:
            pre, hvg_report = _hvg_among_rna(X, self._rna_mask(n), o)
        self._fit_matrix(_dense_columns(X, pre).astype(np.float64), y)
        inner, report = self.support_, self.report_
        support = np.zeros(n, dtype=bool)
        support[np.flatnonzero(pre)[inner]] = True
        self._pre, self._inner = pre, inner
        self.support_ = support
        self.report_ = {
            "n_features_in": n,
            **hvg_report,
            "n_no_value_in_train": report["n_no_value_in_train"],
            "n_kept": int(support.sum()),
        }

    def _rna_mask(self, n: int) -> np.ndarray:
        if self.rna_columns is None:
            raise SeqattnError(
                "preset 'cite' picks HVGs among the RNA columns: pass rna_columns (a bool per "
                "column) or the option n_top_genes=0"
            )
        mask = np.asarray(self.rna_columns, dtype=bool)
        if mask.shape != (n,):
            raise SeqattnError(
                f"rna_columns has shape {mask.shape} but X has {n} columns; pass one bool per column"
            )
        return mask

    def _fit_scrna(self, X) -> None:
        import scanpy as sc

        o = self.options_
        keep = np.asarray((X != 0).sum(axis=0)).ravel() > 0  # a gene never seen is never kept
        if o["min_cells"]:
            passed, _ = sc.pp.filter_genes(X, min_cells=o["min_cells"], inplace=False)
            keep &= np.asarray(passed)
        if not keep.any():
            raise SeqattnError(
                f"no gene is detected in {o['min_cells']} training cells; lower --option min_cells"
            )
        n_filtered = int(keep.sum())
        idx = np.flatnonzero(keep)
        if o["n_top_genes"] and o["n_top_genes"] < idx.size:
            train = ad.AnnData(X[:, idx] if sp.issparse(X) else np.asarray(X[:, idx]))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", category=FutureWarning)
                hvg = sc.pp.highly_variable_genes(
                    train, n_top_genes=o["n_top_genes"], flavor=o["hvg_flavor"], inplace=False
                )
            idx = idx[np.asarray(hvg["highly_variable"], dtype=bool)]
        support = np.zeros(X.shape[1], dtype=bool)
        support[idx] = True
        self.support_ = support
        self.report_ = {
            "n_features_in": int(X.shape[1]),
            "n_after_filter_genes": n_filtered,
            "n_kept": int(idx.size),
        }
        if o["scale"]:
            train = ad.AnnData(_dense_columns(X, support).astype(np.float64))
            sc.pp.scale(train, max_value=o["max_value"] or None)
            self._mean = train.var["mean"].to_numpy(dtype=np.float64)
            std = train.var["std"].to_numpy(dtype=np.float64)
            self._std = np.where((std > 0) & np.isfinite(std), std, 1.0)

    # -- applying --------------------------------------------------------------------
    def transform(self, X) -> np.ndarray:
        """The kept columns of ``X`` with the fitted steps applied: float32, no NaN/inf."""
        if not hasattr(self, "support_"):
            raise SeqattnError(
                "this FoldTransformer is not fitted; call fit(X_train, y_train) first"
            )
        X = _as_input(X, self.preset)
        if X.shape[1] != self.n_features_in_:
            raise SeqattnError(
                f"X has {X.shape[1]} features but the transformer was fitted on {self.n_features_in_}"
            )
        o = self.options_
        if self.preset == "scrna":
            out = _dense_columns(X, self.support_).astype(np.float64)
            if o["scale"]:
                out = (out - self._mean) / self._std
                if o["max_value"]:
                    np.clip(out, -o["max_value"], o["max_value"], out=out)
        else:
            if self.preset == "cite":
                out = self._imputer.transform(
                    _dense_columns(X, self._pre).astype(np.float64)[:, self._inner]
                )
            else:
                out = self._imputer.transform(X[:, self.support_])
            if o["zscore"]:
                out = (out - self._mean) / self._std
        out = out.astype(np.float32)
        if not np.isfinite(out).all():
            n = int((~np.isfinite(out)).sum())
            raise SeqattnError(
                f"{n} missing values remain after preprocessing (impute={o.get('impute', 'none')}); "
                "pass --option impute=downshift|knn|min|mean|median"
            )
        return out

    def fit_transform(self, X, y=None, groups=None, **fit_params) -> np.ndarray:
        """``fit(X, y, groups)`` then ``transform(X)``."""
        return self.fit(X, y, groups).transform(X)


def make_fold_transformer(preset: str, *, rna_columns=None, **options) -> FoldTransformer:
    """A :class:`FoldTransformer` for ``preset``; options are validated now.

    Sample-stage options of the preset (e.g. ``log2``) are accepted and ignored, so the
    same option dict can be passed here and to :func:`seqattn.pp.preprocess`.
    ``rna_columns``: preset ``cite`` only, bool per column (see :class:`FoldTransformer`).

    Examples
    --------
    >>> import numpy as np
    >>> from seqattn.pp import make_fold_transformer
    >>> ft = make_fold_transformer("proteomics", min_valid=0.5, impute="median", zscore=True)
    >>> train = np.array([[1.0, np.nan, 5.0], [2.0, np.nan, 6.0], [3.0, 1.0, np.nan]])
    >>> ft.fit(train).support_  # the second feature has values in 1 of 3 training samples
    array([ True, False,  True])
    >>> ft.transform(np.array([[4.0, 2.0, np.nan]]))  # training median, then z-score
    array([[2.4494898, 0.       ]], dtype=float32)
    """
    _, fold = resolve_options(preset, options)
    return FoldTransformer(preset, fold, rna_columns=rna_columns)


def fold_transformer_from_adata(adata: ad.AnnData) -> FoldTransformer:
    """The transformer recorded by :func:`seqattn.pp.preprocess` in
    ``adata.uns["seqattn_preprocessing"]["fold"]``.

    Without that record (a file not made by ``seqattn preprocess``, or made with
    ``fold_safe=False``) it is the identity that only checks for NaN (preset ``none``:
    columns without a training value are dropped, any other NaN raises).

    Examples
    --------
    >>> import seqattn
    >>> adata = seqattn.pp.preprocess(seqattn.datasets.mice_protein(), "zscore")
    >>> ft = seqattn.pp.fold_transformer_from_adata(adata)
    >>> ft.preset, ft.options["impute"], ft.options["zscore"]
    ('zscore', 'median', True)
    >>> train, test = adata.X[:800], adata.X[800:]  # fit on the training rows only
    >>> ft.fit(train).transform(test).shape
    (280, 77)
    """
    record = adata.uns.get("seqattn_preprocessing", {})
    fold = record.get("fold")
    if fold is None:
        if record.get("mode") == "full":
            warnings.warn(
                "this AnnData was preprocessed with fold_safe=False (every step on all samples): "
                "cross-validated scores on it are optimistic",
                stacklevel=2,
            )
        return FoldTransformer("none", {})
    options = {k: _python(v) for k, v in dict(fold.get("options", {})).items()}
    preset = str(fold["preset"])
    rna = None
    if preset == "cite" and options.get("n_top_genes", 1):
        rna = rna_columns(adata, str(record.get("options", {}).get("rna_modality", "rna")))
    return make_fold_transformer(preset, rna_columns=rna, **options)


def rna_columns(adata: ad.AnnData, rna_modality: str) -> np.ndarray:
    """``var["modality"] == rna_modality`` (the columns where preset ``cite`` picks HVGs)."""
    if "modality" not in adata.var:
        raise SeqattnError(
            "preset 'cite' picks HVGs among the RNA columns but this AnnData has no "
            'var["modality"]; keep that column, or preprocess with --option n_top_genes=0'
        )
    return (adata.var["modality"].astype(str) == rna_modality).to_numpy()


# -- helpers -----------------------------------------------------------------------------
def _as_input(X, preset: str):
    sparse_ok = preset in ("scrna", "cite")
    if sp.issparse(X):
        if not sparse_ok:
            X = X.toarray()
        else:
            X = sp.csr_matrix(X)
            if not np.isfinite(X.data).all():
                raise SeqattnError(
                    f"X holds NaN or inf values; the {preset} steps need finite values"
                )
            return X
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise SeqattnError(f"X must be 2-dimensional (samples x features), got shape {X.shape}")
    if np.isinf(X).any():
        raise SeqattnError(
            f"X holds {int(np.isinf(X).sum())} infinite values; replace them with NaN or numbers"
        )
    if preset == "scrna" and np.isnan(X).any():
        raise SeqattnError("X holds NaN values; the scrna steps need counts without NaN")
    return X


def _hvg_among_rna(X, rna: np.ndarray, o: dict) -> tuple[np.ndarray, dict]:
    """Columns kept by HVG selection among the RNA columns: every non-RNA column, and the
    ``n_top_genes`` most variable RNA columns detected in the training rows."""
    import scanpy as sc

    rna_idx = np.flatnonzero(rna)
    sub = X[:, rna_idx]
    if not sp.issparse(sub) and np.isnan(sub).any():
        raise SeqattnError(
            "the RNA columns hold NaN and HVG selection needs values; fill them or pass the "
            "option n_top_genes=0"
        )
    detected = np.asarray((sub != 0).sum(axis=0)).ravel() > 0  # never seen: never kept
    pool = rna_idx[detected]
    chosen = pool
    if o["n_top_genes"] < pool.size:
        train = ad.AnnData(sub[:, detected])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=FutureWarning)
            hvg = sc.pp.highly_variable_genes(
                train, n_top_genes=o["n_top_genes"], flavor=o["hvg_flavor"], inplace=False
            )
        chosen = pool[np.asarray(hvg["highly_variable"], dtype=bool)]
    keep = ~rna
    keep[chosen] = True
    return keep, {"n_rna_in": int(rna.sum()), "n_rna_hvg": int(chosen.size)}


def _valid_fraction(valid: np.ndarray, y, mode: str) -> np.ndarray:
    if mode == "overall":
        return valid.mean(axis=0)
    if y is None:
        raise SeqattnError(f"completeness={mode} needs class labels: call fit(X, y)")
    y = np.asarray(y)
    if y.shape[0] != valid.shape[0]:
        raise SeqattnError(f"y has {y.shape[0]} labels but X has {valid.shape[0]} rows")
    per_class = np.vstack([valid[y == c].mean(axis=0) for c in np.unique(y)])
    return per_class.max(axis=0) if mode == "any_group" else per_class.min(axis=0)


def _dense_columns(X, mask: np.ndarray) -> np.ndarray:
    """Only the kept columns are densified (a cells x 2000 slice, not the whole matrix)."""
    sub = X[:, mask]
    return sub.toarray() if sp.issparse(sub) else np.asarray(sub)


def _python(v):
    """Values read back from .h5ad are numpy scalars; options want plain Python."""
    if isinstance(v, np.generic):
        return v.item()
    return v
