"""``seqattn plot``: draw the figures of a data set (``plot all``) or one figure (``plot KIND``).

``seqattn plot all --tables results/D/tables --data results/D/data.h5ad --out-dir
results/D/figures`` writes ``<name>.png`` and ``<name>.pdf`` for every name in
``seqattn.pl.FIGURES`` (accuracy_vs_k, attention_trajectory, panel_heatmap, panel_dotplot,
marker_violins, selection_frequency, stability, method_similarity, embedding, confusion,
cost, cost_accuracy, qc). A figure whose input is missing (cost_accuracy without panel
costs) is skipped with a line that says why (``--strict`` makes that an error instead).
"""

from __future__ import annotations

import argparse

from seqattn._defaults import REFERENCE_METHOD

_KINDS = {
    # kind: (help, True when the input is one positional table; else --data/--panel/--label)
    "accuracy": ("accuracy vs k per method, one panel per classifier (summary or metrics)", True),
    "trajectory": ("Sequential Attention trajectory (attention table)", True),
    "heatmap": ("z-scored heatmap of the panel by class", False),
    "dotplot": ("dotplot of the panel by class", False),
    "violins": ("violin plots of the top panel markers by class", False),
    "selection-frequency": ("selection frequency across folds (selection_frequency)", True),
    "stability": ("panel stability across folds vs k (stability)", True),
    "similarity": ("Jaccard / Kuncheva matrix between methods (method_similarity)", True),
    "embedding": ("PCA/UMAP on all features vs on the panel", False),
    "confusion": ("confusion matrix and per-class recall (predictions)", True),
    "cost": ("selection wall time and peak RSS added (cost)", True),
    "qc": ("valid values, missingness, intensity distributions of the data", False),
}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "plot",
        help="draw figures from result tables and data (all of a data set, or one kind)",
        description=__doc__.split("\n\n", 1)[1] if __doc__ else None,
    )
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)

    a = kinds.add_parser(
        "all",
        help="every figure of one data set into a directory (fixed list of files)",
        description=(
            "Writes <out-dir>/<name>.<format> for each name in seqattn.pl.FIGURES: "
            "accuracy_vs_k, attention_trajectory, panel_heatmap, panel_dotplot, "
            "marker_violins, selection_frequency, stability, method_similarity, embedding, "
            "confusion, cost, qc."
        ),
    )
    a.add_argument("--tables", required=True, help="results/<dataset>/tables directory")
    a.add_argument("--data", required=True, help="results/<dataset>/data.h5ad")
    a.add_argument(
        "--label",
        default=None,
        help="obs column with the classes (default: uns['dataset']['label'])",
    )
    a.add_argument(
        "--group",
        default=None,
        help="obs column (batch, patient) for the embedding's second row "
        "(default: uns['dataset']['group'] when present)",
    )
    a.add_argument(
        "--panel",
        default=None,
        help="final panel table (default: <tables>/final_panel_<method>.tsv, "
        "else <tables>/../panels/<method>/all.tsv)",
    )
    a.add_argument(
        "--attention",
        default=None,
        help="attention table (default: <tables>/../panels/<method>/all.attention.tsv)",
    )
    a.add_argument(
        "--method",
        default=REFERENCE_METHOD,
        help=f"method of the final panel and confusion matrix (default {REFERENCE_METHOD})",
    )
    a.add_argument("--metric", default="balanced_accuracy", help="metric of the accuracy figure")
    a.add_argument(
        "--k",
        type=int,
        default=None,
        help="panel size of the per-k and panel figures (default: largest)",
    )
    a.add_argument("--basis", choices=("pca", "umap"), default="pca", help="embedding")
    a.add_argument(
        "--formats",
        default="png,pdf",
        help="comma-separated file formats (png, pdf, svg; default png,pdf)",
    )
    a.add_argument("--out-dir", required=True, help="figures directory")
    a.add_argument(
        "--strict",
        action="store_true",
        help="fail on a figure whose input is missing instead of skipping it",
    )
    a.add_argument(
        "--figures",
        nargs="+",
        default=None,
        metavar="NAME",
        help="draw only these figures (names above; default: all)",
    )
    a.set_defaults(func=run_all)

    for kind, (help_text, positional) in _KINDS.items():
        k = kinds.add_parser(kind, help=help_text, description=help_text)
        if positional:
            k.add_argument("table", help="input table (TSV) or, for trajectory, attention table")
        else:
            k.add_argument("--data", required=True, help="data (.h5ad)")
            if kind != "qc":
                k.add_argument("--panel", required=True, help="panel table (TSV)")
            k.add_argument(
                "--label",
                default=None,
                help="obs column with the classes (default: uns['dataset']['label'])",
            )
        if kind == "embedding":
            k.add_argument("--group", default=None, help="obs column for a second row")
            k.add_argument("--basis", choices=("pca", "umap"), default="pca")
        if kind in (
            "heatmap",
            "dotplot",
            "embedding",
            "selection-frequency",
            "similarity",
            "confusion",
            "cost",
        ):
            k.add_argument("--k", type=int, default=None, help="panel size (default: largest)")
        if kind == "accuracy":
            k.add_argument("--metric", default="balanced_accuracy")
        if kind == "confusion":
            k.add_argument("--method", default=None)
            k.add_argument("--classifier", default=None)
        if kind == "qc":
            k.add_argument(
                "--raw-layer",
                default="auto",
                help="layer with raw intensities ('auto' looks for common names)",
            )
        if positional:
            k.add_argument(
                "--dataset", default=None, help="data set to draw when a table holds several"
            )
        k.add_argument("--out", nargs="+", required=True, help="output file(s): .png, .pdf or .svg")
        k.add_argument("--pdf", default=None, help="also write this PDF")
        k.set_defaults(func=run_one)


