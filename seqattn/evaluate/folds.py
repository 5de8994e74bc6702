"""The outer cross-validation folds, fixed once in a table that every step reads.

Stratified by class; grouped (``StratifiedGroupKFold``) when samples share a subject, mouse
or patient, so replicates of one subject never sit on both sides of a split.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn._tables import FOLD_COLUMNS


def make_folds(
    labels: Sequence[Any] | pd.Series,
    groups: Sequence[Any] | pd.Series | None = None,
    *,
    n_splits: int = 5,
    n_repeats: int = 1,
    random_state: int = 0,
    obs_names: Sequence[str] | None = None,
    n_splits_name: str = "n_splits",
) -> pd.DataFrame:
    """Assign every sample a test fold in each repeat.

    Parameters
    ----------
    labels : sequence or Series, shape (n_samples,)
        Class of each sample. A Series supplies the sample names through its index.
    groups : sequence or Series, optional
        Subject of each sample (mouse, patient). Given: ``StratifiedGroupKFold``, so a
        group is never split between train and test; else ``StratifiedKFold``.
    n_splits : int
        Folds per repeat (at least 2).
    n_repeats : int
        Independent reshuffles; repeat ``r`` is split with seed ``random_state + r``.
    random_state : int
        Seed of the first repeat.
    obs_names : sequence of str, optional
        Sample names (``adata.obs_names``); default the index of ``labels``.
    n_splits_name : str
        What the error messages call ``n_splits``, so that they name the setting the user
        changes: ``--n-splits`` for the CLI, ``cv.n_splits`` for the workflow config.

    Returns
    -------
    DataFrame
        Columns ``sample, repeat, fold``: one row per sample and repeat, ``fold`` being the
        fold in which that sample is tested.

    Raises
    ------
    SeqattnError
        When a class has fewer samples (or, grouped, fewer groups) than ``n_splits``: such a
        class would be missing from some test folds or even from a training fold, and
        scikit-learn would only warn. The message names the classes and the fix. No
        silent fallback: merging or dropping rare classes is a scientific choice.

    Examples
    --------
    Six samples of two classes, stratified into three folds; with subjects (``groups``),
    the samples of one subject share a test fold:

    >>> import pandas as pd
    >>> from seqattn.evaluate import make_folds
    >>> labels = pd.Series(list("aaabbb"), index=[f"s{i}" for i in range(6)])
    >>> folds = make_folds(labels, n_splits=3)
    >>> folds.columns.tolist(), folds.shape
    (['sample', 'repeat', 'fold'], (6, 3))
    >>> folds.groupby("fold").size().tolist()  # two samples, one per class, in each fold
    [2, 2, 2]
    >>> subjects = ["m1", "m1", "m2", "m3", "m3", "m4"]
    >>> grouped = make_folds(labels, subjects, n_splits=2, n_repeats=2)
    >>> int(grouped.groupby(["repeat", "fold"]).size().sum())
    12
    >>> first = grouped[grouped["repeat"] == 0]
    >>> first.groupby(subjects)["fold"].nunique().tolist()  # m1, m2, m3, m4
    [1, 1, 1, 1]
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    y = np.asarray(labels).astype(str)
    if obs_names is None:
        if not isinstance(labels, pd.Series):
            raise SeqattnError("make_folds needs sample names: pass obs_names= or a Series")
        obs_names = labels.index
    names = np.asarray(obs_names).astype(str)
    if names.shape[0] != y.shape[0]:
        raise SeqattnError(f"{y.shape[0]} labels but {names.shape[0]} sample names")
    if len(pd.unique(names)) != names.shape[0]:
        raise SeqattnError("sample names are not unique; run adata.obs_names_make_unique()")
    n_splits, n_repeats = int(n_splits), int(n_repeats)
    if n_splits < 2:
        raise SeqattnError(f"n_splits={n_splits}: cross-validation needs at least 2 folds")
    if n_repeats < 1:
        raise SeqattnError(f"n_repeats={n_repeats}: need at least 1 repeat")
    g = None if groups is None else np.asarray(groups).astype(str)
    if g is not None and g.shape[0] != y.shape[0]:
        raise SeqattnError(f"{y.shape[0]} labels but {g.shape[0]} group values")
    _check_class_sizes(y, g, n_splits, n_splits_name)

    rows = []
    for repeat in range(n_repeats):
        seed = int(random_state) + repeat
        if g is None:
            splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
            splits = splitter.split(np.zeros(len(y)), y)
        else:
            splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
            splits = splitter.split(np.zeros(len(y)), y, g)
        fold_of = np.full(len(y), -1, dtype=np.int64)
        for fold, (_, test) in enumerate(splits):
            fold_of[test] = fold
        rows.append(pd.DataFrame({"sample": names, "repeat": repeat, "fold": fold_of}))
    folds = pd.concat(rows, ignore_index=True)
    _check_training_folds_have_every_class(folds, y, n_splits_name)
    return folds


