"""All of nested cross-validation in memory, for notebooks (the workflow runs it per fold)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from seqattn._tables import COST_COLUMNS, METRIC_COLUMNS, PREDICTION_COLUMNS
from seqattn.evaluate._data import dataset_name
from seqattn.evaluate.aggregate import compare_methods, summarise
from seqattn.evaluate.constraints import PanelConstraints, constraints_for_adata
from seqattn.evaluate.fold_data import prepare_fold
from seqattn.evaluate.folds import cv_inputs, fold_seed, iter_folds, train_test_indices
from seqattn.evaluate.panels import check_ks
from seqattn.evaluate.scoring import cost_rows, label_rows, score_on_fold
from seqattn.evaluate.selection import select_on_fold
from seqattn.evaluate.stability import label_panel, method_similarity, selection_frequency
from seqattn.evaluate.stability import stability as panel_stability


@dataclass
class NestedCVResult:
    """Tidy outputs of :func:`run_nested_cv` (same columns as the workflow's tables).

    Attributes
    ----------
    metrics : DataFrame
        ``dataset, method, k, repeat, fold, classifier, metric, value`` (scores only).
    predictions : DataFrame
        ``dataset, method, k, repeat, fold, classifier, sample, y_true, y_pred``.
    panels : DataFrame
        Long panel table of every fold fit (with each feature's block ``group`` and ``cost``).
    folds : DataFrame
        The fold table used.
    metas : list of dict
        Sidecar record of every fold fit.
    cost : DataFrame
        ``dataset, method, k, repeat, fold, metric, value``: selector wall time and memory
        (apart from ``metrics``: they differ from run to run).

    Examples
    --------
    >>> import seqattn
    >>> raw = seqattn.pp.preprocess(seqattn.datasets.mice_protein(), "zscore",
    ...                             label="class", group="mouse")
    >>> result = seqattn.evaluate.run_nested_cv(raw, "class", ["anova", "random"], [3, 5],
    ...                                        ["logreg"], group="mouse", n_splits=3)
    >>> import dataclasses
    >>> [field.name for field in dataclasses.fields(result)]
    ['metrics', 'predictions', 'panels', 'folds', 'metas', 'cost']
    >>> result.metrics.shape  # 2 methods x 2 k x 3 folds x 12 metrics
    (144, 8)
    >>> result.predictions.shape, result.panels.shape, result.folds.shape, len(result.metas)
    ((4320, 9), (30, 11), (1080, 3), 6)
    >>> sorted(result.cost["metric"].unique())
    ['selector_peak_rss_delta_mb', 'selector_time_s']
    >>> result.stability()[["method", "k"]]  # and jaccard_mean, kuncheva_mean
       method  k
    0   anova  3
    1   anova  5
    2  random  3
    3  random  5
    """

    metrics: pd.DataFrame
    predictions: pd.DataFrame
    panels: pd.DataFrame
    folds: pd.DataFrame
    metas: list[dict[str, Any]] = field(default_factory=list)
    cost: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COST_COLUMNS))

    def summary(self) -> pd.DataFrame:
        """Mean, sd and n of every metric (see :func:`seqattn.evaluate.summarise`)."""
        return summarise(self.metrics)

    def paired(self, reference: str | None = None) -> pd.DataFrame:
        """Wilcoxon comparisons vs ``reference`` (all pairs when None)."""
        return compare_methods(self.metrics, reference)

    def selection_frequency(self) -> pd.DataFrame:
        return selection_frequency(self.panels, self._ks())

    def stability(self) -> pd.DataFrame:
        return panel_stability(self.panels, self._ks())

    def method_similarity(self) -> pd.DataFrame:
        return method_similarity(self.panels, self._ks())

    def _ks(self) -> list[int]:
        return sorted(int(k) for k in self.metrics["k"].unique())


def run_nested_cv(
    adata: Any,
    label: str,
    methods: Sequence[str],
    ks: Sequence[int] | int,
    classifiers: Iterable[str] | Mapping[str, Mapping[str, Any]] | None = None,
    *,
    group: str | None = None,
    n_splits: int = 5,
    n_repeats: int = 1,
    folds: pd.DataFrame | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    constraints: PanelConstraints | Mapping[str, Any] | None = None,
    random_state: int = 0,
    device: str | None = "auto",
    dataset: str | None = None,
    warmup: bool = True,
) -> NestedCVResult:
    """Nested cross-validation of several methods on one data set.

    For every outer fold: fit the fold transformer on the training samples, run each method
    on them, score every k-panel with each classifier on the test samples. The transformer
    is fitted once per fold and shared by the methods (it does not depend on the method).

    Parameters
    ----------
    adata : AnnData
    label : str
        Class column of ``adata.obs``.
    methods : sequence of str
        Registered method names.
    ks : int or sequence of int
        Panel sizes.
    classifiers : list of names or dict name -> options, optional
        Default :data:`~seqattn.evaluate.classifiers.DEFAULT_CLASSIFIERS` (``logreg, rf, knn``).
    group : str, optional
        Column of ``adata.obs`` to group folds by (subject, mouse, patient); the selectors
        get the training samples' groups too (Sequential Attention resamples subjects).
    n_splits, n_repeats : int
        Outer folds and repeats (ignored when ``folds`` is given).
    folds : DataFrame, optional
        A fold table to reuse.
    options : dict method -> dict, optional
        Options of each method.
    constraints : dict or PanelConstraints, optional
        Panel constraints every method honours in every fold (``exclude``,
        ``feature_groups``, ``feature_costs``, ``budget``, ``preselected``; see
        :func:`seqattn.evaluate.select_panel`); a method that cannot honour one stops with
        one line.
    random_state : int
        Seed of the folds, the methods and the classifiers.
    device : str, optional
        Device for methods that take one.
    dataset : str, optional
        Name in the ``dataset`` column (default ``adata.uns["dataset"]["name"]``).
    warmup : bool
        Untimed warm-up fit before each timed one (see ``select_panel``).

    Returns
    -------
    NestedCVResult
        ``.metrics`` (tidy), ``.predictions``, ``.panels``, ``.folds``, and ``.summary()``,
        ``.paired()``, ``.stability()``, ``.selection_frequency()``, ``.method_similarity()``.

    Examples
    --------
    ANOVA F against random panels on the mice data, three folds grouped by mouse:

    >>> import seqattn
    >>> raw = seqattn.pp.preprocess(seqattn.datasets.mice_protein(), "zscore",
    ...                             label="class", group="mouse")
    >>> result = seqattn.evaluate.run_nested_cv(raw, "class", ["anova", "random"], [3, 5],
    ...                                        ["logreg"], group="mouse", n_splits=3)
    >>> summary = result.summary()
    >>> summary[summary["metric"] == "balanced_accuracy"][["method", "k", "n"]]
        method  k  n
    1    anova  3  3
    13   anova  5  3
    25  random  3  3
    37  random  5  3
    >>> frequency = result.selection_frequency()  # of each feature in the fold panels
    >>> frequency[(frequency["method"] == "anova") & (frequency["k"] == 3)].round(3)
            dataset method  k      feature  frequency
    0  mice_protein  anova  3       CaNA_N      1.000
    1  mice_protein  anova  3       SOD1_N      1.000
    2  mice_protein  anova  3  Ubiquitin_N      0.667
    3  mice_protein  anova  3       pERK_N      0.333
    """
    dataset = dataset or dataset_name(adata, "data")
    ks = check_ks(ks, n_features=adata.n_vars)
    constraints = constraints_for_adata(adata, constraints)
    y, groups, folds = cv_inputs(
        adata,
        label,
        group,
        folds,
        n_splits=n_splits,
        n_repeats=n_repeats,
        random_state=random_state,
    )
    options = dict(options or {})
    metric_tables, prediction_tables, panel_tables, metas, cost_tables = [], [], [], [], []
    for repeat, fold in iter_folds(folds):
        train, test = train_test_indices(folds, adata.obs_names, repeat, fold)
        data = prepare_fold(adata, y, train, test, groups)
        identity = {"dataset": dataset, "repeat": repeat, "fold": fold}
        for method in methods:
            panel, meta, _ = select_on_fold(
                data,
                method,
                ks,
                options=dict(options.get(method, {})),
                constraints=constraints,
                random_state=fold_seed(random_state, repeat, fold),
                device=device,
                warmup=warmup,
            )
            meta.update(
                dataset=dataset,
                label=label,
                repeat=repeat,
                fold=fold,
                seed=int(random_state),
                fold_seed=meta["seed"],
            )
            metrics, predictions = score_on_fold(
                data, panel, ks, classifiers, random_state=random_state
            )
            metric_tables.append(label_rows(metrics, METRIC_COLUMNS, method=method, **identity))
            cost_tables.append(
                label_rows(cost_rows(meta, ks), COST_COLUMNS, method=method, **identity)
            )
            prediction_tables.append(
                label_rows(predictions, PREDICTION_COLUMNS, method=method, **identity)
            )
            panel_tables.append(
                label_panel(panel, meta, dataset).assign(
                    group=panel["group"].to_numpy(), cost=panel["cost"].to_numpy()
                )
            )
            metas.append(meta)
    return NestedCVResult(
        metrics=pd.concat(metric_tables, ignore_index=True),
        predictions=pd.concat(prediction_tables, ignore_index=True),
        panels=pd.concat(panel_tables, ignore_index=True),
        folds=folds,
        metas=metas,
        cost=pd.concat(cost_tables, ignore_index=True),
    )


def naive_cv_score(
    adata: Any,
    label: str,
    method: str,
    k: int,
    folds: pd.DataFrame,
    classifier: str = "logreg",
    *,
    options: Mapping[str, Any] | None = None,
    random_state: int = 0,
    device: str | None = "auto",
) -> float:
    """The *wrong* protocol, kept to show what it costs: select on all samples, then CV.

    Mean balanced accuracy over ``folds`` of ``classifier`` on a panel chosen with every
    sample, test folds included. Used by the leakage tests as the inflated reference.

    Examples
    --------
    The naive score of ANOVA F's 3-panel against the nested one on the same folds:

    >>> import seqattn
    >>> raw = seqattn.pp.preprocess(seqattn.datasets.mice_protein(), "zscore",
    ...                             label="class", group="mouse")
    >>> folds = seqattn.evaluate.folds_for_adata(raw, "class", group="mouse", n_splits=3)
    >>> naive = seqattn.evaluate.naive_cv_score(raw, "class", "anova", 3, folds)
    >>> nested = seqattn.evaluate.run_nested_cv(raw, "class", ["anova"], 3, ["logreg"],
    ...                                        folds=folds).summary()
    >>> honest = nested.loc[nested["metric"] == "balanced_accuracy", "mean"].item()
    >>> round(naive, 2), round(honest, 2)  # selecting on the test samples inflates the score
    (0.32, 0.3)
    """
    from seqattn.evaluate.fold_run import select_panel, validate_panel

    panel = select_panel(
        adata,
        label,
        method,
        [k],
        options=options,
        random_state=random_state,
        device=device,
        warmup=False,
    ).panel
    scores = []
    for repeat, fold in iter_folds(folds):
        metrics, _ = validate_panel(
            adata,
            label,
            folds,
            repeat,
            fold,
            panel,
            [k],
            [classifier],
            random_state=random_state,
        )
        scores.append(metrics.loc[metrics["metric"] == "balanced_accuracy", "value"].item())
    return float(np.mean(scores))
