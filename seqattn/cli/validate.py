"""``seqattn validate``: score a fold's panel with downstream classifiers on its test samples."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    from seqattn.cli._common import add_threads_argument
    from seqattn.cli.select import add_fold_arguments, add_ks_arguments

    p = sub.add_parser(
        "validate",
        help="score a fold's panel on the fold's test samples (classifiers fitted on train)",
        description=(
            "Refit the fold preprocessing on the training samples, train each classifier on "
            "each k-panel, score on the test samples. Refuses a panel selected on other "
            "samples (checked through its .json sidecar)."
        ),
    )
    p.add_argument("data", help="input .h5ad (the file the panel was selected on)")
    p.add_argument("--label", required=True, help="class column of obs")
    add_fold_arguments(p, required=True)
    p.add_argument("--panel", required=True, help="panel table from seqattn select")
    add_ks_arguments(p)
    p.add_argument(
        "--classifiers",
        nargs="+",
        default=None,
        help="downstream classifiers (default: logreg rf knn; also: mlp)",
    )
    p.add_argument("--dataset", default=None, help="data set name (default: from the sidecar)")
    p.add_argument("--method", default=None, help="method name (default: from the sidecar)")
    p.add_argument("--seed", type=int, default=0, help="seed of the classifiers")
    add_threads_argument(p)
    p.add_argument("--out", required=True, help="output metrics table")
    p.add_argument("--predictions", default=None, help="also write per-sample predictions here")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from seqattn._atomic import write_table
    from seqattn._errors import SeqattnError
    from seqattn.cli._common import dataset_of, read_data, set_threads
    from seqattn.cli.select import ks_of
    from seqattn.evaluate import read_folds, read_panel, read_sidecar, validate_panel

    set_threads(args.threads)
    folds = read_folds(args.folds)
    panel = read_panel(args.panel)
    meta = read_sidecar(args.panel)
    if args.method and meta.get("method") and args.method != meta["method"]:
        raise SeqattnError(
            f"--method {args.method} but {args.panel} was made by {meta['method']}; "
            "pass the matching panel"
        )
    if args.dataset and meta.get("dataset") and args.dataset != meta["dataset"]:
        raise SeqattnError(
            f"--dataset {args.dataset} but {args.panel} was selected on {meta['dataset']}; "
            "pass the matching panel"
        )
    adata = read_data(args.data)
    dataset = args.dataset or meta.get("dataset") or dataset_of(args, adata)
    metrics, predictions = validate_panel(
        adata,
        args.label,
        folds,
        args.repeat,
        args.fold,
        panel,
        ks_of(args),
        args.classifiers,
        meta=meta,
        dataset=dataset,
        method=args.method or meta.get("method", ""),
        random_state=args.seed,
    )
    if args.predictions:
        write_table(predictions, args.predictions)
    write_table(metrics, args.out)
    bal = metrics[metrics["metric"] == "balanced_accuracy"]["value"]
    print(
        f"wrote {args.out}: {len(metrics)} rows (repeat {args.repeat}, fold {args.fold}; "
        f"mean balanced accuracy {bal.mean():.3f})"
    )
    return 0
