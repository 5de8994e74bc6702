"""The result tables: the columns each one has, in order (lists, so ``df[COLUMNS]`` selects).

Written by :mod:`seqattn.evaluate` (which imports these names), read by :mod:`seqattn.pl`
(each figure checks the subset it uses, ``seqattn.pl._io.COLUMNS``) and
:mod:`seqattn.report`; CONTRIBUTING.md ("Tables") describes them.
"""

#: ``folds.tsv``: the test fold of each sample in each repeat.
FOLD_COLUMNS = ["sample", "repeat", "fold"]
#: A panel table (``seqattn select``): one block per ``panel_k``.
PANEL_COLUMNS = ["panel_k", "rank", "feature", "score"]
#: Written after :data:`PANEL_COLUMNS`: the feature's block (``feature_groups``; the feature
#: itself when it has none) and its cost (NaN without costs). Tables without them read as
#: one block per feature.
CONSTRAINT_COLUMNS = ["group", "cost"]

METRIC_COLUMNS = ["dataset", "method", "k", "repeat", "fold", "classifier", "metric", "value"]
#: ``tables/cost.tsv``: kept apart from the metrics, whose values are reproducible, because
#: time and memory differ from run to run.
COST_COLUMNS = ["dataset", "method", "k", "repeat", "fold", "metric", "value"]
#: ``tables/panel_cost.tsv``: one row per fold panel and k: how many columns (features) the
#: k-panel holds (with blocks, more than k; under a budget, maybe fewer), what it cost (NaN
#: without ``costs``; read from the panel's sidecar) and the budget it was bought under
#: (NaN without one: then k is the panel size, else a cap).
PANEL_COST_COLUMNS = ["dataset", "method", "k", "repeat", "fold", "n_features", "cost", "budget"]
PREDICTION_COLUMNS = [
    "dataset",
    "method",
    "k",
    "repeat",
    "fold",
    "classifier",
    "sample",
    "y_true",
    "y_pred",
]
SUMMARY_KEYS = ["dataset", "method", "k", "classifier", "metric"]
SUMMARY_COLUMNS = [*SUMMARY_KEYS, "mean", "sd", "n"]
PAIRED_COLUMNS = [
    "dataset",
    "k",
    "classifier",
    "metric",
    "method_a",
    "method_b",
    "mean_diff",
    "statistic",
    "pvalue",
    "n",
]
SELECTION_FREQUENCY_COLUMNS = ["dataset", "method", "k", "feature", "frequency"]
STABILITY_COLUMNS = ["dataset", "method", "k", "jaccard_mean", "kuncheva_mean"]
METHOD_SIMILARITY_COLUMNS = ["dataset", "k", "method_a", "method_b", "jaccard", "kuncheva"]

#: ``tables/recommendation.tsv``: one row, the recommendation.
RECOMMENDATION_COLUMNS = [
    "dataset",
    "method",
    "k",
    "rule",
    "inner_splits",
    "classifier",
    "expected_balanced_accuracy",
    "ci_low",
    "ci_high",
    "ci_method",
    "n_outer_folds",
    "n_fits",
    "panel",
    "headline",
]
#: ``tables/recommendation_panel.tsv``: the final panel with how often each marker was
#: chosen across the outer folds.
RECOMMENDATION_PANEL_COLUMNS = [
    "dataset",
    "method",
    "k",
    "rank",
    "feature",
    "score",
    "selection_frequency",
    *CONSTRAINT_COLUMNS,
]
#: ``tables/recommendation_folds.tsv``: what the procedure chose in each outer fold and how
#: the choice scored on that fold's test samples.
RECOMMENDATION_FOLD_COLUMNS = [
    "dataset",
    "repeat",
    "fold",
    "method",
    "k",
    "inner_mean",
    "inner_se",
    "balanced_accuracy",
    "n_train",
    "n_test",
    "panel",
]
#: ``tables/recommendation_inner.tsv``: the inner-CV score of every (method, k), per outer
#: fold (``scope = r<repeat>_f<fold>``) and on all samples (``scope = all``).
RECOMMENDATION_INNER_COLUMNS = [
    "dataset",
    "scope",
    "repeat",
    "fold",
    "method",
    "k",
    "mean",
    "se",
    "n",
    "threshold",
    "chosen",
]

#: The tables ``seqattn aggregate`` writes into ``tables/`` (``<name>.tsv``) and the report
#: reads, with their columns.
AGGREGATE_TABLES: dict[str, list[str]] = {
    "summary": SUMMARY_COLUMNS,
    "metrics": METRIC_COLUMNS,
    "predictions": PREDICTION_COLUMNS,
    "paired": PAIRED_COLUMNS,
    "selection_frequency": SELECTION_FREQUENCY_COLUMNS,
    "stability": STABILITY_COLUMNS,
    "method_similarity": METHOD_SIMILARITY_COLUMNS,
    "cost": COST_COLUMNS,
    "panel_cost": PANEL_COST_COLUMNS,
}
