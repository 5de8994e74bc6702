"""Every figure of one data set from its tables, data and final panel (the workflow's figure rule)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seqattn._errors import SeqattnError
from seqattn.pl._io import PathLike, as_adata, find_table, save_figure
from seqattn.pl._style import RC, REFERENCE_METHOD

if TYPE_CHECKING:
    import anndata as ad

#: The figures :func:`plot_all` writes, in order; each as ``<name>.<format>``.
FIGURES: tuple[str, ...] = (
    "accuracy_vs_k",
    "attention_trajectory",
    "panel_heatmap",
    "panel_dotplot",
    "marker_violins",
    "selection_frequency",
    "stability",
    "method_similarity",
    "embedding",
    "confusion",
    "cost",
    "cost_accuracy",
    "qc",
)


def figure_files(out_dir: PathLike, formats: Sequence[str] = ("png", "pdf")) -> list[Path]:
    """The files :func:`plot_all` writes into ``out_dir`` (for a workflow's ``output:``).

    Examples
    --------
    >>> import seqattn
    >>> files = seqattn.pl.figure_files("results/nafld/figures", formats=("png", "pdf"))
    >>> len(files), files[0].as_posix()
    (26, 'results/nafld/figures/accuracy_vs_k.png')
    >>> [f.name for f in files[:3]]  # FIGURES in order, each in every format
    ['accuracy_vs_k.png', 'accuracy_vs_k.pdf', 'attention_trajectory.png']
    """
    return [Path(out_dir) / f"{name}.{fmt}" for name in FIGURES for fmt in formats]


def default_panel(tables: PathLike | None, method: str = REFERENCE_METHOD) -> Path | None:
    """The final panel of ``method`` next to a tables directory.

    ``<tables>/final_panel_<method>.tsv`` (written by ``seqattn aggregate``, with
    selection frequencies) when present, else ``<tables>/../panels/<method>/all.tsv``.
    """
    if tables is None:
        return None
    tdir = Path(tables)
    agg = tdir / f"final_panel_{method}.tsv"
    if agg.is_file():
        return agg
    return tdir.parent / "panels" / method / "all.tsv"


def _need(path: Path | None, what: str) -> Path:
    if path is None or not Path(path).is_file():
        raise SeqattnError(f"no {what}" + (f" at {str(path)!r}" if path is not None else ""))
    return Path(path)


def plot_all(
    out_dir: PathLike,
    *,
    tables: PathLike | None = None,
    data: ad.AnnData | PathLike | None = None,
    label: str | None = None,
    group: str | None = None,
    panel: PathLike | None = None,
    attention: PathLike | None = None,
    method: str = REFERENCE_METHOD,
    metric: str = "balanced_accuracy",
    k: int | None = None,
    basis: str = "pca",
    formats: Sequence[str] = ("png", "pdf"),
    strict: bool = False,
    log: Callable[[str], Any] | None = None,
    figures: Sequence[str] | None = None,
) -> dict[str, str | None]:
    """Draw every figure of :data:`FIGURES` for one data set into ``out_dir``.

    A figure whose input is missing or unusable is skipped (no file is written for it)
    and ``log`` says why; ``strict`` raises instead (the workflow's figures rule passes it,
    so a declared figure that cannot be drawn fails its job).

    Parameters
    ----------
    out_dir
        The figures directory.
    tables
        ``results/<dataset>/tables`` with ``summary.tsv`` (or ``metrics.tsv``),
        ``cost.tsv``, ``predictions.tsv``, ``selection_frequency.tsv``,
        ``stability.tsv``, ``method_similarity.tsv``, and ``metrics.tsv`` with
        ``panel_cost.tsv`` for ``cost_accuracy`` (drawn only where the panels had costs).
    data
        ``results/<dataset>/data.h5ad`` (AnnData or path).
    label
        ``obs`` column with the classes (default: ``data.uns["dataset"]["label"]``).
    group
        Optional ``obs`` column (batch, patient, ...) for the embedding's second row
        (default: ``data.uns["dataset"]["group"]`` when present).
    panel
        The final panel table (default: :func:`default_panel`).
    attention
        The final panel's attention table (default:
        ``<tables>/../panels/<method>/all.attention.tsv``).
    method
        The method whose final panel and confusion matrix are drawn.
    metric
        Metric of the accuracy figures (``accuracy_vs_k``, ``cost_accuracy``).
    k
        Panel size of the per-k figures (selection frequency, similarity,
        confusion) and of the panel figures (default: largest k / whole panel).
    basis
        ``"pca"`` or ``"umap"`` for the embedding.
    formats
        File formats, e.g. ``("png", "pdf")`` or ``("png", "svg")``.
    strict
        Raise on the first figure that cannot be drawn instead of skipping it.
    log
        Called with one line per figure (default: print to stderr).
    figures
        Draw only these names of :data:`FIGURES` (default: all), e.g. the workflow's
        figures rule, which leaves out those another rule draws or that do not apply.

    Returns
    -------
    dict
        ``{figure name: None if drawn, else the reason it was skipped}``.

    Examples
    --------
    A results folder holding a summary and a stability table (``seqattn aggregate``
    writes them as ``results/<dataset>/tables/*.tsv``); the cost table is missing, so the
    cost figure is skipped:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> tables = Path(tmp.name) / "tables"
    >>> tables.mkdir()
    >>> methods = ["sequential_attention"] * 2 + ["anova"] * 2
    >>> pd.DataFrame({
    ...     "method": methods, "k": [5, 10] * 2, "classifier": "logistic",
    ...     "metric": "balanced_accuracy", "mean": [0.74, 0.80, 0.70, 0.78], "sd": 0.05, "n": 5,
    ... }).to_csv(tables / "summary.tsv", sep="\\t", index=False)
    >>> pd.DataFrame({
    ...     "method": methods, "k": [5, 10] * 2,
    ...     "jaccard_mean": [0.7, 0.8, 0.5, 0.6], "kuncheva_mean": [0.6, 0.7, 0.4, 0.5],
    ... }).to_csv(tables / "stability.tsv", sep="\\t", index=False)
    >>> out = Path(tmp.name) / "figures"
    >>> status = seqattn.pl.plot_all(out, tables=tables, formats=("png",),
    ...                              figures=["accuracy_vs_k", "stability", "cost"],
    ...                              log=lambda line: None)  # default: one line each on stderr
    >>> [name for name, reason in status.items() if reason is None]
    ['accuracy_vs_k', 'stability']
    >>> status["cost"].startswith("no cost table in")
    True
    >>> sorted(f.name for f in out.iterdir())
    ['accuracy_vs_k.png', 'stability.png']
    >>> tmp.cleanup()
    """
    import matplotlib.pyplot as plt

    from seqattn import pl

    log = log or (lambda s: print(s, file=sys.stderr))
    names = list(FIGURES) if figures is None else list(figures)
    unknown = [name for name in names if name not in FIGURES]
    if unknown:
        raise SeqattnError(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURES)}")
    out = Path(out_dir)
    tdir = Path(tables) if tables is not None else None
    if panel is None:
        panel = default_panel(tdir, method)
    if attention is None and tdir is not None:
        attention = tdir.parent / "panels" / method / "all.attention.tsv"

    cache: dict[str, Any] = {}

    def adata() -> ad.AnnData:
        if "adata" not in cache:
            if data is None:
                raise SeqattnError("no data file (--data)")
            cache["adata"] = as_adata(data)
        return cache["adata"]

    def label_col() -> str:
        if label is not None:
            return label
        info = adata().uns.get("dataset")
        if isinstance(info, dict) and info.get("label") in adata().obs.columns:
            return str(info["label"])
        raise SeqattnError("no class column: pass --label")

    def group_col() -> str | None:
        if group is not None:
            return group
        info = adata().uns.get("dataset")
        if isinstance(info, dict) and info.get("group") in adata().obs.columns:
            return str(info["group"])
        return None

    def table(name: str) -> Path:
        return _need(
            find_table(tdir, name),
            f"{name} table in {str(tdir)!r}" if tdir else f"{name} table (--tables)",
        )

    def scores() -> Path:
        found = find_table(tdir, "summary") or find_table(tdir, "metrics")
        return _need(
            found,
            f"summary or metrics table in {str(tdir)!r}" if tdir else "summary table (--tables)",
        )

    def the_panel() -> Path:
        return _need(Path(panel) if panel is not None else None, "final panel table (--panel)")

    recipes: dict[str, Callable[[], Any]] = {
        "accuracy_vs_k": lambda: pl.accuracy_vs_k(scores(), metric=metric),
        "attention_trajectory": lambda: pl.attention_trajectory(
            _need(Path(attention) if attention is not None else None, "attention table")
        ),
        "panel_heatmap": lambda: pl.panel_heatmap(adata(), the_panel(), label_col(), k=k),
        "panel_dotplot": lambda: pl.panel_dotplot(adata(), the_panel(), label_col(), k=k),
        "marker_violins": lambda: pl.marker_violins(adata(), the_panel(), label_col()),
        "selection_frequency": lambda: pl.selection_frequency(table("selection_frequency"), k=k),
        "stability": lambda: pl.stability(table("stability")),
        "method_similarity": lambda: pl.method_similarity(table("method_similarity"), k=k),
        "embedding": lambda: pl.embedding(
            adata(), the_panel(), label_col(), group=group_col(), basis=basis, k=k
        ),
        "confusion": lambda: pl.confusion(table("predictions"), method=method, k=k),
        "cost": lambda: pl.cost(table("cost")),
        "cost_accuracy": lambda: pl.cost_accuracy(
            pl.cost_accuracy_table(table("metrics"), table("panel_cost"), metric=metric),
            metric=metric,
        ),
        "qc": lambda: pl.qc(adata(), groupby=label),
    }
    status: dict[str, str | None] = {}
    for name in names:
        paths = [out / f"{name}.{fmt}" for fmt in formats]
        try:
            fig = recipes[name]()
        except (SeqattnError, FileNotFoundError) as err:
            if strict:
                raise
            status[name] = str(err).splitlines()[0] if str(err) else type(err).__name__
            log(f"{name}: skipped ({status[name]})")
            continue
        with plt.rc_context(RC):
            save_figure(fig, paths)
        plt.close(fig)
        status[name] = None
        log(f"{name}: ok -> {', '.join(str(p) for p in paths)}")
    return status


__all__ = ["FIGURES", "default_panel", "figure_files", "plot_all"]
