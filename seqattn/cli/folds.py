"""``seqattn folds``: fix the outer cross-validation folds of a data set in a table."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "folds",
        help="assign samples to outer CV folds (stratified, grouped by subject if asked)",
        description=(
            "Write the fold table (sample, repeat, fold) that every later step reads. "
            "StratifiedGroupKFold with --group (no subject in both train and test), "
            "StratifiedKFold otherwise."
        ),
    )
    p.add_argument("data", help="input .h5ad")
    p.add_argument("--label", required=True, help="class column of obs")
    p.add_argument("--group", default=None, help="obs column of subjects (mouse, patient)")
    p.add_argument("--n-splits", type=int, default=5, help="folds per repeat (default 5)")
    p.add_argument("--n-repeats", type=int, default=1, help="repeats (default 1)")
    p.add_argument(
        "--n-splits-name",
        default="--n-splits",
        help="what error messages call the fold count (the workflow passes its config key, "
        "e.g. cv.n_splits); default --n-splits",
    )
    p.add_argument("--seed", type=int, default=0, help="seed of repeat 0 (repeat r: seed + r)")
    p.add_argument("--out", required=True, help="output fold table (.tsv or .parquet)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from seqattn._atomic import write_table
    from seqattn.cli._common import read_data
    from seqattn.evaluate import folds_for_adata

    adata = read_data(args.data, obs_only=True)
    folds = folds_for_adata(
        adata,
        args.label,
        args.group,
        n_splits=args.n_splits,
        n_repeats=args.n_repeats,
        random_state=args.seed,
        n_splits_name=args.n_splits_name,
    )
    write_table(folds, args.out)
    grouped = f", grouped by {args.group}" if args.group else ""
    print(
        f"wrote {args.out}: {adata.n_obs} samples, {args.n_repeats} x {args.n_splits} folds"
        f"{grouped}"
    )
    return 0
