"""The final panel by class: z-scored heatmap, dotplot, and violins of the top markers."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.pl._io import (
    PathLike,
    TableLike,
    as_adata,
    categories,
    dense,
    figure_function,
    new_figure,
    resolve_features,
    zscore,
)

if TYPE_CHECKING:
    import anndata as ad
    from matplotlib.figure import Figure

CLIP = 3.0


def _panel_frame(
    adata: ad.AnnData,
    features: Iterable[str] | TableLike,
    groupby: str,
    *,
    k: int | None,
    layer: str | None,
) -> tuple[list[str], np.ndarray, pd.Categorical, list[str], list[str]]:
    adata = as_adata(adata)
    feats = resolve_features(features, adata, k=k)
    cat, cats, colors = categories(adata, groupby)
    x = dense(adata, feats, layer)
    return feats, x, cat, cats, colors


def _subsample(cat: pd.Categorical, max_per_group: int | None, seed: int = 0) -> np.ndarray:
    codes = np.asarray(cat.codes)
    idx = np.nonzero(codes >= 0)[0]
    if max_per_group is None:
        return idx
    rng = np.random.default_rng(seed)
    keep = []
    for c in np.unique(codes[idx]):
        members = idx[codes[idx] == c]
        if members.size > max_per_group:
            members = np.sort(rng.choice(members, size=max_per_group, replace=False))
        keep.append(members)
    return np.sort(np.concatenate(keep)) if keep else idx


@figure_function
def panel_heatmap(
    adata: ad.AnnData | PathLike,
    features: Iterable[str] | TableLike,
    groupby: str,
    *,
    k: int | None = None,
    layer: str | None = None,
    max_per_group: int | None = 300,
    title: str | None = None,
) -> Figure:
    """Per-sample heatmap of the panel, z-scored per feature, samples grouped by class.

    Drawn with :func:`scanpy.pl.heatmap` on a copy whose values are the
    per-feature z-scores over all samples, clipped at ±3. Missing values stay
    blank (white).

    Parameters
    ----------
    adata
        The data (AnnData or ``.h5ad`` path); values from ``X`` or ``layer``.
    features
        Panel feature names, best first, or a panel table (DataFrame or path).
    groupby
        ``obs`` column with the class labels.
    k
        Show only the first ``k`` features.
    layer
        Use this layer instead of ``X``.
    max_per_group
        At most this many samples per class (random, seed 0) so that large
        single-cell data stay legible; ``None`` keeps all.
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
    >>> fig = seqattn.pl.panel_heatmap(adata, panel, "class")
    >>> fig.axes[0].get_title()
    'Panel of 4 features: per-feature z-scores by class (1080 samples)'
    """
    import anndata as ad
    import scanpy as sc

    feats, x, cat, cats, colors = _panel_frame(adata, features, groupby, k=k, layer=layer)
    z = np.clip(zscore(x), -CLIP, CLIP)
    keep = _subsample(cat, max_per_group)
    obs = pd.DataFrame({groupby: cat[keep]}, index=[f"s{i}" for i in keep])
    tmp = ad.AnnData(z[keep].astype(np.float32), obs=obs, var=pd.DataFrame(index=feats))
    tmp.uns[f"{groupby}_colors"] = colors
    n_feat = len(feats)
    width = min(16.0, max(7.0, 3.0 + 0.18 * len(cats)))
    height = 1.3 + 0.22 * n_feat + 0.06 * max(len(c) for c in cats)
    axd = sc.pl.heatmap(
        tmp,
        feats,
        groupby,
        swap_axes=True,
        cmap="RdBu_r",
        vmin=-CLIP,
        vmax=CLIP,
        vcenter=0.0,
        show=False,
        figsize=(width, height),
        show_gene_labels=True,
    )
    fig = axd["heatmap_ax"].figure
    axd["heatmap_ax"].tick_params(axis="y", labelsize=8 if n_feat <= 40 else 6)
    known = set(axd.values())
    for ax in fig.axes:
        if ax not in known and ax.get_label() != "<colorbar>" and ax.get_images() == []:
            bbox = ax.get_position()
            if bbox.width < 0.06:
                ax.set_ylabel(f"z-score (clipped at ±{CLIP:g})", fontsize=8)
    n_shown = len(keep)
    sub = (
        ""
        if n_shown == int((np.asarray(cat.codes) >= 0).sum())
        else (f", at most {max_per_group} random samples per class")
    )
    axd["heatmap_ax"].set_title(
        title
        or f"Panel of {n_feat} features: per-feature z-scores by {groupby} "
        f"({n_shown} samples{sub})",
        fontsize=10,
    )
    return fig


def _size_mode(x: np.ndarray, size: str) -> str:
    if size != "auto":
        return size
    finite = x[np.isfinite(x)]
    if finite.size and finite.min() >= 0 and np.mean(finite == 0) >= 0.1:
        return "detected"
    return "above_median"


@figure_function
def panel_dotplot(
    adata: ad.AnnData | PathLike,
    features: Iterable[str] | TableLike,
    groupby: str,
    *,
    k: int | None = None,
    layer: str | None = None,
    size: Literal["auto", "detected", "above_median", "valid"] = "auto",
    swap_axes: bool | None = None,
    title: str | None = None,
) -> Figure:
    """Dotplot of the panel by class: colour = mean z-score, size = a per-class fraction.

    Drawn with :class:`scanpy.pl.DotPlot` from precomputed tables so that
    missing values and signed (log-ratio) proteomics data are handled:

    - colour: the class mean of the per-feature z-scores (missing values ignored);
    - size (``size``): ``"detected"`` - fraction of samples with a value > 0
      (count data); ``"above_median"`` - fraction above the feature's median
      over all samples (continuous data); ``"valid"`` - fraction of non-missing
      values; ``"auto"`` picks ``detected`` for non-negative data with at least
      10 % zeros and ``above_median`` otherwise.

    Parameters
    ----------
    adata, features, groupby, k, layer
        As in :func:`panel_heatmap`.
    size
        What the dot size shows (see above).
    swap_axes
        Features on the y axis; default when there are more features than classes
        and more than 25 features.
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
    >>> fig = seqattn.pl.panel_dotplot(adata, panel, "class")  # continuous data: above median
    >>> fig.axes[0].get_title()
    'Panel of 4 features by class'
    """
    import warnings

    import anndata as ad
    import scanpy as sc

    feats, x, cat, cats, colors = _panel_frame(adata, features, groupby, k=k, layer=layer)
    mode = _size_mode(x, size)
    keep = np.asarray(cat.codes) >= 0
    x, lab = x[keep], np.asarray(cat)[keep]
    z = zscore(x)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if mode == "detected":
            hit = np.where(np.isnan(x), np.nan, (x > 0).astype(float))
            size_title = "fraction with\nvalue > 0 (%)"
        elif mode == "above_median":
            med = np.nanmedian(x, axis=0)
            hit = np.where(np.isnan(x), np.nan, (x > med).astype(float))
            size_title = "fraction above the\nfeature median (%)"
        elif mode == "valid":
            hit = (~np.isnan(x)).astype(float)
            size_title = "fraction of valid\n(non-missing) values (%)"
        else:
            raise SeqattnError(f"size={size!r} is not auto, detected, above_median or valid")
        color_df = pd.DataFrame(z, columns=feats).groupby(lab, observed=True).mean()
        size_df = pd.DataFrame(hit, columns=feats).groupby(lab, observed=True).mean()
    color_df = color_df.reindex(cats).fillna(0.0)
    size_df = size_df.reindex(cats).fillna(0.0)
    color_df.index.name = size_df.index.name = groupby
    obs = pd.DataFrame(
        {groupby: pd.Categorical(lab, categories=cats)}, index=[f"s{i}" for i in range(len(lab))]
    )
    tmp = ad.AnnData(np.nan_to_num(z).astype(np.float32), obs=obs, var=pd.DataFrame(index=feats))
    tmp.uns[f"{groupby}_colors"] = colors
    if swap_axes is None:
        swap_axes = len(feats) > 25 and len(feats) > len(cats)
    n_rows, n_cols = (len(feats), len(cats)) if swap_axes else (len(cats), len(feats))
    figsize = (max(n_cols * 0.37, 2.0) + 1.6 + 0.8, max(n_rows * 0.33, 2.6))
    lim = float(np.nanmax(np.abs(color_df.to_numpy()))) if color_df.size else 1.0
    lim = max(0.5, math.ceil(lim * 4) / 4)
    dp = sc.pl.DotPlot(
        tmp,
        feats,
        groupby,
        categories_order=cats,
        dot_color_df=color_df,
        dot_size_df=size_df,
        vmin=-lim,
        vmax=lim,
        vcenter=0.0,
        title=title or f"Panel of {len(feats)} features by {groupby}",
        figsize=figsize,
    )
    # smallest_dot: a class where no sample qualifies still shows its mean colour
    dp.style(cmap="RdBu_r", dot_edge_color="0.3", dot_edge_lw=0.3, smallest_dot=6.0)
    dp.legend(colorbar_title="mean z-score\nin class", size_title=size_title, width=1.6)
    if swap_axes:
        dp.swap_axes()
    dp.make_figure()
    return dp.fig


@figure_function
def marker_violins(
    adata: ad.AnnData | PathLike,
    features: Iterable[str] | TableLike,
    groupby: str,
    *,
    n: int = 6,
    layer: str | None = None,
    kind: Literal["violin", "box"] = "violin",
    title: str | None = None,
) -> Figure:
    """Violin (or box) plots of the top ``n`` panel markers, one panel per marker, by class.

    Parameters
    ----------
    adata
        The data (AnnData or ``.h5ad`` path); values from ``X`` or ``layer``,
        missing values dropped per class.
    features
        Panel feature names, best first, or a panel table.
    groupby
        ``obs`` column with the class labels.
    n
        How many top markers to draw.
    layer
        Use this layer instead of ``X``.
    kind
        ``"violin"`` (with the median marked) or ``"box"``.
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
    >>> fig = seqattn.pl.marker_violins(adata, panel, "class", n=3)
    >>> [ax.get_title() for ax in fig.axes[:3]]
    ['1. SOD1_N', '2. CaNA_N', '3. Ubiquitin_N']
    """
    if kind not in ("violin", "box"):
        raise SeqattnError(f"kind={kind!r} is not 'violin' or 'box'")
    feats, x, cat, cats, colors = _panel_frame(adata, features, groupby, k=n, layer=layer)
    codes = np.asarray(cat.codes)
    n_cls = len(cats)
    ncols = 3 if n_cls <= 8 else (2 if n_cls <= 16 else 1)
    ncols = min(ncols, len(feats))
    nrows = math.ceil(len(feats) / ncols)
    longest = max(len(c) for c in cats)
    rotate = n_cls > 6 or longest > 8
    panel_w = max(3.2, 0.75 + 0.32 * n_cls)
    label_h = (0.07 * min(longest, 30) + 0.2) if rotate else 0.3
    fig = new_figure((panel_w * ncols, 2.1 * nrows + label_h + 0.5), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    pos = np.arange(1, n_cls + 1)
    for i, feat in enumerate(feats):
        ax = axes[i // ncols][i % ncols]
        data, at, cols = [], [], []
        for c in range(n_cls):
            v = x[codes == c, i]
            v = v[np.isfinite(v)]
            if v.size:
                data.append(v)
                at.append(pos[c])
                cols.append(colors[c])
        if not data:
            ax.text(0.5, 0.5, "no values", ha="center", va="center", transform=ax.transAxes)
        elif kind == "violin":
            multi = [d for d in data if d.size > 1 and np.ptp(d) > 0]
            if multi:
                parts = ax.violinplot(
                    [d for d in data if d.size > 1 and np.ptp(d) > 0],
                    positions=[
                        p for p, d in zip(at, data, strict=True) if d.size > 1 and np.ptp(d) > 0
                    ],
                    widths=0.8,
                    showextrema=False,
                )
                shown = [c for c, d in zip(cols, data, strict=True) if d.size > 1 and np.ptp(d) > 0]
                for body, c in zip(parts["bodies"], shown, strict=True):
                    body.set_facecolor(c)
                    body.set_edgecolor("0.25")
                    body.set_linewidth(0.5)
                    body.set_alpha(0.85)
            med = [float(np.median(d)) for d in data]
            ax.scatter(at, med, s=10, color="white", edgecolors="black", linewidths=0.6, zorder=3)
        else:
            bp = ax.boxplot(
                data,
                positions=at,
                widths=0.6,
                patch_artist=True,
                flierprops={"markersize": 1.5, "alpha": 0.4},
                medianprops={"color": "black"},
            )
            for box, c in zip(bp["boxes"], cols, strict=True):
                box.set_facecolor(c)
                box.set_alpha(0.85)
        ax.set_title(f"{i + 1}. {feat}", fontsize=9)
        ax.set_xticks(pos)
        ax.set_xlim(0.4, n_cls + 0.6)
        if i + ncols >= len(feats):
            ax.set_xticklabels(cats, rotation=90 if rotate else 0, fontsize=8 if n_cls <= 20 else 7)
        else:
            ax.set_xticklabels([])
        if i % ncols == 0:
            ax.set_ylabel(layer or "value")
    for j in range(len(feats), nrows * ncols):
        axes[j // ncols][j % ncols].set_axis_off()
    fig.suptitle(title or f"Top {len(feats)} panel markers by {groupby}", fontsize=10)
    return fig


__all__ = ["marker_violins", "panel_dotplot", "panel_heatmap"]
