"""The two per-fold steps the workflow runs as separate jobs: select, then validate."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn._tables import METRIC_COLUMNS, PREDICTION_COLUMNS
from seqattn.evaluate._data import obs_column, subject_groups
from seqattn.evaluate.constraints import PanelConstraints, constraints_for_adata
from seqattn.evaluate.fold_data import prepare_fold
from seqattn.evaluate.folds import fold_seed, train_test_indices
from seqattn.evaluate.panels import check_ks
from seqattn.evaluate.scoring import label_rows, score_on_fold
from seqattn.evaluate.selection import select_on_fold


class SelectedPanel(NamedTuple):
    """What :func:`select_panel` returns (unpacks as ``panel, meta, attention``).

    Examples
    --------
    The final (all-samples) 3-panel of ANOVA F on the mice data:

    >>> import seqattn
    >>> raw = seqattn.pp.preprocess(seqattn.datasets.mice_protein(), "zscore",
    ...                             label="class", group="mouse")
    >>> result = seqattn.evaluate.select_panel(raw, "class", "anova", 3)
    >>> result._fields
    ('panel', 'meta', 'attention')
    >>> panel, meta, attention = result
    >>> panel["feature"].tolist()
    ['SOD1_N', 'CaNA_N', 'Ubiquitin_N']
    >>> meta["method"], meta["fold"], meta["n_train"], attention is None
    ('anova', None, 1080, True)
    """

    panel: pd.DataFrame
    """``panel_k, rank, feature, score``."""
    meta: dict[str, Any]
    """The JSON-ready sidecar record of the fit."""
    attention: pd.DataFrame | None
    """Wide attention table (``step, selected, <features>``), None for methods without an
    attention history."""


def select_panel(
    adata: Any,
    label: str,
    method: str,
    ks: Sequence[int] | int,
    *,
    options: Mapping[str, Any] | None = None,
    constraints: PanelConstraints | Mapping[str, Any] | None = None,
    folds: pd.DataFrame | None = None,
    repeat: int | None = None,
    fold: int | None = None,
    group: str | None = None,
    random_state: int = 0,
    device: str | None = "auto",
    warmup: bool = True,
) -> SelectedPanel:
    """Fit ``method`` on the training samples of one fold, or on all samples.

    Parameters
    ----------
    adata : AnnData
        Data after the per-sample preprocessing (may hold NaN; the fold transformer from
        ``seqattn.pp`` imputes/filters/scales, fitted on the training samples only).
    label : str
        Class column of ``adata.obs``.
    method : str
        Registered method name (``seqattn.methods.available_methods()``).
    ks : int or sequence of int
        Panel sizes. Ordered methods are fitted once at ``max(ks)``; fixed-k methods once per k.
    options : dict, optional
        Method options (keyword arguments of the method).
    constraints : dict or PanelConstraints, optional
        ``exclude`` (names, or one regular expression), ``feature_groups`` and
        ``feature_costs`` (a ``var`` column, a mapping by feature name, or one value per
        feature), ``budget``, ``preselected`` (names); see
        :mod:`seqattn.evaluate.constraints`. Checked against the features before any fit.
        With blocks ``ks`` count blocks; with a budget they are caps.
    folds, repeat, fold : optional
        Fold table and the outer fold whose training samples to use. Without them all samples
        are used: the final panel.
    group : str, optional
        Subject column of ``adata.obs`` whose training values go to the selector's ``fit``
        (default: the group column ``seqattn.pp.preprocess`` recorded, if any).
    random_state : int
        Seed of the method.
    device : str, optional
        Passed as the ``device`` option to methods that take one (e.g. ``"auto"``, ``"cuda"``)
        unless ``options`` sets it.
    warmup : bool
        Run an untimed k=1 fit on a few features first, so lazy imports and one-time
        initialisation are not charged to the measured cost.

    Returns
    -------
    SelectedPanel
        ``panel``: ``panel_k, rank, feature, score``. ``meta``: JSON-ready method, options,
        ordered, seed, device, ks, n_train, n_features (after the fold transformer), repeat,
        fold, wall_time_s and peak_rss_delta_mb of the selector (see :mod:`seqattn.evaluate.cost`
        for what is measured), cost_by_k, transform_time_s, train_samples_sha1, package
        versions; with constraints also ``constraints`` (what was constrained) and, with
        costs, ``panel_cost`` and ``panel_cost_by_k``. ``attention``: the wide attention
        table, or None.

    Examples
    --------
    ANOVA F on the training samples of outer fold 1 (ordered: one fit at ``max(ks)``, whose
    prefixes are the smaller panels):

    >>> import seqattn
    >>> raw = seqattn.pp.preprocess(seqattn.datasets.mice_protein(), "zscore",
    ...                             label="class", group="mouse")
    >>> folds = seqattn.evaluate.folds_for_adata(raw, "class", group="mouse", n_splits=3)
    >>> panel, meta, _ = seqattn.evaluate.select_panel(raw, "class", "anova", [3, 5],
    ...                                                folds=folds, repeat=0, fold=1)
    >>> panel[["panel_k", "rank", "feature"]]
       panel_k  rank      feature
    0        5     1       SOD1_N
    1        5     2       CaNA_N
    2        5     3  Ubiquitin_N
    3        5     4        P38_N
    4        5     5        ARC_N
    >>> meta["n_train"], meta["n_test"], meta["n_features"]
    (735, 345, 77)

    Without a fold table it is the final panel on all samples; constraints hold in it:

    >>> final = seqattn.evaluate.select_panel(raw, "class", "anova", 3,
    ...                                       constraints={"exclude": ["SOD1_N"]})
    >>> final.panel["feature"].tolist()
    ['CaNA_N', 'Ubiquitin_N', 'ARC_N']
    """
    constraints = constraints_for_adata(adata, constraints)
    y = obs_column(adata, label).to_numpy()
    check_ks(ks, n_features=adata.n_vars)
    if folds is None:
        if repeat is not None or fold is not None:
            raise SeqattnError("repeat/fold given without a fold table; pass folds= too")
        train, test = np.arange(adata.n_obs), None
    else:
        if repeat is None or fold is None:
            raise SeqattnError("a fold table needs both repeat and fold")
        train, test = train_test_indices(folds, adata.obs_names, repeat, fold)
    # the selector never needs the test side
    data = prepare_fold(adata, y, train, None, subject_groups(adata, group))
    panel, meta, attention = select_on_fold(
        data,
        method,
        ks,
        options=dict(options or {}),
        constraints=constraints,
        random_state=fold_seed(random_state, repeat, fold),
        device=device,
        warmup=warmup,
    )
    meta.update(
        label=label,
        seed=int(random_state),  # the seed the user gave; the method got fold_seed
        fold_seed=meta["seed"],
        repeat=None if repeat is None else int(repeat),
        fold=None if fold is None else int(fold),
        n_test=0 if test is None else len(test),
    )
    return SelectedPanel(panel, meta, attention)


def validate_panel(
    adata: Any,
    label: str,
    folds: pd.DataFrame,
    repeat: int,
    fold: int,
    panel: pd.DataFrame,
    ks: Sequence[int] | int,
    classifiers: Iterable[str] | Mapping[str, Mapping[str, Any]] | None = None,
    *,
    meta: Mapping[str, Any] | None = None,
    dataset: str = "",
    method: str = "",
    random_state: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Score the k-panels of ``panel`` on one outer fold with each downstream classifier.

    The fold transformer and every classifier (``StandardScaler`` included) are fitted on the
    training samples; the test samples are only transformed and predicted.

    Parameters
    ----------
    panel : DataFrame
        Panel table from :func:`select_panel` on the same (repeat, fold).
    ks : int or sequence of int
        Panel sizes to score (prefixes of ordered panels).
    classifiers : list of names or dict name -> options, optional
        Default :data:`~seqattn.evaluate.classifiers.DEFAULT_CLASSIFIERS` (``logreg, rf, knn``).
    meta : dict, optional
        The panel's sidecar. Given, it is checked against this fold (a panel selected on other
        samples would leak). Its selector cost goes to the separate cost table
        (:func:`seqattn.evaluate.scoring.cost_rows`), never into the metrics.
    dataset, method : str
        Identity columns of the output (``method`` defaults to ``meta["method"]``).

    Returns
    -------
    metrics : DataFrame
        ``dataset, method, k, repeat, fold, classifier, metric, value``.
    predictions : DataFrame
        ``dataset, method, k, repeat, fold, classifier, sample, y_true, y_pred``.

    Examples
    --------
    Select on the training samples of outer fold 1, then score the 3- and 5-panels on its
    test samples:

    >>> import seqattn
    >>> raw = seqattn.pp.preprocess(seqattn.datasets.mice_protein(), "zscore",
    ...                             label="class", group="mouse")
    >>> folds = seqattn.evaluate.folds_for_adata(raw, "class", group="mouse", n_splits=3)
    >>> panel, meta, _ = seqattn.evaluate.select_panel(raw, "class", "anova", [3, 5],
    ...                                                folds=folds, repeat=0, fold=1)
    >>> metrics, predictions = seqattn.evaluate.validate_panel(
    ...     raw, "class", folds, 0, 1, panel, [3, 5], ["logreg"], meta=meta, dataset="mice")
    >>> metrics.columns.tolist()
    ['dataset', 'method', 'k', 'repeat', 'fold', 'classifier', 'metric', 'value']
    >>> metrics.groupby("k").size().tolist()  # 4 metrics and 8 per-class recalls per k
    [12, 12]
    >>> predictions.shape  # 345 test samples x 2 panel sizes
    (690, 9)

    With its sidecar, a panel selected on another fold is refused (it would leak):

    >>> seqattn.evaluate.validate_panel(raw, "class", folds, 0, 2, panel, 3, meta=meta)
    Traceback (most recent call last):
    ...
    seqattn._errors.SeqattnError: panel was selected on repeat 0, fold 1 but is validated on repeat 0, fold 2; pass the panel of the same fold
    """
    y = obs_column(adata, label).to_numpy()
    ks = check_ks(ks)
    train, test = train_test_indices(folds, adata.obs_names, repeat, fold)
    data = prepare_fold(adata, y, train, test)
    if meta is not None:
        check_panel_belongs_to_fold(meta, data.train_names, repeat, fold)
        method = method or str(meta.get("method", ""))
    metrics, predictions = score_on_fold(data, panel, ks, classifiers, random_state=random_state)
    identity = {"dataset": dataset, "method": method, "repeat": int(repeat), "fold": int(fold)}
    return (
        label_rows(metrics, METRIC_COLUMNS, **identity),
        label_rows(predictions, PREDICTION_COLUMNS, **identity),
    )


def check_panel_belongs_to_fold(
    meta: Mapping[str, Any], train_names: np.ndarray, repeat: int, fold: int
) -> None:
    """Refuse to score a panel that was selected on samples other than this training fold."""
    from seqattn.evaluate.selection import samples_digest

    where = f"repeat {meta.get('repeat')}, fold {meta.get('fold')}"
    if meta.get("fold") is None:
        raise SeqattnError(
            "this panel was selected on all samples (a final panel); scoring it on a fold "
            "leaks the test samples. Validate the panel selected on this fold"
        )
    if int(meta["repeat"]) != int(repeat) or int(meta["fold"]) != int(fold):
        raise SeqattnError(
            f"panel was selected on {where} but is validated on repeat {repeat}, fold {fold}; "
            "pass the panel of the same fold"
        )
    digest = meta.get("train_samples_sha1")
    if digest is not None and digest != samples_digest(train_names):
        raise SeqattnError(
            f"panel of {where} was selected on other training samples than this fold table "
            "gives; was it made with another fold table or data set?"
        )
