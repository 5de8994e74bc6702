"""``seqattn datasets``: write a bundled data set to an .h5ad file."""

from __future__ import annotations

import argparse

from seqattn._errors import SeqattnError

_NAMES = ("mice_protein", "pbmc68k_reduced")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("datasets", help="write a bundled example data set (offline) to .h5ad")
    p.add_argument("name", help=f"one of: {', '.join(_NAMES)}")
    p.add_argument("--out", required=True, help="output .h5ad path")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from seqattn import datasets
    from seqattn._atomic import atomic_path

    if args.name not in _NAMES:
        raise SeqattnError(f"unknown data set {args.name!r}; choose one of: {', '.join(_NAMES)}")
    if not str(args.out).endswith(".h5ad"):
        raise SeqattnError(f"--out {args.out!r} must end in .h5ad")
    adata = getattr(datasets, args.name)()
    with atomic_path(args.out) as tmp:
        adata.write_h5ad(tmp)
    print(f"wrote {args.out}: {adata.n_obs} samples x {adata.n_vars} features")
    return 0
