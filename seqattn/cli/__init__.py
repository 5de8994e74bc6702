"""The ``seqattn`` command line.

Each subcommand lives in its own module in this package and exposes
``add_parser(subparsers)``, which registers the parser and sets ``func`` (a callable
taking the parsed ``argparse.Namespace`` and returning an exit status). Modules are
discovered, so adding a subcommand never touches this file. Heavy imports belong
inside ``func`` so that ``seqattn --help`` stays fast.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from seqattn._errors import SeqattnError
from seqattn._version import __version__


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every discovered subcommand."""
    parser = argparse.ArgumentParser(
        prog="seqattn",
        description=(
            "Pick small, predictive marker panels from omics matrices with Sequential "
            "Attention, validate them without leakage, and report them."
        ),
    )
    parser.add_argument("--version", action="version", version=f"seqattn {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        module.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``seqattn`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except (SeqattnError, FileNotFoundError) as err:
        msg = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"seqattn {args.command}: error: {msg}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
