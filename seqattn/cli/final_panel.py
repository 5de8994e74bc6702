"""``seqattn final-panel``: one method's all-samples panel with its selection frequency.

The workflow's ``final_panel`` rule writes ``tables/final_panel_<method>.tsv`` with it, one
job per data set and method, so the file is a declared output of its own (``seqattn
aggregate --final-panels`` writes the same tables for every method at once).
"""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "final-panel",
        help="one method's all-samples panel with the selection frequency across its folds",
        description=(
            "Reads the all-samples panel of one method (seqattn select without --folds) and "
            "the same method's fold panels (with their .json sidecars) and writes "
            "panel_k, rank, feature, score, selection_frequency to --out."
        ),
    )
    p.add_argument("panel", help="all-samples panel table (seqattn select without --folds)")
    p.add_argument(
        "--fold-panels",
        nargs="+",
        required=True,
        help="the same method's fold panel tables (seqattn select with --folds)",
    )
    p.add_argument("--dataset", required=True, help="data set name (every input must match)")
    p.add_argument("--out", required=True, help="output table (final_panel_<method>.tsv)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from seqattn._atomic import write_table
    from seqattn._errors import SeqattnError
    from seqattn.evaluate.collect import read_final_panels, read_fold_panels
    from seqattn.evaluate.final_panel import final_panel

    ((method, all_panel),) = read_final_panels([args.panel], args.dataset).items()
    panels = read_fold_panels(args.fold_panels, args.dataset)
    others = sorted(set(map(str, panels["method"])) - {method})
    if others:
        raise SeqattnError(
            f"--fold-panels holds {', '.join(others)} panels; pass only {method!r}'s"
        )
    table = final_panel(all_panel, panels)
    write_table(table, args.out)
    print(f"wrote {args.out}: {method} final panel with selection frequency")
    return 0
