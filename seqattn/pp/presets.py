"""Preprocessing presets: their options, defaults, and which stage each option belongs to.

Every option is either a *sample* option (a step that looks at one sample at a time,
run once on the whole file by ``seqattn preprocess``) or a *fold* option (a step that
learns across samples or from labels, fitted on each training fold by
:class:`~seqattn.pp.fold.FoldTransformer`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real

from seqattn._errors import SeqattnError

SAMPLE, FOLD = "sample", "fold"

IMPUTE = ("downshift", "knn", "min", "mean", "median", "none")
COMPLETENESS = ("overall", "any_group", "all_groups")
HVG_FLAVORS = ("seurat", "cell_ranger")


@dataclass(frozen=True)
class Option:
    """One preset option: default, stage, a validity check and what to write when it fails."""

    default: object
    stage: str
    check: Callable[[object], bool]
    expect: str
    help: str


def _bool(v: object) -> bool:
    return isinstance(v, bool)


def _choice(choices: tuple[str, ...]) -> Callable[[object], bool]:
    return lambda v: isinstance(v, str) and v in choices


def _number(lo: float, hi: float = float("inf"), *, integer: bool = False, open_lo: bool = False):
    def check(v: object) -> bool:
        if isinstance(v, bool) or not isinstance(v, Integral if integer else Real):
            return False
        return (v > lo if open_lo else v >= lo) and v <= hi

    return check


def _impute_options(default: str) -> dict[str, Option]:
    return {
        "min_valid": Option(
            0.7 if default == "downshift" else 0.0,
            FOLD,
            _number(0.0, 1.0),
            "a fraction in [0, 1]",
            "keep a feature when at least this fraction of training samples has a value",
        ),
        "completeness": Option(
            "overall",
            FOLD,
            _choice(COMPLETENESS),
            f"one of {', '.join(COMPLETENESS)}",
            "min_valid over all training samples, in at least one class, or in every class",
        ),
        "impute": Option(
            default,
            FOLD,
            _choice(IMPUTE),
            f"one of {', '.join(IMPUTE)}",
            "downshift: Perseus normal draw per sample; knn/min/mean/median: fitted on the "
            "training fold; none: missing values are an error",
        ),
        "downshift": Option(1.8, FOLD, _number(0.0), "a number >= 0", "down-shift in sample SDs"),
        "width": Option(
            0.3, FOLD, _number(0.0, open_lo=True), "a number > 0", "width in sample SDs"
        ),
        "knn_neighbors": Option(5, FOLD, _number(1, integer=True), "an integer >= 1", "k for knn"),
        "random_state": Option(
            0, FOLD, _number(0, integer=True), "an integer >= 0", "seed of downshift"
        ),
        "zscore": Option(
            False, FOLD, _bool, "true or false", "per-feature z-score (train mean/SD)"
        ),
    }


def _proteomics() -> dict[str, Option]:
    return {
        "zeros_to_nan": Option(True, SAMPLE, _bool, "true or false", "zeros are not quantified"),
        "log2": Option(True, SAMPLE, _bool, "true or false", "log2 of the intensities"),
        "median_center": Option(
            True,
            SAMPLE,
            _bool,
            "true or false",
            "subtract each sample's median (of its log values)",
        ),
        **_impute_options("downshift"),
    }


def _matrix(zscore: bool) -> dict[str, Option]:
    # zscore imputes stray NaN with the training median (a no-op on clean matrices);
    # none does nothing at all, so NaN in the data is an error there.
    opts = _impute_options("median" if zscore else "none")
    opts["zscore"] = Option(
        zscore, FOLD, _bool, "true or false", "per-feature z-score (train mean/SD)"
    )
    return opts


def _scrna() -> dict[str, Option]:
    return {
        "min_genes": Option(
            200,
            SAMPLE,
            _number(0, integer=True),
            "an integer >= 0",
            "scanpy filter_cells(min_genes)",
        ),
        "target_sum": Option(
            1e4,
            SAMPLE,
            _number(0.0, open_lo=True),
            "a number > 0",
            "scanpy normalize_total(target_sum)",
        ),
        "log1p": Option(True, SAMPLE, _bool, "true or false", "scanpy log1p"),
        "min_cells": Option(
            3,
            FOLD,
            _number(0, integer=True),
            "an integer >= 0",
            "scanpy filter_genes(min_cells) on the training fold",
        ),
        "n_top_genes": Option(
            2000,
            FOLD,
            _number(0, integer=True),
            "an integer >= 0 (0 = no HVG selection)",
            "scanpy highly_variable_genes on the training fold",
        ),
        "hvg_flavor": Option(
            "seurat",
            FOLD,
            _choice(HVG_FLAVORS),
            f"one of {', '.join(HVG_FLAVORS)}",
            "flavor of highly_variable_genes (log-normalised input)",
        ),
        "scale": Option(
            False, FOLD, _bool, "true or false", "scanpy scale, mean/SD of the training fold"
        ),
        "max_value": Option(
            10.0,
            FOLD,
            _number(0.0),
            "a number >= 0 (0 = no clipping)",
            "clip scaled values to +-max_value",
        ),
    }


def _name(v: object) -> bool:
    return isinstance(v, str) and v != ""


def _cite() -> dict[str, Option]:
    scrna = _scrna()
    return {
        "rna_modality": Option(
            "rna", SAMPLE, _name, "a modality name", 'var["modality"] value of the RNA columns'
        ),
        "protein_modality": Option(
            "adt",
            SAMPLE,
            _name,
            "a modality name",
            'var["modality"] value of the protein (antibody) columns',
        ),
        "min_genes": Option(
            200,
            SAMPLE,
            _number(0, integer=True),
            "an integer >= 0",
            "scanpy filter_cells(min_genes) over the RNA columns",
        ),
        "target_sum": Option(
            1e4,
            SAMPLE,
            _number(0.0, open_lo=True),
            "a number > 0",
            "scanpy normalize_total(target_sum) over the RNA columns",
        ),
        "log1p": scrna["log1p"],
        "clr": Option(
            True,
            SAMPLE,
            _bool,
            "true or false",
            "per-cell centred log-ratio of the protein columns (false: levels normalised already)",
        ),
        **_matrix(zscore=True),
        "n_top_genes": Option(
            2000,
            FOLD,
            _number(0, integer=True),
            "an integer >= 0 (0 = no HVG selection)",
            "scanpy highly_variable_genes among the RNA columns on the training fold "
            "(protein columns are always kept)",
        ),
        "hvg_flavor": scrna["hvg_flavor"],
    }


PRESETS: dict[str, dict[str, Option]] = {
    "cite": _cite(),
    "proteomics": _proteomics(),
    "scrna": _scrna(),
    "zscore": _matrix(zscore=True),
    "none": _matrix(zscore=False),
}


def available_presets() -> list[str]:
    """The preset names: ``cite``, ``none``, ``proteomics``, ``scrna``, ``zscore``.

    Examples
    --------
    >>> import seqattn
    >>> seqattn.pp.available_presets()
    ['cite', 'none', 'proteomics', 'scrna', 'zscore']
    >>> list(seqattn.pp.PRESETS["zscore"])  # a preset's options
    ['min_valid', 'completeness', 'impute', 'downshift', 'width', 'knn_neighbors', 'random_state', 'zscore']
    """
    return sorted(PRESETS)


def check_preset(preset: str) -> dict[str, Option]:
    """The option table of ``preset``; raise naming the choices when it is unknown."""
    if preset not in PRESETS:
        raise SeqattnError(
            f"unknown preprocessing preset {preset!r}; choose one of: {', '.join(available_presets())}"
        )
    return PRESETS[preset]


def resolve_options(preset: str, options: Mapping[str, object]) -> tuple[dict, dict]:
    """Validate ``options`` for ``preset`` and fill defaults.

    Returns
    -------
    (sample_options, fold_options)
        Complete dictionaries (every option of the stage, user values over defaults).

    Examples
    --------
    >>> from seqattn.pp import resolve_options
    >>> sample, fold = resolve_options("proteomics", {"impute": "knn"})
    >>> sample
    {'zeros_to_nan': True, 'log2': True, 'median_center': True}
    >>> fold["impute"], fold["min_valid"], fold["zscore"]
    ('knn', 0.7, False)
    """
    table = check_preset(preset)
    unknown = sorted(set(options) - set(table))
    if unknown:
        raise SeqattnError(
            f"option {', '.join(unknown)} is not an option of preset {preset!r}; its options are: "
            f"{', '.join(table)}"
        )
    sample, fold = {}, {}
    for name, opt in table.items():
        value = options.get(name, opt.default)
        if _is_int(opt.default) and isinstance(value, float) and value.is_integer():
            value = int(value)  # 5.0 from a YAML or .h5ad round trip is a fine integer
        if hasattr(value, "item") and not isinstance(value, str):
            value = value.item()  # numpy scalars read back from .h5ad
        if not opt.check(value):
            raise SeqattnError(f"option {name}={value!r} of preset {preset!r} must be {opt.expect}")
        (sample if opt.stage == SAMPLE else fold)[name] = value
    return sample, fold


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)
