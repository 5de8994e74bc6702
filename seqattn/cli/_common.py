"""Helpers shared by the CLI subcommands."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from seqattn._errors import SeqattnError


def parse_options(pairs: list[str] | None) -> dict[str, object]:
    """Turn ``["key=value", ...]`` into a dict, parsing values as YAML scalars.

    ``--option hidden=[64,32] --option lr=0.01`` gives ``{"hidden": [64, 32], "lr": 0.01}``.
    """
    import yaml

    out: dict[str, object] = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise SeqattnError(f"option {pair!r} is not KEY=VALUE; write it as e.g. lr=0.01")
        key, value = pair.split("=", 1)
        out[key.strip()] = yaml.safe_load(value)
    return out


def set_threads(n: int | None) -> None:
    """Cap torch and BLAS/OpenMP threads (Snakemake passes the rule's ``threads``)."""
    if not n:
        return
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    try:
        from threadpoolctl import threadpool_limits

        threadpool_limits(n)
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        pass
    import torch

    torch.set_num_threads(n)


def add_threads_argument(parser: argparse.ArgumentParser) -> None:
    """``--threads N``: the CPU threads torch, BLAS and scikit-learn may use."""
    parser.add_argument(
        "--threads", type=int, default=None, help="CPU threads for torch/BLAS (default: all)"
    )


def read_data(path: str, *, obs_only: bool = False) -> Any:
    """Read an .h5ad; a missing or unreadable file becomes a one-line error.

    ``obs_only`` opens the file backed (X stays on disk) for steps that need only ``obs``.
    """
    import anndata as ad

    if not Path(path).exists():
        raise SeqattnError(f"input {path} does not exist")
    try:
        return ad.read_h5ad(path, backed="r" if obs_only else None)
    except Exception as err:  # h5py/anndata raise many kinds; the user needs one line
        raise SeqattnError(f"cannot read {path} as .h5ad: {err}".splitlines()[0]) from None


def dataset_of(args: argparse.Namespace, adata: Any) -> str:
    """``--dataset``, else the name stored in the file, else the file name."""
    from seqattn.evaluate._data import dataset_name

    if getattr(args, "dataset", None):
        return str(args.dataset)
    return dataset_name(adata, Path(args.data).name.removesuffix(".h5ad"))


def add_constraint_arguments(parser: argparse.ArgumentParser) -> None:
    """The panel constraints: ``--exclude``, ``--feature-groups``, ``--costs``, ``--budget``,
    ``--preselect`` (see :mod:`seqattn.evaluate.constraints`)."""
    group = parser.add_argument_group("panel constraints (hold in every fold and method)")
    group.add_argument(
        "--exclude",
        action="append",
        default=None,
        metavar="REGEX",
        help="regular expression (re.search on feature names); matching features never enter "
        "a panel. Repeatable: a feature matching any of them is excluded, e.g. --exclude '^KRT' "
        "--exclude '^IG[HKL]'",
    )
    group.add_argument(
        "--exclude-feature",
        action="append",
        default=None,
        metavar="NAME",
        help="feature name that never enters a panel (repeatable; an unknown name is an "
        "error); with --exclude, both are excluded",
    )
    group.add_argument(
        "--feature-groups",
        default=None,
        metavar="VAR_COLUMN",
        help="column of the data's var with a block label per feature: a picked block brings "
        "all its features, k counts blocks (empty label: the feature is its own block)",
    )
    group.add_argument(
        "--costs",
        default=None,
        metavar="TABLE",
        help="TSV/CSV with columns feature, cost (>= 0): every feature that is not excluded "
        "needs a cost; rows for features not in the data are ignored. A block costs the sum",
    )
    group.add_argument(
        "--budget",
        type=float,
        default=None,
        help="the most a panel may cost (with --costs; without, each feature costs 1): "
        "selection stops when no candidate fits, and the panel sizes become caps",
    )
    group.add_argument(
        "--preselect",
        action="append",
        default=None,
        metavar="NAME",
        help="feature forced into every panel first (repeatable)",
    )
    group.add_argument(
        "--constraints-name",
        default=None,
        metavar="PREFIX",
        help="what errors call the constraint settings (the workflow passes its config "
        "section, e.g. panel: errors then name panel.costs, panel.exclude, ...)",
    )


def read_costs(path: str, setting: str = "--costs") -> Any:
    """The costs table ``path`` (TSV, or CSV by its ``.csv`` name) as a Series of costs by
    feature; a missing file, a missing column or a duplicated feature is one line naming
    ``setting``."""
    import pandas as pd

    if not Path(path).is_file():
        raise SeqattnError(
            f"{setting} {path} does not exist; give a TSV/CSV with columns feature, cost"
        )
    sep = "," if str(path).lower().endswith(".csv") else "\t"
    try:
        table = pd.read_csv(path, sep=sep, dtype={"feature": str}, keep_default_na=False)
    except Exception as err:  # any parser error means the same to the user
        raise SeqattnError(f"cannot read {setting} {path}: {err}".splitlines()[0]) from None
    missing = [c for c in ("feature", "cost") if c not in table.columns]
    if missing:
        raise SeqattnError(
            f"{setting} {path} has no column {', '.join(missing)} (columns: "
            f"{', '.join(map(str, table.columns))}); it needs feature and cost"
        )
    duplicated = table["feature"][table["feature"].duplicated()].unique()
    if len(duplicated):
        raise SeqattnError(
            f"{setting} {path} lists {len(duplicated)} feature(s) twice (e.g. {duplicated[0]!r}); "
            "give one cost per feature"
        )
    costs = pd.to_numeric(table["cost"].replace("", float("nan")), errors="coerce")
    text = table["cost"][costs.isna() & (table["cost"] != "")]
    if len(text):
        raise SeqattnError(
            f"{setting} {path}: cost {text.iloc[0]!r} of {table['feature'][text.index[0]]!r} is not "
            "a number"
        )
    return pd.Series(costs.to_numpy(), index=table["feature"].astype(str), name=str(path))


def constraints_of(args: argparse.Namespace, adata: Any) -> Any:
    """The :class:`~seqattn.evaluate.constraints.PanelConstraints` of the constraint flags,
    checked against ``adata``'s features (errors name the flags, or the config keys under
    ``--constraints-name``)."""
    import re

    from seqattn._constraints import compile_pattern
    from seqattn.evaluate.constraints import SETTINGS, config_settings, resolve_constraints

    prefix = getattr(args, "constraints_name", None)
    settings = config_settings(prefix) if prefix else SETTINGS["cli"]
    exclude = args.exclude
    for pattern in exclude or []:
        compile_pattern(pattern, settings["exclude"], sep=" ")
    if exclude:  # one regular expression: any of them
        exclude = exclude[0] if len(exclude) == 1 else "|".join(f"(?:{e})" for e in exclude)
    pattern = exclude
    named = getattr(args, "exclude_feature", None)
    if named:  # names, checked, with whatever the expression matches
        matched = [n for n in map(str, adata.var_names) if re.search(exclude, n)] if exclude else []
        exclude = [*named, *matched]  # resolve_constraints refuses excluding them all
    costs = read_costs(args.costs, settings["feature_costs"]) if args.costs else None
    constraints = resolve_constraints(
        adata.var_names,
        exclude=exclude,
        feature_groups=args.feature_groups,
        feature_costs=costs,
        budget=args.budget,
        preselected=args.preselect,
        var=adata.var,
        settings=settings,
    )
    import dataclasses

    if costs is not None:
        sources = {**constraints.sources, "feature_costs": str(args.costs)}
        constraints = dataclasses.replace(constraints, sources=sources)
    if named and pattern:
        constraints = dataclasses.replace(constraints, exclude_pattern=pattern)
    return constraints
