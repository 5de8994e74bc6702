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


def clr(X) -> np.ndarray:
    """Per-cell centred log-ratio of antibody counts (Seurat's CLR with ``margin=2``).

    For each row (cell) ``x`` over its ``D`` antibody columns:
    ``clr(x)_j = log1p(x_j / g(x))`` with ``g(x) = exp(sum_k log1p(x_k) / D)``, natural
    logs; the same as Seurat ``NormalizeData(normalization.method="CLR", margin=2)`` and
    muon ``prot.pp.clr(adata, axis=1)``. Each cell is scaled by its own geometric mean only.

    Examples
    --------
    >>> import numpy as np
    >>> from seqattn.pp.per_sample import clr
    >>> X = np.array([[1.0, 1.0, 1.0], [0.0, 3.0, 15.0]])  # g = 2 and 4
    >>> np.exp(clr(X))  # 1 + x / g
    array([[1.5 , 1.5 , 1.5 ],
           [1.  , 1.75, 4.75]])
    """
    X = X.toarray() if sp.issparse(X) else np.asarray(X, dtype=np.float64)
    X = X.astype(np.float64, copy=False)
    g = np.exp(np.log1p(X).mean(axis=1, keepdims=True))
    return np.log1p(X / g)


_clr = clr  # cite_per_cell's option ``clr`` shadows the function's name


def cite_per_cell(
    adata: ad.AnnData,
    *,
    rna_modality: str,
    protein_modality: str,
    min_genes: int,
    target_sum: float,
    log1p: bool,
    clr: bool,
) -> tuple[ad.AnnData, dict]:
    """CITE-seq per-cell steps, each modality on its own columns (``var["modality"]``).

    RNA columns: scrna's ``filter_cells(min_genes)``, ``normalize_total(target_sum)`` and
    ``log1p`` over the RNA columns only (antibody counts do not change the size factors).
    Protein columns: the per-cell centred log-ratio (:func:`clr`). Column order is kept.
    """
    src = _source(adata)
    mods = _modalities(adata, src, rna_modality, protein_modality)
    rna, prot = mods == rna_modality, mods == protein_modality
    X = adata.X
    for mask, name, opt in ((rna, "RNA", "rna_modality"), (prot, "protein", "protein_modality")):
        block = X[:, mask]
        values = block.data if sp.issparse(block) else np.asarray(block)
        if values.size and np.isnan(values).any():
            raise SeqattnError(
                f"{src}: the {name} columns ({opt} {mods[mask][0]!r}) hold NaN and the cite "
                "preset needs counts; fill or drop those cells"
            )
        if values.size and values.min() < 0 and (name == "RNA" or clr):
            fix = (
                "give the raw counts or use --preset zscore"
                if name == "RNA"
                else "give the raw antibody counts, or pass --option clr=false if they are "
                "normalised already"
            )
            raise SeqattnError(
                f"{src}: the {name} columns ({opt} {mods[mask][0]!r}) have negative values, so "
                f"they are not raw counts; {fix}"
            )
    rna_ad = ad.AnnData(X[:, rna].copy())
    rna_ad.obs_names = adata.obs_names
    rna_ad.obs["_row"] = np.arange(adata.n_obs)
    rna_ad, details = scrna_per_cell(
        rna_ad, min_genes=min_genes, target_sum=target_sum, log1p=log1p
    )
    rows = rna_ad.obs["_row"].to_numpy()
    details["filter_cells"]["columns"] = rna_modality
    details["normalize_total"]["columns"] = rna_modality
    details["normalize_total"]["n_columns"] = int(rna.sum())
    if rows.size < adata.n_obs:
        adata = adata[rows].copy()
        X = adata.X
    prot_X = X[:, prot]
    if clr:
        prot_X = _clr(prot_X)
        details["clr"] = {
            "columns": protein_modality,
            "n_columns": int(prot.sum()),
            "formula": "log1p(x / exp(mean(log1p(x)))) per cell over the protein columns",
        }
    rna_X = rna_ad.X
    idx = np.concatenate([np.flatnonzero(rna), np.flatnonzero(prot)])
    if sp.issparse(rna_X):
        out = sp.hstack([rna_X, sp.csr_matrix(prot_X)], format="csr", dtype=np.float32)
    else:
        out = np.hstack([np.asarray(rna_X), _as_dense(prot_X)]).astype(np.float32, copy=False)
    if not np.array_equal(idx, np.arange(idx.size)):
        out = out[:, np.argsort(idx)]
    adata.X = out
    return adata, details


def _as_dense(X) -> np.ndarray:
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def _modalities(
    adata: ad.AnnData, src: str, rna_modality: str, protein_modality: str
) -> np.ndarray:
    """``var["modality"]`` as strings; raise unless it holds exactly the two modalities."""
    if "modality" not in adata.var:
        raise SeqattnError(
            f'{src}: the cite preset needs var["modality"] naming each feature\'s modality; read '
            "a .h5mu or add that column (values set by --option rna_modality=... and "
            "protein_modality=...)"
        )
    mods = adata.var["modality"].astype(str).to_numpy()
    found = list(dict.fromkeys(mods))
    for value, opt in ((rna_modality, "rna_modality"), (protein_modality, "protein_modality")):
        if value not in found:
            raise SeqattnError(
                f"{src}: no feature has modality {value!r} (the file has {preview(found)}); set "
                f"--option {opt}=NAME"
            )
    other = [m for m in found if m not in (rna_modality, protein_modality)]
    if other:
        raise SeqattnError(
            f"{src}: modality {preview(other)} is neither rna_modality {rna_modality!r} nor "
            f"protein_modality {protein_modality!r}; set one of those options to it or leave "
            "that modality out of the file"
        )
    return mods