def _agg() -> None:
    import matplotlib

    matplotlib.use("Agg")


def run_all(args: argparse.Namespace) -> int:
    _agg()
    from seqattn._errors import SeqattnError
    from seqattn.pl import plot_all

    formats = [f.strip().lstrip(".").lower() for f in args.formats.split(",") if f.strip()]
    bad = [f for f in formats if f not in ("png", "pdf", "svg")]
    if bad or not formats:
        raise SeqattnError(f"--formats {args.formats!r}: use png, pdf and/or svg")
    status = plot_all(
        args.out_dir,
        tables=args.tables,
        data=args.data,
        label=args.label,
        group=args.group,
        panel=args.panel,
        attention=args.attention,
        method=args.method,
        metric=args.metric,
        k=args.k,
        basis=args.basis,
        formats=formats,
        strict=args.strict,
        figures=args.figures,
    )
    skipped = [name for name, reason in status.items() if reason]
    drawn = len(status) - len(skipped)
    print(
        f"wrote {drawn * len(formats)} files to {args.out_dir}/"
        + (f" ({len(skipped)} figures skipped: {', '.join(skipped)})" if skipped else "")
    )
    return 0


def _label(adata, label: str | None) -> str:
    from seqattn._errors import SeqattnError

    if label is not None:
        return label
    info = adata.uns.get("dataset")
    if isinstance(info, dict) and info.get("label") in adata.obs.columns:
        return str(info["label"])
    raise SeqattnError("no class column: pass --label")


def run_one(args: argparse.Namespace) -> int:
    _agg()
    from seqattn import pl
    from seqattn.pl._io import as_adata

    save = list(args.out) + ([args.pdf] if args.pdf else [])
    kind = args.kind
    if kind in ("heatmap", "dotplot", "violins", "embedding", "qc"):
        adata = as_adata(args.data)
        label = _label(adata, args.label) if kind != "qc" else args.label
    if kind == "accuracy":
        pl.accuracy_vs_k(args.table, metric=args.metric, dataset=args.dataset, save=save)
    elif kind == "trajectory":
        pl.attention_trajectory(args.table, save=save)
    elif kind == "heatmap":
        pl.panel_heatmap(adata, args.panel, label, k=args.k, save=save)
    elif kind == "dotplot":
        pl.panel_dotplot(adata, args.panel, label, k=args.k, save=save)
    elif kind == "violins":
        pl.marker_violins(adata, args.panel, label, save=save)
    elif kind == "selection-frequency":
        pl.selection_frequency(args.table, k=args.k, dataset=args.dataset, save=save)
    elif kind == "stability":
        pl.stability(args.table, dataset=args.dataset, save=save)
    elif kind == "similarity":
        pl.method_similarity(args.table, k=args.k, dataset=args.dataset, save=save)
    elif kind == "embedding":
        pl.embedding(
            adata, args.panel, label, group=args.group, basis=args.basis, k=args.k, save=save
        )
    elif kind == "confusion":
        pl.confusion(
            args.table,
            method=args.method,
            k=args.k,
            classifier=args.classifier,
            dataset=args.dataset,
            save=save,
        )
    elif kind == "cost":
        pl.cost(args.table, k=args.k, dataset=args.dataset, save=save)
    elif kind == "qc":
        raw = None if args.raw_layer in ("none", "None", "") else args.raw_layer
        pl.qc(adata, groupby=label, raw_layer=raw, save=save)
    print(f"wrote {', '.join(save)}")
    return 0
