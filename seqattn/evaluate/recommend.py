"""The recommended panel: which method, how many markers, chosen without peeking.

Choosing the best cell of the outer method x k table after seeing the outer test folds is
itself selection (the best of many cells on few samples is optimistic by several points).
:func:`recommend` makes the choice a step of the procedure instead: inside every outer
training fold an inner cross-validation (grouped and stratified like the outer one, made from
the outer training rows only) scores every configured ``(method, k)`` and a stated rule picks
one; the pick is refitted on the whole outer training fold and scored on the outer test fold.
The outer folds then estimate the whole procedure, the choice included. The final
recommendation runs the same procedure on all samples.

Everything reuses the evaluate layer: :func:`~seqattn.evaluate.fold_data.prepare_fold` (the
fold transformer fitted on the training rows only), :func:`~seqattn.evaluate.selection.
select_on_fold`, :func:`~seqattn.evaluate.scoring.score_on_fold` and the fold helpers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn._tables import (
    RECOMMENDATION_COLUMNS,
    RECOMMENDATION_FOLD_COLUMNS,
    RECOMMENDATION_INNER_COLUMNS,
    RECOMMENDATION_PANEL_COLUMNS,
)
from seqattn.evaluate._data import dataset_name, obs_column
from seqattn.evaluate.classifiers import normalise_classifiers
from seqattn.evaluate.constraints import PanelConstraints, constraints_for_adata
from seqattn.evaluate.fold_data import prepare_fold
from seqattn.evaluate.folds import (
    cv_inputs,
    fold_seed,
    iter_folds,
    make_folds,
    train_test_indices,
)
from seqattn.evaluate.panels import check_ks, panel_for_k
from seqattn.evaluate.scoring import score_on_fold
from seqattn.evaluate.selection import select_on_fold

RULES = ("one_se", "best")
METRIC = "balanced_accuracy"
CI_METHOD = "t-interval over the outer fold scores (df = folds - 1), clipped to [0, 1]"


@dataclass
class Recommendation:
    """What :func:`recommend` returns: the panel to take and its honest estimate.

    Attributes
    ----------
    method, k : str, int
        The configuration the rule chose on all samples.
    panel : list of str
        The ordered panel (best first), fitted on all samples.
    expected_balanced_accuracy : float
        Mean over the outer folds of the balanced accuracy of the whole procedure (inner
        choice, refit, outer test).
    ci : (float, float)
        Its 95% interval (:data:`CI_METHOD`); NaN with a single outer fold.
    fold_choices : DataFrame
        ``seqattn._tables.RECOMMENDATION_FOLD_COLUMNS``: the choice and outer score of
        every outer fold.
    inner : DataFrame
        ``seqattn._tables.RECOMMENDATION_INNER_COLUMNS``: the inner-CV curve of every
        method, per outer fold and on all samples.
    panel_table : DataFrame
        ``seqattn._tables.RECOMMENDATION_PANEL_COLUMNS``: the final panel with
        ``selection_frequency``, the fraction of outer folds whose chosen panel held the
        marker.
    rule, inner_splits, classifier, dataset, n_fits
        How it was made; ``n_fits`` counts the selector fits (inner, refits and final).
    predictions : DataFrame
        The outer test predictions of each outer fold's choice.

    Examples
    --------
    One method, two panel sizes, two outer and two inner folds grouped by mouse:

    >>> import seqattn
    >>> raw = seqattn.pp.preprocess(seqattn.datasets.mice_protein(), "zscore",
    ...                             label="class", group="mouse")
    >>> rec = seqattn.evaluate.recommend(raw, "class", methods=["anova"], ks=[3, 5],
    ...                                  group="mouse", n_splits=2, inner_splits=2)
    >>> type(rec).__name__, rec.method, len(rec.panel) == rec.k, rec.panel[:3]
    ('Recommendation', 'anova', True, ['SOD1_N', 'CaNA_N', 'Ubiquitin_N'])
    >>> rec.rule, rec.inner_splits, rec.classifier, rec.dataset, rec.n_fits  # (2 + 1) x (2 + 1)
    ('one_se', 2, 'logreg', 'mice_protein', 9)
    >>> low, high = rec.ci
    >>> bool(low <= rec.expected_balanced_accuracy <= high)
    True
    >>> rec.fold_choices[["repeat", "fold", "method", "n_train", "n_test"]]
       repeat  fold method  n_train  n_test
    0       0     0  anova      540     540
    1       0     1  anova      540     540
    >>> rec.inner["scope"].unique().tolist()  # inner curves per outer fold and on all samples
    ['r0_f0', 'r0_f1', 'all']
    >>> rec.panel_table.columns.tolist()
    ['dataset', 'method', 'k', 'rank', 'feature', 'score', 'selection_frequency', 'group', 'cost']
    >>> rec.table().shape  # tables/recommendation.tsv
    (1, 14)
    """

    method: str
    k: int
    panel: list[str]
    expected_balanced_accuracy: float
    ci: tuple[float, float]
    fold_choices: pd.DataFrame = field(repr=False)
    inner: pd.DataFrame = field(repr=False)
    panel_table: pd.DataFrame = field(repr=False)
    rule: str = "one_se"
    inner_splits: int = 3
    classifier: str = "logreg"
    dataset: str = "data"
    n_fits: int = 0
    predictions: pd.DataFrame = field(default_factory=pd.DataFrame, repr=False)

    def headline(self) -> str:
        """``Take this panel: N markers chosen by M; expected balanced accuracy X (95% CI a-b)
        on new samples.``"""
        return headline_text(
            len(self.panel), self.method, self.expected_balanced_accuracy, self.ci[0], self.ci[1]
        )

    def table(self) -> pd.DataFrame:
        """The one-row ``tables/recommendation.tsv``."""
        row = {
            "dataset": self.dataset,
            "method": self.method,
            "k": int(self.k),
            "rule": self.rule,
            "inner_splits": int(self.inner_splits),
            "classifier": self.classifier,
            "expected_balanced_accuracy": self.expected_balanced_accuracy,
            "ci_low": self.ci[0],
            "ci_high": self.ci[1],
            "ci_method": CI_METHOD,
            "n_outer_folds": len(self.fold_choices),
            "n_fits": int(self.n_fits),
            "panel": ",".join(self.panel),
            "headline": self.headline(),
        }
        return pd.DataFrame([row], columns=RECOMMENDATION_COLUMNS)


def headline_text(k: int, method: str, mean: float, low: float, high: float) -> str:
    """The sentence the summary page and the report open with."""
    ci = "n/a" if not (np.isfinite(low) and np.isfinite(high)) else f"{low:.2f}-{high:.2f}"
    return (
        f"Take this panel: {int(k)} markers chosen by {method}; expected balanced accuracy "
        f"{mean:.2f} (95% CI {ci}) on new samples."
    )


def t_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """Student-t interval of the mean of ``values``, clipped to [0, 1] (NaN for n < 2).

    Outer folds share training samples, so the interval is a rough guide (it ignores that
    dependence), as is usual for cross-validated scores.
    """
    from scipy import stats

    x = np.asarray(values, dtype=float)
    if x.size < 2:
        return float("nan"), float("nan")
    half = stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size)
    mean = x.mean()
    return float(max(0.0, mean - half)), float(min(1.0, mean + half))


def choose(
    scores: pd.DataFrame, rule: str = "one_se", methods: Sequence[str] | None = None
) -> tuple[str, int, float]:
    """Pick one ``(method, k)`` from inner-CV scores by ``rule``.

    Parameters
    ----------
    scores : DataFrame
        ``method, k, mean, se`` (one row per configuration).
    rule : {"one_se", "best"}
        ``one_se``: the smallest k at which some method's inner mean balanced accuracy is
        within one standard error (of the best configuration's mean) of the best mean; among
        the methods within it at that k, the cheapest. ``best``: the highest mean; ties to the
        smaller k, then the cheaper method.
    methods : sequence of str, optional
        The cost order: a method listed earlier counts as cheaper (default: the order of the
        rows). Callers list the cheap methods first.

    Returns
    -------
    method, k, threshold
        The choice and the score it had to reach (the best mean for ``best``).
    """
    if rule not in RULES:
        raise SeqattnError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    order = list(dict.fromkeys(methods if methods is not None else scores["method"]))
    cost_rank = {m: i for i, m in enumerate(order)}
    table = scores.assign(
        _cost=scores["method"].map(cost_rank), _mean=scores["mean"].round(12)
    ).sort_values(["k", "_cost"], kind="stable")
    best = table.sort_values(["_mean", "k", "_cost"], ascending=[False, True, True]).iloc[0]
    if rule == "best":
        return str(best["method"]), int(best["k"]), float(best["mean"])
    se = float(best["se"]) if np.isfinite(best["se"]) else 0.0
    threshold = round(float(best["mean"]) - se, 12)
    within = table[table["_mean"] >= threshold]
    pick = within.iloc[0]  # smallest k, then the cheapest method
    return str(pick["method"]), int(pick["k"]), threshold


def count_fits(
    methods: Sequence[str], ks: Sequence[int], inner_splits: int, n_outer_folds: int
) -> int:
    """Selector fits :func:`recommend` runs: ``(outer folds + 1) x (inner_splits x F + 1)``,
    ``F`` = one fit per ordered method, ``len(ks)`` per fixed-k method (the ``+ 1`` inside
    is the refit of the chosen configuration; the outer ``+ 1`` the final, all-samples run)."""
    from seqattn.methods import get_method

    per_inner = sum(1 if get_method(m).ordered else len(ks) for m in methods)
    return (n_outer_folds + 1) * (inner_splits * per_inner + 1)


def inner_cv(
    adata: Any,
    label: str,
    rows: np.ndarray,
    methods: Sequence[str],
    ks: Sequence[int],
    *,
    group: str | None = None,
    inner_splits: int = 3,
    rule: str = "one_se",
    classifier: str | Mapping[str, Mapping[str, Any]] = "logreg",
    options: Mapping[str, Mapping[str, Any]] | None = None,
    constraints: PanelConstraints | Mapping[str, Any] | None = None,
    random_state: int = 0,
    device: str | None = "auto",
    inner_splits_name: str = "inner_splits",
) -> tuple[pd.DataFrame, str, int, float]:
    """Score every ``(method, k)`` by cross-validation on ``rows`` alone and choose one.

    The inner folds are made from ``rows`` only (grouped by ``group``, stratified, seeded by
    ``random_state``); each inner training side gets its own fold transformer, and each
    selector its training groups. No sample outside ``rows`` is read. ``constraints``
    hold in every inner fit.

    Returns
    -------
    scores : DataFrame
        ``method, k, mean, se, n`` (mean and standard error over the inner folds).
    method, k, threshold
        The choice of :func:`choose`.
    """
    y = obs_column(adata, label).to_numpy()
    groups = None if group is None else obs_column(adata, group, role="group").to_numpy()
    constraints = constraints_for_adata(adata, constraints)
    rows = np.asarray(rows, dtype=np.int64)
    names = np.asarray(adata.obs_names).astype(str)[rows]
    inner = make_folds(
        y[rows],
        None if groups is None else groups[rows],
        n_splits=inner_splits,
        random_state=random_state,
        obs_names=names,
        n_splits_name=inner_splits_name,
    )
    clf = normalise_classifiers([classifier] if isinstance(classifier, str) else classifier)
    if len(clf) != 1:
        raise SeqattnError("the recommendation scores with one classifier; name one")
    options = dict(options or {})
    records = []
    for _, fold in iter_folds(inner):
        train_local, test_local = train_test_indices(inner, names, 0, fold)
        data = prepare_fold(adata, y, rows[train_local], rows[test_local], groups)
        for method in methods:
            panel, _, _ = select_on_fold(
                data,
                method,
                ks,
                options=dict(options.get(method, {})),
                constraints=constraints,
                random_state=fold_seed(random_state, 0, fold),
                device=device,
                warmup=False,
            )
            metrics, _ = score_on_fold(data, panel, ks, clf, random_state=random_state)
            hit = metrics[metrics["metric"] == METRIC]
            records += [
                (method, int(k), fold, float(v))
                for k, v in zip(hit["k"], hit["value"], strict=True)
            ]
    long = pd.DataFrame(records, columns=["method", "k", "inner_fold", "value"])
    scores = (
        long.groupby(["method", "k"], sort=False)["value"]
        .agg(mean="mean", sd=lambda v: v.std(ddof=1), n="size")
        .reset_index()
    )
    scores["se"] = scores["sd"] / np.sqrt(scores["n"])
    scores = scores[["method", "k", "mean", "se", "n"]]
    method, k, threshold = choose(scores, rule, methods)
    return scores, method, k, threshold


def recommend(
    adata: Any,
    label: str,
    *,
    methods: Sequence[str],
    ks: Sequence[int] | int,
    group: str | None = None,
    rule: str = "one_se",
    inner_splits: int = 3,
    classifier: str | Mapping[str, Mapping[str, Any]] = "logreg",
    n_splits: int = 5,
    n_repeats: int = 1,
    folds: pd.DataFrame | None = None,
    options: Mapping[str, Mapping[str, Any]] | None = None,
    constraints: PanelConstraints | Mapping[str, Any] | None = None,
    random_state: int = 0,
    device: str | None = "auto",
    dataset: str | None = None,
    inner_splits_name: str = "inner_splits",
) -> Recommendation:
    """The panel to take: a method and a k chosen by inner CV, and an honest estimate of it.

    For every outer fold (``folds``, or ``n_splits`` x ``n_repeats`` grouped, stratified
    folds): :func:`inner_cv` on the outer training rows scores every ``(method, k)`` with
    ``inner_splits`` inner folds and ``rule`` picks one; the pick is refitted on the whole
    outer training fold and scored on the outer test fold. The mean over the outer folds is
    the expected balanced accuracy of the procedure on new samples, the choice included. The
    same procedure on all samples gives the recommendation itself.

    Parameters
    ----------
    adata : AnnData
        Data after the per-sample preprocessing (the fold transformer is fitted per fold).
    label : str
        Class column of ``adata.obs``.
    methods : sequence of str
        Registered methods to choose from, **cheapest first**: the order is the cost order
        the rules break ties by (a stated order, so that two runs choose alike; measured
        times differ between runs).
    ks : int or sequence of int
        Panel sizes to choose from. Ordered methods are fitted once per inner fold at
        ``max(ks)``, fixed-k methods once per k.
    group : str, optional
        Subject column: inner and outer folds never split a subject, and the selectors get the
        training groups.
    rule : {"one_se", "best"}
        ``one_se`` (default): the smallest k whose inner mean balanced accuracy is within one
        standard error of the best configuration, ties to the cheaper method. ``best``: the
        highest inner mean (ties to the smaller k, then the cheaper method).
    inner_splits : int
        Inner folds per outer training fold (and on all samples for the final choice).
    classifier : str or {name: options}
        The downstream classifier scoring the panels (default logistic regression).
    n_splits, n_repeats : int
        Outer folds, when ``folds`` is not given.
    folds : DataFrame, optional
        An outer fold table to reuse (the workflow's ``folds.tsv``).
    options : dict method -> dict, optional
        Method options.
    constraints : dict or PanelConstraints, optional
        Panel constraints that hold in every inner fit, refit and the final panel
        (``exclude``, ``feature_groups``, ``feature_costs``, ``budget``, ``preselected``;
        see :func:`seqattn.evaluate.select_panel`). With blocks ``k`` counts blocks.
    random_state : int
        Seed of the folds, methods and classifier; outer fold ``(r, f)`` uses
        ``fold_seed(random_state, r, f)`` for its inner folds and its refit.
    device : str, optional
        Device of methods that take one.
    dataset : str, optional
        Name in the tables' ``dataset`` column.
    inner_splits_name : str
        What an error about too few samples per inner fold calls ``inner_splits``.

    Returns
    -------
    Recommendation
        ``method``, ``k``, ``panel``, ``expected_balanced_accuracy`` and its ``ci`` (a
        Student-t interval over the outer fold scores, :data:`CI_METHOD`), ``fold_choices``,
        ``inner``, ``panel_table``; ``headline()`` and ``table()``.

    Cost: :func:`count_fits` selector fits, ``(outer folds + 1) x (inner_splits x F + 1)``.

    Examples
    --------
    >>> import seqattn
    >>> raw = seqattn.pp.preprocess(seqattn.datasets.mice_protein(), "zscore",
    ...                             label="class", group="mouse")
    >>> rec = seqattn.evaluate.recommend(raw, "class", methods=["anova", "t-test"],
    ...                                  ks=[3, 5], group="mouse", n_splits=2, inner_splits=2)
    >>> rec.method in ("anova", "t-test"), len(rec.panel) == rec.k, rec.n_fits  # (2 + 1) x (2 x 2 + 1)
    (True, True, 15)
    >>> rec.headline().startswith("Take this panel:")
    True
    """
    if rule not in RULES:
        raise SeqattnError(f"unknown rule {rule!r}; choose one of {', '.join(RULES)}")
    methods = list(dict.fromkeys(methods))
    if not methods:
        raise SeqattnError("no methods to choose from; name at least one")
    dataset = dataset or dataset_name(adata, "data")
    ks = check_ks(ks, n_features=adata.n_vars)
    constraints = constraints_for_adata(adata, constraints)
    inner_splits = int(inner_splits)
    y, groups, folds = cv_inputs(
        adata,
        label,
        group,
        folds,
        n_splits=n_splits,
        n_repeats=n_repeats,
        random_state=random_state,
    )
    clf = normalise_classifiers([classifier] if isinstance(classifier, str) else classifier)
    clf_name = next(iter(clf))
    options = dict(options or {})
    common = dict(
        group=group,
        inner_splits=inner_splits,
        rule=rule,
        classifier=clf,
        options=options,
        constraints=constraints,
        device=device,
        inner_splits_name=inner_splits_name,
    )

    def _inner_rows(scope, repeat, fold, scores, method, k, threshold):
        out = scores.assign(
            dataset=dataset,
            scope=scope,
            repeat=repeat,
            fold=fold,
            threshold=threshold,
            chosen=(scores["method"] == method) & (scores["k"] == k),
        )
        return out[RECOMMENDATION_INNER_COLUMNS]

    def choose_and_refit(train: np.ndarray, test: np.ndarray | None, seed: int):
        """Inner CV on ``train`` chooses (method, k); refit it on all of ``train``."""
        scores, method, k, threshold = inner_cv(
            adata, label, train, methods, ks, random_state=seed, **common
        )
        data = prepare_fold(adata, y, train, test, groups)
        panel, _, _ = select_on_fold(
            data,
            method,
            [k],
            options=dict(options.get(method, {})),
            constraints=constraints,
            random_state=seed,
            device=device,
            warmup=False,
        )
        return scores, method, k, threshold, data, panel

    inner_tables, fold_rows, prediction_tables, outer_panels = [], [], [], []
    for repeat, fold in iter_folds(folds):
        seed = fold_seed(random_state, repeat, fold)
        train, test = train_test_indices(folds, adata.obs_names, repeat, fold)
        scores, method, k, threshold, data, panel = choose_and_refit(train, test, seed)
        inner_tables.append(
            _inner_rows(f"r{repeat}_f{fold}", repeat, fold, scores, method, k, threshold)
        )
        metrics, predictions = score_on_fold(data, panel, [k], clf, random_state=random_state)
        score = float(metrics.loc[metrics["metric"] == METRIC, "value"].item())
        features = panel_for_k(panel, k)
        outer_panels.append(features)
        chosen = scores[(scores["method"] == method) & (scores["k"] == k)].iloc[0]
        fold_rows.append(
            (
                dataset,
                repeat,
                fold,
                method,
                k,
                float(chosen["mean"]),
                float(chosen["se"]),
                score,
                len(train),
                len(test),
                ",".join(features),
            )
        )
        prediction_tables.append(predictions.assign(repeat=repeat, fold=fold, method=method))
    fold_choices = pd.DataFrame(fold_rows, columns=RECOMMENDATION_FOLD_COLUMNS)

    # the recommendation: the same procedure on all samples
    everyone = np.arange(adata.n_obs)
    scores, method, k, threshold, data, panel = choose_and_refit(everyone, None, random_state)
    inner_tables.append(_inner_rows("all", np.nan, np.nan, scores, method, k, threshold))
    # every member of the first k blocks (k features when there are no blocks)
    final = panel[(panel["rank"] <= k)].sort_values("rank", kind="stable")
    features = final["feature"].astype(str).tolist()
    frequency = [np.mean([f in chosen for chosen in outer_panels]) for f in features]
    panel_table = pd.DataFrame(
        {
            "dataset": dataset,
            "method": method,
            "k": k,
            "rank": final["rank"].to_numpy(dtype=np.int64),
            "feature": features,
            "score": final["score"].to_numpy(dtype=float),
            "selection_frequency": frequency,
            "group": final["group"].astype(str).to_numpy(),
            "cost": final["cost"].to_numpy(dtype=float),
        }
    )[RECOMMENDATION_PANEL_COLUMNS]
    outer = fold_choices["balanced_accuracy"].to_numpy(dtype=float)
    return Recommendation(
        method=method,
        k=int(k),
        panel=features,
        expected_balanced_accuracy=float(outer.mean()),
        ci=t_interval(outer),
        fold_choices=fold_choices,
        inner=pd.concat(inner_tables, ignore_index=True).astype(
            {"repeat": "Int64", "fold": "Int64"}
        ),
        panel_table=panel_table,
        rule=rule,
        inner_splits=inner_splits,
        classifier=clf_name,
        dataset=dataset,
        n_fits=count_fits(methods, ks, inner_splits, len(fold_choices)),
        predictions=pd.concat(prediction_tables, ignore_index=True),
    )
