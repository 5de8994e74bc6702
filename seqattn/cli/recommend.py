"""``seqattn recommend``: the panel to take, with method and k chosen by inner CV."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    from seqattn.cli._common import add_constraint_arguments, add_threads_argument

    p = sub.add_parser(
        "recommend",
        help="choose method and k by inner CV in each outer fold; the panel to take and its "
        "expected balanced accuracy",
        description=(
            "Inside each outer training fold (of --folds, else --n-splits grouped, stratified "
            "folds) an inner CV scores every --methods x --ks configuration and --rule picks "
            "one; it is refitted on the outer training fold and scored on the outer test fold. "
            "The same procedure on all samples gives the recommendation. Writes "
            "<out-dir>/recommendation.tsv (one row and the headline), "
            "recommendation_panel.tsv, recommendation_folds.tsv and recommendation_inner.tsv, "
            "and with --figure the inner-CV curve beside the outer estimate."
        ),
    )
    p.add_argument("data", help="input .h5ad (per-sample preprocessing done)")
    p.add_argument("--label", required=True, help="class column of obs")
    p.add_argument(
        "--group", default=None, help="subject column of obs: folds never split a subject"
    )
    p.add_argument(
        "--methods",
        nargs="+",
        required=True,
        help="registered methods to choose from, cheapest first (ties go to the earlier one)",
    )
    p.add_argument("--ks", type=int, nargs="+", required=True, help="panel sizes to choose from")
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="METHOD:KEY=VALUE",
        help="option of one method (repeatable), e.g. --option sequential_attention:epochs=50",
    )
    p.add_argument(
        "--rule",
        choices=["one_se", "best"],
        default="one_se",
        help="one_se: smallest k within one SE of the best inner score (default); best",
    )
    p.add_argument("--inner-splits", type=int, default=3, help="inner folds (default 3)")
    p.add_argument("--classifier", default="logreg", help="downstream classifier (logreg)")
    p.add_argument("--folds", default=None, help="outer fold table from seqattn folds")
    p.add_argument("--n-splits", type=int, default=5, help="outer folds without --folds")
    p.add_argument("--n-repeats", type=int, default=1, help="outer repeats without --folds")
    p.add_argument("--device", default="auto", help="device for methods that take one")
    p.add_argument("--seed", type=int, default=0, help="seed of folds, methods and classifier")
    p.add_argument("--dataset", default=None, help="data set name in the tables")
    p.add_argument(
        "--inner-splits-name",
        default="--inner-splits",
        help="what errors call the inner fold count (the workflow passes its config key)",
    )
    add_constraint_arguments(p)
    add_threads_argument(p)
    p.add_argument("--out-dir", required=True, help="tables directory to write into")
    p.add_argument(
        "--figure",
        action="append",
        default=[],
        help="figure file(s) to draw (.png/.pdf/.svg; repeatable)",
    )
    p.set_defaults(func=run)


def method_options(pairs: list[str]) -> dict[str, dict[str, object]]:
    """``["sa:epochs=5", ...]`` to ``{"sa": {"epochs": 5}}``."""
    from seqattn._errors import SeqattnError
    from seqattn.cli._common import parse_options

    out: dict[str, dict[str, object]] = {}
    for pair in pairs:
        method, sep, rest = pair.partition(":")
        if not sep or "=" not in rest:
            raise SeqattnError(
                f"option {pair!r} is not METHOD:KEY=VALUE; write it as e.g. anova:foo=1"
            )
        out.setdefault(method, {}).update(parse_options([rest]))
    return out


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from seqattn._atomic import write_table
    from seqattn.cli._common import constraints_of, dataset_of, read_data, set_threads
    from seqattn.evaluate import read_folds, recommend

    set_threads(args.threads)
    adata = read_data(args.data)
    constraints = constraints_of(args, adata)
    result = recommend(
        adata,
        args.label,
        methods=args.methods,
        ks=args.ks,
        group=args.group,
        rule=args.rule,
        inner_splits=args.inner_splits,
        classifier=args.classifier,
        n_splits=args.n_splits,
        n_repeats=args.n_repeats,
        folds=read_folds(args.folds) if args.folds else None,
        options=method_options(args.option),
        constraints=constraints,
        random_state=args.seed,
        device=args.device,
        dataset=dataset_of(args, adata),
        inner_splits_name=args.inner_splits_name,
    )
    out = Path(args.out_dir)
    write_table(result.panel_table, out / "recommendation_panel.tsv")
    write_table(result.fold_choices, out / "recommendation_folds.tsv")
    write_table(result.inner, out / "recommendation_inner.tsv")
    write_table(result.table(), out / "recommendation.tsv")
    if args.figure:
        from seqattn.pl.recommendation import recommendation

        recommendation(result.inner, result.fold_choices, result.table(), save=list(args.figure))
    print(result.headline())
    print(f"({result.n_fits} selector fits; tables in {out})")
    if constraints.active:
        print(f"constraints: {constraints.describe()}")
    return 0
