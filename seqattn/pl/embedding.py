"""Embeddings of the samples on all features vs on the panel, coloured by class (and group)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

import numpy as np

from seqattn._errors import SeqattnError
from seqattn.pl._io import (
    PathLike,
    TableLike,
    as_adata,
    categories,
    dense,
    figure_function,
    median_impute,
    new_figure,
    resolve_features,
    zscore,
)

if TYPE_CHECKING:
    import anndata as ad
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MAX_LEGEND = 40


def _pca(x, n: int = 2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """First ``n`` principal components and their explained-variance ratios."""
    import scipy.sparse as sp
    from sklearn.decomposition import PCA

    n = max(1, min(n, x.shape[1], x.shape[0] - 1))
    solver = "arpack" if sp.issparse(x) else ("randomized" if min(x.shape) > 500 else "full")
    if solver == "arpack" and n >= min(x.shape):
        x, solver = x.toarray(), "full"
    pca = PCA(n_components=n, svd_solver=solver, random_state=seed)
    y = pca.fit_transform(x)
    return y, pca.explained_variance_ratio_


def _umap(x, seed: int = 0) -> np.ndarray:
    import anndata as ad
    import scanpy as sc

    pcs, _ = _pca(x, n=min(30, x.shape[1], x.shape[0] - 1), seed=seed)
    tmp = ad.AnnData(np.zeros((pcs.shape[0], 1), dtype=np.float32))
    tmp.obsm["X_pcs"] = pcs
    sc.pp.neighbors(
        tmp, use_rep="X_pcs", n_neighbors=min(15, max(2, pcs.shape[0] - 1)), random_state=seed
    )
    sc.tl.umap(tmp, random_state=seed)
    return np.asarray(tmp.obsm["X_umap"])


def _prepare(adata: ad.AnnData, features: list[str] | None, layer: str | None):
    import scipy.sparse as sp

    sub = adata if features is None else adata[:, features]
    x = sub.layers[layer] if layer is not None else sub.X
    if sp.issparse(x):
        return sp.csr_matrix(x, dtype=np.float64), 0
    x, n_imputed = median_impute(dense(sub, None, layer))
    return np.nan_to_num(zscore(x)), n_imputed


def _scatter(
    ax: Axes, y: np.ndarray, codes: np.ndarray, colors: list[str], order: np.ndarray, size: float
) -> None:
    valid = order[codes[order] >= 0]
    c = np.array(colors, dtype=object)[codes[valid]]
    ax.scatter(
        y[valid, 0], y[valid, 1], c=list(c), s=size, linewidths=0, alpha=0.85, rasterized=True
    )
    missing = order[codes[order] < 0]
    if missing.size:
        ax.scatter(y[missing, 0], y[missing, 1], c="0.8", s=size, linewidths=0, rasterized=True)
    ax.set_xticks([])
    ax.set_yticks([])


@figure_function
def embedding(
    adata: ad.AnnData | PathLike,
    features: Iterable[str] | TableLike,
    groupby: str,
    *,
    group: str | None = None,
    basis: Literal["pca", "umap"] = "pca",
    k: int | None = None,
    layer: str | None = None,
    max_points: int | None = 20000,
    seed: int = 0,
    title: str | None = None,
) -> Figure:
    """PCA (or UMAP) of the samples on all features vs on the panel only.

    One column per feature set; one row coloured by ``groupby`` and, when given,
    a second row coloured by ``group`` (e.g. batch, patient, mouse). Dense data
    are z-scored per feature before PCA; missing values are imputed by the
    feature median for display only (the title says how many); sparse data are
    used as they are.

    Parameters
    ----------
    adata
        The data (AnnData or ``.h5ad`` path).
    features
        Panel feature names, best first, or a panel table (DataFrame or path).
    groupby
        ``obs`` column with the class labels.
    group
        Optional ``obs`` column (batch, patient, ...) for a second row.
    basis
        ``"pca"`` (default, fast) or ``"umap"`` (scanpy neighbours + UMAP on 30 PCs).
    k
        Use only the first ``k`` panel features.
    layer
        Use this layer instead of ``X``.
    max_points
        Randomly keep at most this many samples (seed ``seed``); ``None`` keeps all.
    seed
        Random seed for subsampling, PCA and UMAP.
    title
        Figure title.
    save
        Path or paths (``.png``, ``.pdf``, ``.svg``) to write.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import seqattn
    >>> adata = seqattn.datasets.mice_protein()
    >>> panel = ["SOD1_N", "CaNA_N", "Ubiquitin_N", "pPKCG_N"]  # names, best first, or a panel table
    >>> fig = seqattn.pl.embedding(adata, panel, "class", group="mouse")
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['all 77 features, coloured by class', 'panel (4 features), coloured by class']
    """
    if basis not in ("pca", "umap"):
        raise SeqattnError(f"basis={basis!r} is not 'pca' or 'umap'")
    adata = as_adata(adata)
    feats = resolve_features(features, adata, k=k)
    keys = [groupby] + ([group] if group else [])
    colorings = [categories(adata, key) for key in keys]
    rng = np.random.default_rng(seed)
    idx = np.arange(adata.n_obs)
    if max_points is not None and adata.n_obs > max_points:
        idx = np.sort(rng.choice(adata.n_obs, size=max_points, replace=False))
    sub = adata[idx]
    order = rng.permutation(len(idx))  # draw in random order: no class hides another
    embeds, axis_labels, imputed = [], [], 0
    for fs in (None, feats):
        x, n_imp = _prepare(sub, fs, layer)
        imputed = max(imputed, n_imp)
        if x.shape[1] == 1:
            y = np.c_[
                np.asarray(x.todense() if hasattr(x, "todense") else x)[:, 0],
                rng.uniform(-1, 1, x.shape[0]),
            ]
            scaled = "value" if hasattr(x, "todense") else "z-score"
            labels = (f"{feats[0]} ({scaled})", "random jitter")
        elif basis == "pca":
            y, ratio = _pca(x, 2, seed)
            labels = tuple(f"PC{i + 1} ({100 * r:.1f} %)" for i, r in enumerate(ratio))
        else:
            y = _umap(x, seed)
            labels = ("UMAP1", "UMAP2")
        embeds.append(y)
        axis_labels.append(labels)
    n = len(idx)
    size = float(np.clip(6000 / n, 1.5, 28))
    nrows = len(keys)
    legend_w = max(1.8, 0.065 * max(len(c) for c in colorings[0][1]) + 0.8)
    fig = new_figure((2 * 3.5 + legend_w, 3.4 * nrows + 0.6), layout="constrained")
    axes = fig.subplots(nrows, 2, squeeze=False)
    col_titles = [
        f"all {adata.n_vars} features",
        f"panel ({len(feats)} feature{'s' if len(feats) > 1 else ''})",
    ]
    for r, (key, (cat, cats, colors)) in enumerate(zip(keys, colorings, strict=True)):
        codes = np.asarray(cat.codes)[idx]
        for c in range(2):
            ax = axes[r][c]
            _scatter(ax, embeds[c], codes, colors, order, size)
            ax.set_xlabel(axis_labels[c][0])
            ax.set_ylabel(axis_labels[c][1])
            ax.set_title(f"{col_titles[c]}, coloured by {key}", fontsize=9)
        if len(cats) <= MAX_LEGEND:
            from matplotlib.lines import Line2D

            handles = [
                Line2D([], [], marker="o", linestyle="", color=col, markersize=5, label=lab)
                for lab, col in zip(cats, colors, strict=True)
            ]
            axes[r][1].legend(
                handles=handles,
                title=key,
                loc="upper left",
                bbox_to_anchor=(1.02, 1.0),
                frameon=False,
                ncols=1 if len(cats) <= 16 else 2,
                fontsize=7 if len(cats) > 16 else 8,
                handletextpad=0.2,
                columnspacing=0.8,
            )
        else:
            axes[r][1].text(
                1.03,
                0.5,
                f"{len(cats)} {key} values\n(legend omitted)",
                transform=axes[r][1].transAxes,
                va="center",
                fontsize=8,
            )
    notes = [f"{basis.upper()} of {n} samples"]
    if n < adata.n_obs:
        notes.append(f"random subset of {adata.n_obs}")
    if imputed:
        notes.append(f"{imputed} missing values imputed by the feature median for display only")
    fig.suptitle(
        (title or "Samples on all features vs on the panel") + "\n" + "; ".join(notes), fontsize=10
    )
    return fig


__all__ = ["embedding"]
