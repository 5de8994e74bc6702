"""Quality control of a (proteomics) matrix: valid values, missingness, intensity distributions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from seqattn._errors import SeqattnError
from seqattn.pl._io import PathLike, as_adata, categories, figure_function, new_figure

if TYPE_CHECKING:
    import anndata as ad
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Layer names searched (in this order) for raw intensities when ``raw_layer="auto"``.
RAW_LAYERS = ("raw", "raw_intensity", "raw_intensities", "intensity", "intensities", "counts")


def _rows(adata: ad.AnnData, idx: np.ndarray, layer: str | None, chunk: int = 256):
    """Dense float32 rows of ``X`` (or ``layer``) for the samples ``idx``, in chunks."""
    import scipy.sparse as sp

    x = adata.X if layer is None else adata.layers[layer]
    for start in range(0, idx.size, chunk):
        block = x[idx[start : start + chunk]]
        if sp.issparse(block):
            block = block.toarray()
        yield np.asarray(block, dtype=np.float32)


def _find_raw(adata: ad.AnnData, raw_layer: str | None) -> str | None:
    if raw_layer is None:
        return None
    if raw_layer != "auto":
        if raw_layer not in adata.layers:
            raise SeqattnError(
                f"layer {raw_layer!r} not in the data (has {', '.join(adata.layers) or 'none'})"
            )
        return raw_layer
    for name in RAW_LAYERS:
        if name in adata.layers:
            return name
    return None


def _quantile_rows(adata, idx, layer) -> tuple[np.ndarray, bool]:
    """Per-sample 5/25/50/75/95 % quantiles of the finite values (log2 of linear intensities)."""
    blocks = list(_rows(adata, idx, layer))
    q = []
    big = False
    if layer is not None:
        finite_max = max(
            (np.nanmax(np.where(np.isfinite(b), b, np.nan)) if np.isfinite(b).any() else -np.inf)
            for b in blocks
        )
        finite_min = min(
            (np.nanmin(np.where(np.isfinite(b), b, np.nan)) if np.isfinite(b).any() else np.inf)
            for b in blocks
        )
        big = finite_max > 100 and finite_min >= 0
    for b in blocks:
        b = b.astype(np.float64)
        if big:
            with np.errstate(divide="ignore", invalid="ignore"):
                b = np.where(b > 0, np.log2(b), np.nan)
        b = np.where(np.isfinite(b), b, np.nan)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            q.append(np.nanpercentile(b, [5, 25, 50, 75, 95], axis=1).T)
    return np.vstack(q), big


def _ribbon(ax: Axes, q: np.ndarray, colors: list[str] | None) -> None:
    x = np.arange(q.shape[0])
    ax.fill_between(x, q[:, 0], q[:, 4], color="0.85", linewidth=0, step="mid", label="5-95 %")
    ax.fill_between(x, q[:, 1], q[:, 3], color="0.6", linewidth=0, step="mid", label="25-75 %")
    ax.plot(x, q[:, 2], color="black", linewidth=0.7, drawstyle="steps-mid", label="median")
    ax.set_xlim(-0.5, q.shape[0] - 0.5)
    ax.set_xticks([])


def _class_strip(ax: Axes, codes: np.ndarray, colors: list[str]) -> None:
    from matplotlib.colors import ListedColormap

    cmap = ListedColormap(["#FFFFFF", *colors])
    ax.imshow(
        (codes + 1)[None, :],
        aspect="auto",
        cmap=cmap,
        vmin=0,
        vmax=len(colors),
        interpolation="nearest",
    )
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)


@figure_function
def qc(
    adata: ad.AnnData | PathLike,
    *,
    groupby: str | None = None,
    raw_layer: str | None = "auto",
    max_features: int = 60,
    max_samples: int = 2000,
    seed: int = 0,
    title: str | None = None,
) -> Figure:
    """QC of a matrix with missing values: valid values, missingness, intensity distributions.

    Panels, with samples in the same order on every x axis (by class, then by
    number of valid values):

    1. valid (non-missing) values per sample;
    2. missingness heatmap of the features that have missing values (the
       ``max_features`` most incomplete), with the missing fraction per feature;
    3. per-sample intensity distributions (median, 25-75 % and 5-95 % ranges)
       before normalisation (the raw-intensity layer, log2-transformed when it
       holds linear intensities) and after (``X``). Without a raw layer only ``X``
       is shown, and the title says so.

    Parameters
    ----------
    adata
        The data (AnnData or ``.h5ad`` path); NaN marks a missing value.
    groupby
        ``obs`` column to order and colour samples by (default:
        ``adata.uns["dataset"]["label"]`` when present).
    raw_layer
        Layer with the raw intensities; ``"auto"`` looks for one of
        :data:`RAW_LAYERS` (``adata.raw`` is not used: it often holds normalised
        values); ``None`` shows ``X`` only.
    max_features
        At most this many rows in the missingness heatmap.
    max_samples
        At most this many samples (random, ``seed``) in the heatmap and distributions.
    seed
        Seed of the sample subset.
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
    >>> fig = seqattn.pl.qc(seqattn.datasets.mice_protein())
    >>> fig.axes[0].get_title()
    '1080 samples x 77 features; 1396 missing values (1.68 %); dashed: all features'
    """
    import scipy.sparse as sp
    from matplotlib.patches import Patch

    adata = as_adata(adata)
    if adata.n_obs == 0 or adata.n_vars == 0:
        raise SeqattnError(f"the data are empty ({adata.n_obs} samples x {adata.n_vars} features)")
    if groupby is None:
        label = (
            adata.uns.get("dataset", {}).get("label")
            if isinstance(adata.uns.get("dataset"), dict)
            else None
        )
        groupby = label if label in adata.obs.columns else None
    raw = _find_raw(adata, raw_layer)

    x = adata.X
    if sp.issparse(x):
        nan = sp.csr_matrix(x.shape, dtype=bool)
        data = x.data
        if np.isnan(data).any():
            nan = sp.csr_matrix((np.isnan(data), x.indices, x.indptr), shape=x.shape)
        valid = adata.n_vars - np.asarray(nan.sum(axis=1)).ravel()
        miss_feat = np.asarray(nan.sum(axis=0)).ravel()
    else:
        nan = np.isnan(np.asarray(x, dtype=np.float32))
        valid = adata.n_vars - nan.sum(axis=1)
        miss_feat = nan.sum(axis=0)
    n_missing = int(miss_feat.sum())

    rng = np.random.default_rng(seed)
    idx = np.arange(adata.n_obs)
    if adata.n_obs > max_samples:
        idx = np.sort(rng.choice(adata.n_obs, size=max_samples, replace=False))
    if groupby is not None:
        cat, cats, colors = categories(adata, groupby)
        codes_all = np.asarray(cat.codes)
    else:
        cats, colors, codes_all = [], [], np.full(adata.n_obs, -1)
    codes = codes_all[idx]
    order = np.lexsort((-valid[idx], np.where(codes < 0, len(cats), codes)))
    idx, codes = idx[order], codes[order]

    feat_order = np.argsort(-miss_feat, kind="stable")
    feat_order = feat_order[miss_feat[feat_order] > 0][:max_features]
    n_rows = feat_order.size
    heat_h = float(np.clip(0.16 * n_rows, 1.0, 5.0)) if n_rows else 0.8
    q_after, _ = _quantile_rows(adata, idx, None)
    q_before, logged = _quantile_rows(adata, idx, raw) if raw is not None else (None, False)

    width = 11.0
    heights = [1.7, 0.12, heat_h, 2.0] + ([2.0] if q_before is not None else [])
    fig = new_figure((width, sum(heights) + 1.3), layout="constrained")
    gs = fig.add_gridspec(len(heights), 2, height_ratios=heights, width_ratios=[1, 0.18])
    ax_valid = fig.add_subplot(gs[0, 0])
    ax_strip = fig.add_subplot(gs[1, 0], sharex=ax_valid)
    ax_heat = fig.add_subplot(gs[2, 0], sharex=ax_valid)
    ax_frac = fig.add_subplot(gs[2, 1], sharey=ax_heat) if n_rows else None
    dist_axes = [fig.add_subplot(gs[r, 0], sharex=ax_valid) for r in range(3, len(heights))]

    # 1. valid values per sample
    n = idx.size
    xs = np.arange(n)
    for c in np.unique(codes):  # samples are sorted by class: one filled step area per class
        sel = np.nonzero(codes == c)[0]
        edges = np.r_[xs[sel] - 0.5, xs[sel][-1] + 0.5]
        ax_valid.stairs(
            valid[idx][sel],
            edges,
            fill=True,
            linewidth=0,
            color=colors[c] if c >= 0 and cats else "0.45",
        )
    ax_valid.axhline(adata.n_vars, color="black", linestyle="--", linewidth=0.8)
    lo = float(valid.min())
    bottom = 0.0 if lo >= adata.n_vars else max(0.0, lo - 0.1 * (adata.n_vars - lo) - 1)
    ax_valid.set_ylim(bottom, adata.n_vars * 1.02 + 0.5)
    ax_valid.set_ylabel("valid values\nper sample")
    ax_valid.tick_params(labelbottom=False, bottom=False)
    ax_valid.set_title(
        f"{adata.n_obs} samples x {adata.n_vars} features; {n_missing} missing values "
        f"({100 * n_missing / (adata.n_obs * adata.n_vars):.2f} %); dashed: all features",
        fontsize=9,
    )
    if cats and len(cats) <= 30:
        handles = [Patch(color=c, label=lab) for lab, c in zip(cats, colors, strict=True)]
        fig.legend(
            handles=handles,
            title=groupby,
            loc="outside right upper",
            frameon=False,
            ncols=1 if len(cats) <= 12 else 2,
            fontsize=7,
        )
    if cats:
        _class_strip(ax_strip, codes, colors)
        ax_strip.set_ylabel(groupby, rotation=0, ha="right", va="center", fontsize=7)
    else:
        ax_strip.set_axis_off()
    fig.add_subplot(gs[0, 1]).set_axis_off()
    fig.add_subplot(gs[1, 1]).set_axis_off()

    # 2. missingness heatmap
    if n_rows:
        from matplotlib.colors import ListedColormap

        if sp.issparse(nan):
            sub = nan[idx][:, feat_order].toarray()
        else:
            sub = nan[np.ix_(idx, feat_order)]
        ax_heat.imshow(
            sub.T.astype(float),
            aspect="auto",
            cmap=ListedColormap(["#F2F2F2", "#222222"]),
            vmin=0,
            vmax=1,
            interpolation="nearest",
            extent=(-0.5, n - 0.5, n_rows - 0.5, -0.5),
        )
        names = [str(v) for v in adata.var_names[feat_order]]
        ax_heat.set_yticks(np.arange(n_rows), labels=names, fontsize=7 if n_rows <= 30 else 5.5)
        more = int((miss_feat > 0).sum()) - n_rows
        ax_heat.set_title(
            f"missing values (black) in the {n_rows} most incomplete features"
            + (f" ({more} more features have missing values)" if more > 0 else ""),
            fontsize=9,
        )
        frac = miss_feat[feat_order] / adata.n_obs
        ax_frac.barh(np.arange(n_rows), frac, color="#444444", height=0.8)
        ax_frac.set_xlabel("missing\nfraction")
        ax_frac.tick_params(axis="y", labelleft=False, left=False)
        ax_frac.set_xlim(0, max(0.05, float(frac.max()) * 1.1))
        ax_frac.set_ylim(n_rows - 0.5, -0.5)
    else:
        ax_heat.text(
            0.5, 0.5, "no missing values", ha="center", va="center", transform=ax_heat.transAxes
        )
        ax_heat.set_yticks([])
        fig.add_subplot(gs[2, 1]).set_axis_off()
    ax_heat.tick_params(labelbottom=False, bottom=False)

    # 3. intensity distributions
    panels = []
    if q_before is not None:
        lname = f"layer '{raw}'"
        panels.append(
            (
                q_before,
                f"before normalisation: {lname}" + (" (log2)" if logged else ""),
                "log2 intensity" if logged else "value",
            )
        )
    after = (
        "after normalisation: X"
        if q_before is not None
        else ("X (no raw-intensity layer found: distributions after preprocessing only)")
    )
    panels.append((q_after, after, "value"))
    for r, (ax, (q, name, ylabel)) in enumerate(zip(dist_axes, panels, strict=True)):
        _ribbon(ax, q, colors or None)
        ax.set_title(f"per-sample distribution, {name}", fontsize=9)
        ax.set_ylabel(ylabel)
        last = r == len(panels) - 1
        ax.tick_params(labelbottom=False, bottom=False)
        if last:
            ax.set_xlabel(
                f"samples ({n}{' of ' + str(adata.n_obs) if n < adata.n_obs else ''}"
                f"{', ordered by ' + groupby if groupby else ''}, then by valid values)"
            )
            ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=7)
        fig.add_subplot(gs[3 + r, 1]).set_axis_off()
    name = (
        adata.uns.get("dataset", {}).get("name")
        if isinstance(adata.uns.get("dataset"), dict)
        else None
    )
    fig.suptitle(title or f"{name + ': ' if name else ''}data quality", fontsize=10)
    return fig


__all__ = ["RAW_LAYERS", "qc"]
