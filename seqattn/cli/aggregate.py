"""``seqattn aggregate``: collect per-fold metrics and panels into the tidy result tables."""

from __future__ import annotations

import argparse

from seqattn._defaults import REFERENCE_METHOD


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "aggregate",
        help="summarise per-fold metrics and panels of one data set into tidy tables",
        description=(
            "Writes metrics, summary, paired, selection_frequency, stability, "
            "method_similarity, cost (selector time and memory, from the panels' sidecars; "
            "the only table that differs between two runs), panel_cost (each fold panel's "
            "size and cost per k; NaN without costs) and predictions, "
            "final_panel_<method> TSVs into --out-dir."
        ),
    )
    p.add_argument("--dataset", required=True, help="data set name (every input must match)")
    p.add_argument("--metrics", nargs="+", required=True, help="metrics tables (seqattn validate)")
    p.add_argument(
        "--panels",
        nargs="+",
        required=True,
        help="fold panel tables (seqattn select with --folds), with .json sidecars",
    )
    p.add_argument(
        "--final-panels",
        nargs="*",
        default=[],
        help="all-samples panel tables (seqattn select without --folds)",
    )
    p.add_argument("--predictions", nargs="*", default=[], help="prediction tables to concatenate")
    p.add_argument(
        "--reference",
        default=None,
        help=f"method compared against every other (default {REFERENCE_METHOD} when "
        "present, else all pairs)",
    )
    p.add_argument(
        "--ks",
        type=int,
        nargs="+",
        default=None,
        help="panel sizes for the stability and panel_cost tables (default: the ks in the "
        "metrics)",
    )
    p.add_argument("--out-dir", required=True, help="output folder")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from seqattn._atomic import write_table
    from seqattn.evaluate.aggregate import compare_methods, summarise
    from seqattn.evaluate.collect import (
        read_cost,
        read_final_panels,
        read_fold_panels,
        read_metrics,
        read_panel_cost,
        read_predictions,
    )
    from seqattn.evaluate.final_panel import final_panel
    from seqattn.evaluate.stability import method_similarity, selection_frequency, stability

    # read and compute everything first: a bad input leaves no partial output folder
    metrics = read_metrics(args.metrics, args.dataset)
    panels = read_fold_panels(args.panels, args.dataset)
    finals = read_final_panels(args.final_panels, args.dataset)
    predictions = read_predictions(args.predictions, args.dataset) if args.predictions else None
    ks = sorted(set(args.ks)) if args.ks else sorted(int(k) for k in metrics["k"].unique())
    methods = set(metrics["method"])
    reference = args.reference
    if reference is None and REFERENCE_METHOD in methods:
        reference = REFERENCE_METHOD
    tables = {
        "metrics": metrics,
        "summary": summarise(metrics),
        "paired": compare_methods(metrics, reference),
        "selection_frequency": selection_frequency(panels, ks),
        "stability": stability(panels, ks),
        "method_similarity": method_similarity(panels, ks),
        "cost": read_cost(args.panels, args.dataset),
        "panel_cost": read_panel_cost(args.panels, args.dataset, ks),
    }
    if predictions is not None:
        tables["predictions"] = predictions
    for method, all_panel in finals.items():
        tables[f"final_panel_{method}"] = final_panel(all_panel, panels[panels["method"] == method])
    out = Path(args.out_dir)
    for name, table in tables.items():
        write_table(table, out / f"{name}.tsv")
    print(
        f"wrote {len(tables)} tables to {out}/ ({len(methods)} methods, "
        f"{panels[['method', 'repeat', 'fold']].drop_duplicates().shape[0]} fold panels)"
    )
    return 0
