"""``seqattn summary``: write the one-page ``summary.md`` of a data set."""

from __future__ import annotations

import argparse

from seqattn._defaults import REFERENCE_METHOD


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "summary",
        help="write summary.md: headline numbers, method x k table, final panel, figure links",
        description=(
            "Reads summary/metrics/paired/stability/cost tables from --tables, the final panel "
            "(default: <tables>/final_panel_<method>.tsv, else <tables>/../panels/<method>/"
            "all.tsv) and optionally the data and a figures directory, and writes one "
            "Markdown page."
        ),
    )
    p.add_argument("--tables", required=True, help="results/<dataset>/tables directory")
    p.add_argument("--data", default=None, help="results/<dataset>/data.h5ad (sample counts)")
    p.add_argument("--panel", default=None, help="final panel table")
    p.add_argument(
        "--figures",
        nargs="+",
        default=None,
        help="figures directory (its PNGs are linked, relative to --out) or the figure files "
        "to link, in order",
    )
    p.add_argument("--dataset", default=None, help="data set, when a table holds several")
    p.add_argument("--label", default=None, help="obs column with the classes")
    p.add_argument(
        "--method",
        default=REFERENCE_METHOD,
        help=f"the method the page is about (default {REFERENCE_METHOD})",
    )
    p.add_argument("--metric", default="balanced_accuracy", help="headline metric")
    p.add_argument(
        "--classifier", default=None, help="headline classifier (default: the method's best at k)"
    )
    p.add_argument("--k", type=int, default=None, help="headline panel size (default: largest)")
    p.add_argument(
        "--recommendation",
        default=None,
        help="tables/recommendation.tsv of seqattn recommend: its headline opens the page",
    )
    p.add_argument(
        "--panel-meta",
        nargs="+",
        default=None,
        help="the .json sidecars of the methods' final panels: the constraints applied and "
        "each panel's cost",
    )
    p.add_argument(
        "--skipped",
        action="append",
        default=[],
        metavar="METHOD=WHY",
        help="a method left out because it cannot honour the constraints (repeatable)",
    )
    p.add_argument("--out", required=True, help="output Markdown file (summary.md)")
    p.set_defaults(func=run)


def _figures(given: list[str] | None):
    """One directory as given; else the list of files (the workflow names each one)."""
    from pathlib import Path

    if given and len(given) == 1 and Path(given[0]).is_dir():
        return given[0]
    return given


def run(args: argparse.Namespace) -> int:
    from seqattn.report import write_summary

    write_summary(
        args.out,
        tables=args.tables,
        panel=args.panel,
        adata=args.data,
        figures=_figures(args.figures),
        dataset=args.dataset,
        label=args.label,
        method=args.method,
        metric=args.metric,
        classifier=args.classifier,
        k=args.k,
        recommendation=args.recommendation,
        panel_meta=args.panel_meta,
        skipped=dict(item.partition("=")[::2] for item in args.skipped),
    )
    print(f"wrote {args.out}")
    return 0
