"""Steps that look at one sample (row) at a time.

None of them learns anything from other samples or from labels, so running them on the
whole file before the cross-validation split leaks nothing. Each changes ``adata`` in
place and returns a small dict of what it did, which :func:`seqattn.pp.preprocess`
records in ``adata.uns["seqattn_preprocessing"]``.
"""

from __future__ import annotations

import warnings

import anndata as ad
import numpy as np
import scipy.sparse as sp

from seqattn._errors import SeqattnError
from seqattn.io._checks import preview


def _source(adata: ad.AnnData) -> str:
    return str(adata.uns.get("seqattn_io", {}).get("path", "the data"))


def _dense(adata: ad.AnnData) -> np.ndarray:
    """``X`` as a dense float32 array (proteomics matrices are small and hold NaN)."""
    X = adata.X.toarray() if sp.issparse(adata.X) else np.asarray(adata.X)
    if X.dtype != np.float32:
        X = X.astype(np.float32)
    adata.X = X
    return X


def zeros_to_nan(adata: ad.AnnData) -> dict:
    """Zeros become NaN: mass-spec tools write 0 for "not quantified".

    Examples
    --------
    >>> import anndata as ad
    >>> import numpy as np
    >>> import seqattn
    >>> adata = ad.AnnData(np.array([[0.0, 8.0], [4.0, 0.0]], dtype=np.float32))
    >>> seqattn.pp.zeros_to_nan(adata)
    {'n_values': 2}
    >>> adata.X
    array([[nan,  8.],
           [ 4., nan]], dtype=float32)
    """
    X = _dense(adata)
    zeros = X == 0
    X[zeros] = np.nan
    return {"n_values": int(zeros.sum())}


def drop_empty(adata: ad.AnnData) -> tuple[ad.AnnData, dict]:
    """Drop features and samples without a single value, with a warning that counts them.

    A feature missing in every sample carries no information for any split, so dropping
    it before the split is safe; a sample without values cannot be classified.

    Examples
    --------
    >>> import anndata as ad
    >>> import numpy as np
    >>> import seqattn
    >>> X = np.array([[1.0, np.nan], [2.0, np.nan], [np.nan, np.nan]], dtype=np.float32)
    >>> adata, details = seqattn.pp.drop_empty(ad.AnnData(X))  # warns: 1 feature, 1 sample
    >>> adata.shape
    (2, 1)
    >>> details
    {'n_features_dropped': 1, 'n_samples_dropped': 1, 'samples_dropped': ['2']}
    """
    X = _dense(adata)
    valid = ~np.isnan(X)
    keep_var, keep_obs = valid.any(axis=0), valid.any(axis=1)
    n_var, n_obs = int((~keep_var).sum()), int((~keep_obs).sum())
    src = _source(adata)
    if not keep_var.any() or not keep_obs.any():
        raise SeqattnError(
            f"{src}: every value is missing; check the file and the intensity columns"
        )
    if n_var:
        warnings.warn(f"{src}: dropped {n_var} features with no value in any sample", stacklevel=3)
    if n_obs:
        names = adata.obs_names[~keep_obs]
        warnings.warn(
            f"{src}: dropped {n_obs} samples with no value for any feature: {preview(names)}",
            stacklevel=3,
        )
    details = {"n_features_dropped": n_var, "n_samples_dropped": n_obs}
    if n_obs:
        details["samples_dropped"] = [str(s) for s in adata.obs_names[~keep_obs]]
    if n_var or n_obs:
        adata = adata[keep_obs, keep_var].copy()
    return adata, details


def log2(adata: ad.AnnData) -> dict:
    """log2 of every value; negative values or zeros raise (already logged, or zeros kept).

    Examples
    --------
    >>> import anndata as ad
    >>> import numpy as np
    >>> import seqattn
    >>> adata = ad.AnnData(np.array([[1.0, 8.0], [4.0, np.nan]], dtype=np.float32))
    >>> seqattn.pp.log2(adata)
    {}
    >>> adata.X
    array([[ 0.,  3.],
           [ 2., nan]], dtype=float32)
    """
    X = _dense(adata)
    src = _source(adata)
    if np.nanmin(X) < 0:
        raise SeqattnError(
            f"{src}: X has negative values (min {float(np.nanmin(X)):.3g}), so it looks log-"
            "transformed or centred already; pass --option log2=false"
        )
    n_zero = int((X == 0).sum())
    if n_zero:
        raise SeqattnError(
            f"{src}: X has {n_zero} zeros and log2(0) is -inf; keep zeros_to_nan=true (zeros are "
            "missing) or pass --option log2=false"
        )
    with np.errstate(invalid="ignore"):
        np.log2(X, out=X)
    return {}


def median_center(adata: ad.AnnData) -> dict:
    """Subtract each sample's median (over its own non-missing values).

    Equalises loading differences between runs; each sample is centred on itself only.

    Examples
    --------
    >>> import anndata as ad
    >>> import numpy as np
    >>> import seqattn
    >>> X = np.array([[1.0, 2.0, 6.0], [3.0, 5.0, np.nan]], dtype=np.float32)
    >>> adata = ad.AnnData(X)
    >>> seqattn.pp.median_center(adata)  # the medians are 2 and 4
    {'median_of_medians': 3.0}
    >>> adata.X
    array([[-1.,  0.,  4.],
           [-1.,  1., nan]], dtype=float32)
    """
    X = _dense(adata)
    medians = np.nanmedian(X, axis=1)
    X -= medians[:, None]
    return {"median_of_medians": float(np.median(medians))}


def scrna_per_cell(
    adata: ad.AnnData, *, min_genes: int, target_sum: float, log1p: bool
) -> tuple[ad.AnnData, dict]:
    """scanpy's per-cell steps: ``filter_cells(min_genes)``, ``normalize_total``, ``log1p``.

    ``target_sum`` is always a number here: scanpy's default (``None``) scales to the median
    total count over all cells, which looks across samples.
    """
    import scanpy as sc

    src = _source(adata)
    X = adata.X
    values = X.data if sp.issparse(X) else np.asarray(X)
    if values.size and np.isnan(values).any():
        raise SeqattnError(
            f"{src}: the scrna preset needs counts without NaN; fill or drop those cells"
        )
    if values.size and values.min() < 0:
        raise SeqattnError(
            f"{src}: X has negative values, so it is not raw counts (scaled or centred already); "
            "use --preset zscore or none, or give the raw counts"
        )
    if X.dtype != np.float32:
        adata.X = X.astype(np.float32)
    details: dict = {}
    n0 = adata.n_obs
    if min_genes:
        keep, _ = sc.pp.filter_cells(adata.X, min_genes=min_genes, inplace=False)
        if not keep.any():
            raise SeqattnError(
                f"{src}: no cell has {min_genes} detected genes; lower it with --option min_genes=N"
            )
        if not keep.all():
            warnings.warn(
                f"{src}: dropped {int((~keep).sum())} cells with fewer than {min_genes} detected genes",
                stacklevel=3,
            )
            adata = adata[keep].copy()
    details["filter_cells"] = {"min_genes": min_genes, "n_cells_dropped": n0 - adata.n_obs}
    sc.pp.normalize_total(adata, target_sum=target_sum)
    details["normalize_total"] = {"target_sum": float(target_sum)}
    if log1p:
        sc.pp.log1p(adata)
        details["log1p"] = {}
    return adata, details
