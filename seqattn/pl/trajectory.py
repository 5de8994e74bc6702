"""The Sequential Attention trajectory: attention over the leading candidates at every step."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Literal

import numpy as np

from seqattn._errors import SeqattnError
from seqattn.pl._io import TableLike, figure_function, new_figure, read_table
from seqattn.pl._style import METHOD_COLORS, REFERENCE_METHOD

if TYPE_CHECKING:
    import anndata as ad
    from matplotlib.figure import Figure


def attention_matrix(
    data: TableLike | ad.AnnData | np.ndarray,
    *,
    feature_names: Sequence[str] | None = None,
    order: Sequence[str | int] | None = None,
    key: str = "seqattn",
    group: str | None = None,
) -> tuple[np.ndarray, list[str], list[str]]:
    """Attention history as ``(steps x features array, feature names, selection order)``.

    Parameters
    ----------
    data
        One of: the wide attention table (DataFrame or TSV path with columns
        ``step, selected, <feature 1>, ...``); an AnnData whose ``uns[key]``
        holds ``attention_history`` (steps x features) and the selection order
        (``order``, ``selected`` or ``features``; names or integer positions);
        or the ``attention_history`` array itself.
    feature_names
        Names of the array's columns (array input; AnnData input when the
        history does not span ``var_names``).
    order
        Selection order, names or column positions. Default: from the table or
        ``uns``; for a bare array, the highest-attention candidate of each step.
    key
        The ``adata.uns`` key written by ``seqattn.tl.sequential_attention``
        (its ``key_added``; default ``"seqattn"``, the tool's default).
    group
        For a ``per_group=True`` result: the group whose panel to show.

    Returns
    -------
    (ndarray, list of str, list of str)
        ``W[t, j]`` is the attention weight of feature ``j`` just before pick
        ``t`` (NaN for features already selected).

    Examples
    --------
    From the array itself (NaN: already selected); the order is each step's strongest:

    >>> import numpy as np
    >>> import seqattn
    >>> history = np.array([[0.1, 0.5, 0.2, 0.2],
    ...                     [0.2, np.nan, 0.6, 0.2],
    ...                     [0.5, np.nan, np.nan, 0.3]])
    >>> w, names, order = seqattn.pl.attention_matrix(history, feature_names=list("ABCD"))
    >>> w.shape, order
    ((3, 4), ['B', 'C', 'A'])
    """
    import anndata as ad

    if isinstance(data, ad.AnnData):
        if key not in data.uns:
            raise SeqattnError(
                f"adata.uns has no {key!r}; run seqattn.tl.sequential_attention first or pass key="
            )
        info = data.uns[key]
        per_group = info.get("per_group")
        if isinstance(per_group, Mapping):
            groups = [str(g) for g in per_group]
            if group is None or str(group) not in groups:
                raise SeqattnError(
                    f"adata.uns[{key!r}] holds one panel per group; pass group= one of "
                    f"{', '.join(groups)}" + ("" if group is None else f" (got {group!r})")
                )
            names = {"feature_names": info["feature_names"]} if "feature_names" in info else {}
            info = {**names, **per_group[str(group)]}
        elif group is not None:
            raise SeqattnError(
                f"group={group!r} applies to per_group=True results; adata.uns[{key!r}] holds "
                "one joint panel, so drop group="
            )
        if "attention_history" not in info:
            raise SeqattnError(f"adata.uns[{key!r}] has no 'attention_history'")
        w = np.asarray(info["attention_history"], dtype=float)
        if order is None:
            for name in ("order", "selected", "features", "panel"):
                if name in info:
                    order = list(np.asarray(info[name]).ravel())
                    break
        if feature_names is None:
            for name in ("feature_names", "candidates", "var_names"):
                if name in info and len(info[name]) == w.shape[-1]:
                    feature_names = [str(v) for v in info[name]]
                    break
        if feature_names is None:
            if w.shape[-1] != data.n_vars:
                raise SeqattnError(
                    f"attention_history has {w.shape[-1]} columns but the data has "
                    f"{data.n_vars} features; pass feature_names="
                )
            feature_names = [str(v) for v in data.var_names]
    elif isinstance(data, np.ndarray):
        w = np.asarray(data, dtype=float)
        if feature_names is None:
            feature_names = [f"feature {j}" for j in range(w.shape[-1])]
    else:
        table = read_table(data, "attention").sort_values("step", kind="stable")
        cols = [c for c in table.columns if c not in ("step", "selected")]
        if not cols:
            raise SeqattnError("attention table has no feature columns after step, selected")
        w = table[cols].to_numpy(dtype=float)
        feature_names = [str(c) for c in cols]
        if order is None:
            order = [str(v) for v in table["selected"]]
    if w.ndim != 2 or w.shape[0] == 0:
        raise SeqattnError(
            f"attention history must be a non-empty steps x features array, got {w.shape}"
        )
    names = [str(f) for f in feature_names]
    if len(names) != w.shape[1]:
        raise SeqattnError(f"{len(names)} feature names for {w.shape[1]} attention columns")
    if order is None:
        if np.isnan(w).all(axis=1).any():
            raise SeqattnError("a step has no finite attention weight; pass order=")
        order = [names[int(j)] for j in np.nanargmax(w, axis=1)]
    order_names = []
    for o in order:
        if isinstance(o, int | np.integer):
            order_names.append(names[int(o)])
        else:
            order_names.append(str(o))
    unknown = [o for o in order_names if o not in names]
    if unknown:
        raise SeqattnError(
            f"selected feature(s) not among the attention columns: {', '.join(unknown[:5])}"
        )
    n = min(len(order_names), w.shape[0])
    return w[:n], names, order_names[:n]


@figure_function
def attention_trajectory(
    data: TableLike | ad.AnnData | np.ndarray,
    *,
    feature_names: Sequence[str] | None = None,
    order: Sequence[str | int] | None = None,
    key: str = "seqattn",
    group: str | None = None,
    runners_up: int = 3,
    max_candidates: int = 15,
    scale: Literal["step", "raw"] = "step",
    title: str | None = None,
) -> Figure:
    """Heatmap of attention weights over the leading candidates at each selection step.

    Rows are the selected features in selection order, then the runners-up (the
    ``runners_up`` highest-attention unselected candidates of any step, at most
    ``max_candidates`` of them, strongest first). Columns are the steps; a black
    ring marks the feature picked at each step, grey cells are features already
    selected. A strip above shows the raw attention weight of each pick.

    Parameters
    ----------
    data, feature_names, order, key, group
        See :func:`attention_matrix`: the wide attention table (or its path), an
        AnnData with ``uns[key]["attention_history"]``, or the array itself.
    runners_up
        Unselected candidates taken from each step.
    max_candidates
        Cap on the runner-up rows.
    scale
        ``"step"`` (default): each step divided by its largest weight, so the
        pick is 1 and the colour shows how close the others came; ``"raw"``:
        the attention weights themselves.
    title
        Figure title.
    save
        Path or paths (``.png``, ``.pdf``, ``.svg``) to write.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> import seqattn
    >>> history = np.array([[0.1, 0.5, 0.2, 0.2],
    ...                     [0.2, np.nan, 0.6, 0.2],
    ...                     [0.5, np.nan, np.nan, 0.3]])
    >>> fig = seqattn.pl.attention_trajectory(history, feature_names=list("ABCD"))
    >>> fig.axes[1].get_ylabel()
    'selected (in order), then runners-up'

    The attention table of a fitted panel (``panels/<method>/all.attention.tsv``), or an
    AnnData after ``seqattn.tl.select(adata, ...)`` with Sequential Attention, work the same
    way.
    """
    from matplotlib import colormaps
    from matplotlib.patches import Patch

    w, names, order = attention_matrix(
        data, feature_names=feature_names, order=order, key=key, group=group
    )
    col = {f: j for j, f in enumerate(names)}
    steps = w.shape[0]
    selected = set(order)
    extra_score: dict[str, float] = {}
    for t in range(steps):
        row = w[t].copy()
        for f in selected:
            row[col[f]] = np.nan
        finite = np.nonzero(np.isfinite(row))[0]
        top = finite[np.argsort(-row[finite], kind="stable")[:runners_up]]
        for j in top:
            extra_score[names[j]] = max(extra_score.get(names[j], -np.inf), float(row[j]))
    extras = sorted(extra_score, key=lambda f: -extra_score[f])[:max_candidates]
    rows = list(order) + extras
    m = np.stack([w[:, col[f]] for f in rows])  # rows x steps
    if scale == "step":
        with np.errstate(all="ignore"):
            step_max = np.nanmax(np.where(np.isfinite(w), w, np.nan), axis=1)
        m = m / np.where(step_max > 0, step_max, 1.0)[None, :]
        clabel = "attention / largest\nweight of the step"
        vmax = 1.0
    elif scale == "raw":
        clabel = "attention weight"
        vmax = float(np.nanmax(m)) if np.isfinite(m).any() else 1.0
    else:
        raise SeqattnError(f"scale={scale!r} is not 'step' or 'raw'")
    picked = np.array([w[t, col[order[t]]] for t in range(steps)])

    n_rows = len(rows)
    width = min(max(5.5, 2.6 + 0.26 * steps + 1.3), 24.0)
    height = 1.5 + 0.2 * n_rows + 0.9
    fig = new_figure((width, height), layout="constrained")
    gs = fig.add_gridspec(2, 2, height_ratios=[1.0, 0.2 * n_rows], width_ratios=[1, 0.03])
    ax_top = fig.add_subplot(gs[0, 0])
    ax = fig.add_subplot(gs[1, 0], sharex=ax_top)
    cax = fig.add_subplot(gs[1, 1])
    cmap = colormaps["viridis"].with_extremes(bad="#E6E6E6")
    x = np.arange(1, steps + 1)
    im = ax.imshow(
        np.ma.masked_invalid(m),
        aspect="auto",
        cmap=cmap,
        vmin=0.0,
        vmax=vmax,
        extent=(0.5, steps + 0.5, n_rows - 0.5, -0.5),
        interpolation="nearest",
    )
    ax.scatter(
        x,
        np.arange(steps),
        s=min(60, 900 / max(steps, n_rows)),
        facecolors="none",
        edgecolors="black",
        linewidths=1.2,
        zorder=3,
    )
    if extras:
        ax.axhline(len(order) - 0.5, color="white", linewidth=2.0)
    ax.set_yticks(np.arange(n_rows))
    labels = [f"{i + 1}. {f}" for i, f in enumerate(order)] + extras
    ax.set_yticklabels(labels, fontsize=8 if n_rows <= 40 else 6)
    for tick in ax.get_yticklabels()[len(order) :]:
        tick.set_color("0.35")
        tick.set_fontstyle("italic")
    stride = 1 if steps <= 30 else (5 if steps <= 150 else 10)
    ax.set_xticks(x if stride == 1 else np.r_[1, x[stride - 1 :: stride]])
    ax.set_xlabel("selection step")
    ax.set_ylabel("selected (in order), then runners-up")
    ax.spines[["top", "right"]].set_visible(False)
    cb = fig.colorbar(im, cax=cax)
    cb.set_label(clabel)
    fig.legend(
        handles=[
            Patch(facecolor="#E6E6E6", label="already selected"),
            ax.scatter([], [], facecolors="none", edgecolors="black", label="picked"),
        ],
        loc="outside lower left",
        ncols=2,
        frameon=False,
        fontsize=8,
    )
    ax_top.bar(x, picked, color=METHOD_COLORS[REFERENCE_METHOD], width=0.7)
    ax_top.set_ylabel("weight of\nthe pick")
    ax_top.tick_params(labelbottom=False)
    ax_top.set_xlim(0.5, steps + 0.5)
    n_feat = len(names)
    fig.suptitle(
        title
        or f"Sequential Attention trajectory ({steps} picks from {n_feat} candidates)"
        + ("" if group is None else f"\ngroup {group}"),
        fontsize=10,
    )
    return fig


__all__ = ["attention_matrix", "attention_trajectory"]