def _check_class_sizes(
    y: np.ndarray, groups: np.ndarray | None, n_splits: int, n_splits_name: str
) -> None:
    if groups is None:
        counts = pd.Series(y).value_counts()
        unit = "samples"
    else:
        counts = pd.DataFrame({"y": y, "g": groups}).groupby("y")["g"].nunique()
        unit = "groups"
        n_groups = len(pd.unique(groups))
        if n_groups < n_splits:
            fix = (
                f"lower {n_splits_name} to {n_groups} or less"
                if n_groups >= 2
                else "grouped cross-validation needs 2 groups or more; check the group column"
            )
            raise SeqattnError(f"only {n_groups} groups for {n_splits} folds; {fix}")
    if len(counts) < 2:
        raise SeqattnError(f"the label has {len(counts)} class; classification needs 2 or more")
    small = counts[counts < n_splits].sort_values()
    if len(small):
        listed = ", ".join(f"{c!r} ({n} {unit})" for c, n in small.items())
        smallest = int(small.min())
        fix = (
            f"lower {n_splits_name} to {smallest} or drop/merge these classes"
            if smallest >= 2
            else f"{n_splits_name} cannot go below 2, so drop or merge these classes"
        )
        raise SeqattnError(f"classes too small for {n_splits} folds: {listed}; {fix}")


def _check_training_folds_have_every_class(
    folds: pd.DataFrame, y: np.ndarray, n_splits_name: str
) -> None:
    # StratifiedGroupKFold balances classes heuristically; make sure no training fold
    # lost a class entirely (the classifier could then never predict it).
    n_classes = len(pd.unique(y))
    y_of = pd.Series(np.tile(y, folds["repeat"].nunique()), index=folds.index)
    for (repeat, fold), _ in folds.groupby(["repeat", "fold"]):
        train = (folds["repeat"] == repeat) & (folds["fold"] != fold)
        if y_of[train].nunique() < n_classes:
            raise SeqattnError(
                f"repeat {repeat}, fold {fold}: a class is missing from the training samples; "
                f"lower {n_splits_name} or use more groups per class"
            )


def folds_for_adata(
    adata: Any,
    label: str,
    group: str | None = None,
    *,
    n_splits: int = 5,
    n_repeats: int = 1,
    random_state: int = 0,
    n_splits_name: str = "n_splits",
) -> pd.DataFrame:
    """:func:`make_folds` on ``adata.obs[label]`` (and ``adata.obs[group]``).

    Examples
    --------
    >>> import seqattn
    >>> adata = seqattn.datasets.mice_protein()
    >>> folds = seqattn.evaluate.folds_for_adata(adata, "class", group="mouse", n_splits=3)
    >>> folds.shape, sorted(folds["fold"].unique().tolist())
    ((1080, 3), [0, 1, 2])
    >>> # the 15 replicates of a mouse share one test fold
    >>> int(folds.groupby(adata.obs["mouse"].to_numpy(), observed=True)["fold"].nunique().max())
    1
    """
    from seqattn.evaluate._data import obs_column

    y = obs_column(adata, label)
    g = None if group is None else obs_column(adata, group, role="group")
    return make_folds(
        y,
        g,
        n_splits=n_splits,
        n_repeats=n_repeats,
        random_state=random_state,
        obs_names=adata.obs_names,
        n_splits_name=n_splits_name,
    )


def cv_inputs(
    adata: Any,
    label: str,
    group: str | None,
    folds: pd.DataFrame | None,
    *,
    n_splits: int = 5,
    n_repeats: int = 1,
    random_state: int = 0,
) -> tuple[np.ndarray, np.ndarray | None, pd.DataFrame]:
    """Labels, subjects (or None) and the fold table (``folds``, or new ones) of a CV run."""
    from seqattn.evaluate._data import obs_column

    y = obs_column(adata, label).to_numpy()
    groups = None if group is None else obs_column(adata, group, role="group").to_numpy()
    if folds is None:
        folds = folds_for_adata(
            adata, label, group, n_splits=n_splits, n_repeats=n_repeats, random_state=random_state
        )
    return y, groups, folds


