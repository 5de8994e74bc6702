"""``seqattn select``: fit one selection method on a training fold (or on all samples)."""

from __future__ import annotations

import argparse


def add_ks_arguments(parser: argparse.ArgumentParser) -> None:
    """``--ks 5 10 20`` and its single-size synonym ``--k 5`` (one of them required)."""
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--ks", type=int, nargs="+", help="panel sizes, e.g. --ks 5 10 20")
    group.add_argument("--k", type=int, help="a single panel size (same as --ks K)")


def ks_of(args: argparse.Namespace) -> list[int]:
    """The panel sizes given by ``--ks`` or ``--k``."""
    return list(args.ks) if args.ks else [args.k]


def add_fold_arguments(parser: argparse.ArgumentParser, *, required: bool) -> None:
    """``--folds TABLE --repeat R --fold F``."""
    parser.add_argument("--folds", required=required, help="fold table from seqattn folds")
    parser.add_argument(
        "--repeat", type=int, default=0, help="repeat of the fold table (default 0)"
    )
    parser.add_argument(
        "--fold",
        type=int,
        required=required,
        default=None,
        help="outer fold (its training samples are used)",
    )


def add_parser(sub: argparse._SubParsersAction) -> None:
    from seqattn.cli._common import add_constraint_arguments, add_threads_argument

    p = sub.add_parser(
        "select",
        help="select a marker panel with a registered method (one fold, or all samples)",
        description=(
            "Fit the fold preprocessing and the method on the training samples of "
            "--repeat/--fold of --folds (without --folds: on all samples, the final panel). "
            "Writes the panel table (panel_k, rank, feature, score, group, cost; rank is the "
            "pick of the feature's block), a .json sidecar (with the constraints and, with "
            "--costs, the panel's total cost) and, for methods with attention history, "
            "<out>.attention.tsv."
        ),
    )
    p.add_argument("data", help="input .h5ad (per-sample preprocessing done)")
    p.add_argument("--label", required=True, help="class column of obs")
    p.add_argument(
        "--group",
        default=None,
        help="subject column of obs, passed to the method (default: the one preprocess recorded)",
    )
    p.add_argument("--method", required=True, help="registered method name")
    add_ks_arguments(p)
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="method option (repeatable), e.g. --option lr=0.01",
    )
    add_fold_arguments(p, required=False)
    add_constraint_arguments(p)
    p.add_argument("--device", default="auto", help="device for methods that take one")
    p.add_argument("--seed", type=int, default=0, help="seed of the method")
    p.add_argument(
        "--no-warmup",
        action="store_true",
        help="skip the untimed warm-up fit (then import time counts as selector cost)",
    )
    add_threads_argument(p)
    p.add_argument("--dataset", default=None, help="data set name recorded in the sidecar")
    p.add_argument(
        "--config-hash",
        default=None,
        help="hash of the workflow config behind this run, recorded in the sidecar",
    )
    p.add_argument("--out", required=True, help="output panel table (.tsv or .parquet)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from seqattn._atomic import write_table, write_text
    from seqattn._errors import SeqattnError
    from seqattn.cli._common import (
        constraints_of,
        dataset_of,
        parse_options,
        read_data,
        set_threads,
    )
    from seqattn.evaluate import read_folds, select_panel
    from seqattn.evaluate.panels import sidecar_path, to_json

    set_threads(args.threads)
    options = parse_options(args.option)
    if args.folds is None and args.fold is not None:
        raise SeqattnError("--fold needs --folds (the fold table); omit both for the final panel")
    if args.folds is not None and args.fold is None:
        raise SeqattnError("--folds needs --fold F (and --repeat R when there are repeats)")
    folds = read_folds(args.folds) if args.folds else None
    adata = read_data(args.data)
    constraints = constraints_of(args, adata)
    panel, meta, attention = select_panel(
        adata,
        args.label,
        args.method,
        ks_of(args),
        options=options,
        constraints=constraints,
        folds=folds,
        repeat=args.repeat if folds is not None else None,
        fold=args.fold,
        group=args.group,
        random_state=args.seed,
        device=args.device,
        warmup=not args.no_warmup,
    )
    meta.update(
        dataset=dataset_of(args, adata),
        data=str(args.data),
        folds_table=args.folds,
        config_hash=args.config_hash,
    )
    # sidecar and attention first, panel last: a complete panel implies complete companions
    write_text(to_json(meta), sidecar_path(args.out))
    if attention is not None:
        write_table(attention, sidecar_path(args.out, ".attention.tsv"))
    write_table(panel, args.out)
    where = "all samples" if folds is None else f"repeat {args.repeat}, fold {args.fold}"
    cost = f", cost {meta['panel_cost']:g}" if "panel_cost" in meta else ""
    print(
        f"wrote {args.out}: {args.method} panel of {max(meta['ks'])} on {where} "
        f"({meta['n_train']} samples, {meta['wall_time_s']:.2f} s{cost})"
    )
    if constraints.active:
        print(f"constraints: {constraints.describe()}")
    return 0