def read_folds(path: str) -> pd.DataFrame:
    """Read a fold table written by :func:`make_folds` (TSV or Parquet) and check its shape.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from seqattn.evaluate import make_folds, read_folds
    >>> labels = pd.Series(list("aabb"), index=["s1", "s2", "s3", "s4"])
    >>> path = Path(tempfile.mkdtemp()) / "folds.tsv"
    >>> make_folds(labels, n_splits=2).to_csv(path, sep="\\t", index=False)
    >>> folds = read_folds(path)
    >>> folds["sample"].tolist(), folds.dtypes["fold"]
    (['s1', 's2', 's3', 's4'], dtype('int64'))
    """
    try:
        if str(path).endswith(".parquet"):
            folds = pd.read_parquet(path)
        else:
            folds = pd.read_csv(path, sep="\t", dtype={"sample": str}, keep_default_na=False)
    except FileNotFoundError:
        raise
    except Exception as err:  # any parser error means the same thing to the user
        raise SeqattnError(f"cannot read fold table {path}: {err}".splitlines()[0]) from None
    missing = [c for c in FOLD_COLUMNS if c not in folds.columns]
    if missing:
        raise SeqattnError(
            f"{path} is not a fold table (missing columns {missing}); make one with seqattn folds"
        )
    folds = folds[FOLD_COLUMNS].copy()
    folds["sample"] = folds["sample"].astype(str)
    folds["repeat"] = folds["repeat"].astype(np.int64)
    folds["fold"] = folds["fold"].astype(np.int64)
    return folds


def check_folds_match(folds: pd.DataFrame, obs_names: Sequence[str]) -> None:
    """Fail when the fold table was made for other samples (another data set or filter).

    Examples
    --------
    >>> import pandas as pd
    >>> from seqattn.evaluate import check_folds_match, make_folds
    >>> folds = make_folds(pd.Series(list("aabb"), index=["s1", "s2", "s3", "s4"]), n_splits=2)
    >>> check_folds_match(folds, ["s4", "s3", "s2", "s1"])  # same samples, any order: passes
    >>> check_folds_match(folds, ["s1", "s2", "s3", "s5"])
    Traceback (most recent call last):
    ...
    seqattn._errors.SeqattnError: fold table does not match the data (repeat 0: 1 unknown, 1 missing samples, e.g. 's4'); was it made for another data set? Rerun seqattn folds on this file
    """
    names = pd.Index(np.asarray(obs_names).astype(str))
    for repeat, block in folds.groupby("repeat"):
        listed = pd.Index(block["sample"])
        extra = listed.difference(names)
        absent = names.difference(listed)
        if len(extra) or len(absent) or listed.has_duplicates:
            example = (list(extra[:1]) or list(absent[:1]) or [listed[listed.duplicated()][0]])[0]
            raise SeqattnError(
                f"fold table does not match the data (repeat {repeat}: {len(extra)} unknown, "
                f"{len(absent)} missing samples, e.g. {example!r}); was it made for another "
                "data set? Rerun seqattn folds on this file"
            )


def train_test_indices(
    folds: pd.DataFrame, obs_names: Sequence[str], repeat: int, fold: int
) -> tuple[np.ndarray, np.ndarray]:
    """Row positions (into ``obs_names``) of the training and test samples of one fold.

    Raises
    ------
    SeqattnError
        When the table does not cover exactly ``obs_names`` or the (repeat, fold) is absent.

    Examples
    --------
    >>> import pandas as pd
    >>> from seqattn.evaluate import make_folds, train_test_indices
    >>> names = ["s1", "s2", "s3", "s4", "s5", "s6"]
    >>> folds = make_folds(pd.Series(list("aaabbb"), index=names), n_splits=3)
    >>> train, test = train_test_indices(folds, names, repeat=0, fold=0)
    >>> len(train), len(test), sorted(set(train) | set(test)) == list(range(6))
    (4, 2, True)
    """
    check_folds_match(folds, obs_names)
    block = folds[folds["repeat"] == int(repeat)]
    if block.empty:
        raise SeqattnError(
            f"repeat {repeat} is not in the fold table (repeats: "
            f"{sorted(folds['repeat'].unique().tolist())})"
        )
    if int(fold) not in set(block["fold"]):
        raise SeqattnError(
            f"fold {fold} is not in repeat {repeat} of the fold table (folds: "
            f"{sorted(block['fold'].unique().tolist())})"
        )
    fold_of = block.set_index("sample")["fold"].reindex(np.asarray(obs_names).astype(str))
    is_test = fold_of.to_numpy() == int(fold)
    return np.flatnonzero(~is_test), np.flatnonzero(is_test)


def iter_folds(folds: pd.DataFrame) -> list[tuple[int, int]]:
    """The ``(repeat, fold)`` pairs of a fold table, in order."""
    pairs = folds[["repeat", "fold"]].drop_duplicates().sort_values(["repeat", "fold"])
    return [(int(r), int(f)) for r, f in pairs.itertuples(index=False)]


def fold_seed(random_state: int, repeat: int | None, fold: int | None) -> int:
    """The seed a method gets on one outer fold: distinct per fold, fixed by ``random_state``.

    Using the same seed in every fold would make seeded methods (``random``, and the
    initialisation of neural selectors) repeat themselves across folds, which hides their
    seed-to-seed variation and inflates their measured stability. The all-samples fit
    (``repeat``/``fold`` None) uses ``random_state`` itself.
    """
    if repeat is None or fold is None:
        return int(random_state)
    return int(random_state) + 1000 * (int(repeat) + 1) + int(fold)
