"""Summaries of the per-fold metrics: mean and sd, and paired tests between methods."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn._tables import PAIRED_COLUMNS, SUMMARY_KEYS


def summarise(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mean, sample sd and count of each metric over folds and repeats.

    Returns
    -------
    DataFrame
        ``dataset, method, k, classifier, metric, mean, sd, n``; NaN values (e.g. the recall
        of a class absent from a fold) are left out, and ``n`` counts the rest.

    Examples
    --------
    A metrics table (:func:`run_nested_cv`'s ``metrics``; ``seqattn validate`` writes one
    per fold) of three methods on four folds:

    >>> import pandas as pd
    >>> from seqattn.evaluate import summarise
    >>> metrics = pd.DataFrame({
    ...     "dataset": "demo", "method": ["anova"] * 4 + ["random"] * 4 + ["t-test"] * 4,
    ...     "k": 5, "repeat": 0, "fold": [0, 1, 2, 3] * 3, "classifier": "logreg",
    ...     "metric": "balanced_accuracy",
    ...     "value": [0.80, 0.70, 0.75, 0.85, 0.55, 0.50, 0.60, 0.50, 0.80, 0.72, 0.70, 0.80]})
    >>> summarise(metrics).round(3)
      dataset  method  k classifier             metric   mean     sd  n
    0    demo   anova  5     logreg  balanced_accuracy  0.775  0.065  4
    1    demo  random  5     logreg  balanced_accuracy  0.538  0.048  4
    2    demo  t-test  5     logreg  balanced_accuracy  0.755  0.053  4
    """
    grouped = metrics.groupby(SUMMARY_KEYS, sort=True, dropna=False)["value"]
    out = grouped.agg(mean="mean", sd="std", n="count").reset_index()
    out["n"] = out["n"].astype(int)
    return out


def paired_comparison(metrics: pd.DataFrame, method_a: str, method_b: str) -> pd.DataFrame:
    """Wilcoxon signed-rank test of ``method_a`` vs ``method_b`` on the same folds.

    Scores are paired by (repeat, fold) within each data set, k, classifier and metric;
    ``mean_diff`` is the mean of ``a - b``. All-zero differences give statistic 0 and
    p-value 1. Outer folds share training samples, so the test treats correlated scores as
    independent and its p-values are optimistic (Nadeau & Bengio 2003): read them as a
    screening signal, not a confirmatory test.

    Returns
    -------
    DataFrame
        ``dataset, k, classifier, metric, method_a, method_b, mean_diff, statistic, pvalue, n``.

    Examples
    --------
    >>> import pandas as pd
    >>> from seqattn.evaluate import paired_comparison
    >>> metrics = pd.DataFrame({
    ...     "dataset": "demo", "method": ["anova"] * 4 + ["random"] * 4 + ["t-test"] * 4,
    ...     "k": 5, "repeat": 0, "fold": [0, 1, 2, 3] * 3, "classifier": "logreg",
    ...     "metric": "balanced_accuracy",
    ...     "value": [0.80, 0.70, 0.75, 0.85, 0.55, 0.50, 0.60, 0.50, 0.80, 0.72, 0.70, 0.80]})
    >>> paired = paired_comparison(metrics, "anova", "random")
    >>> paired[["k", "method_a", "method_b", "mean_diff", "statistic", "pvalue", "n"]].round(3)
       k method_a method_b  mean_diff  statistic  pvalue  n
    0  5    anova   random      0.238        0.0   0.125  4

    With four folds the smallest two-sided p-value the exact test can give is 0.125.
    """
    from scipy.stats import wilcoxon

    keys = ["dataset", "k", "classifier", "metric"]
    a = metrics[metrics["method"] == method_a]
    b = metrics[metrics["method"] == method_b]
    for name, part in ((method_a, a), (method_b, b)):
        if part.empty:
            known = ", ".join(sorted(metrics["method"].unique()))
            raise SeqattnError(f"method {name!r} has no metrics; methods present: {known}")
    paired = a.merge(b, on=[*keys, "repeat", "fold"], suffixes=("_a", "_b"))
    paired = paired.dropna(subset=["value_a", "value_b"])
    rows = []
    for key, group in paired.groupby(keys, sort=True):
        diff = (group["value_a"] - group["value_b"]).to_numpy(dtype=float)
        if np.all(diff == 0):
            statistic, pvalue = 0.0, 1.0
        else:
            result = wilcoxon(diff)
            statistic, pvalue = float(result.statistic), float(result.pvalue)
        rows.append((*key, method_a, method_b, float(diff.mean()), statistic, pvalue, len(diff)))
    return pd.DataFrame(rows, columns=PAIRED_COLUMNS)


def compare_methods(
    metrics: pd.DataFrame, reference: str | None = None, methods: Iterable[str] | None = None
) -> pd.DataFrame:
    """Paired comparisons: ``reference`` against every other method, or all pairs.

    With a reference, ``method_a`` is the reference, so a positive ``mean_diff`` means the
    reference scored higher.

    Examples
    --------
    >>> import pandas as pd
    >>> from seqattn.evaluate import compare_methods
    >>> metrics = pd.DataFrame({
    ...     "dataset": "demo", "method": ["anova"] * 4 + ["random"] * 4 + ["t-test"] * 4,
    ...     "k": 5, "repeat": 0, "fold": [0, 1, 2, 3] * 3, "classifier": "logreg",
    ...     "metric": "balanced_accuracy",
    ...     "value": [0.80, 0.70, 0.75, 0.85, 0.55, 0.50, 0.60, 0.50, 0.80, 0.72, 0.70, 0.80]})
    >>> table = compare_methods(metrics, reference="anova")
    >>> table[["method_a", "method_b", "mean_diff", "pvalue", "n"]].round(3)
      method_a method_b  mean_diff  pvalue  n
    0    anova   random      0.238   0.125  4
    1    anova   t-test      0.020   0.500  4
    >>> compare_methods(metrics)[["method_a", "method_b"]]  # all pairs
      method_a method_b
    0    anova   random
    1    anova   t-test
    2   random   t-test
    """
    methods = sorted(set(methods) if methods is not None else set(metrics["method"].unique()))
    if reference is not None:
        if reference not in methods:
            raise SeqattnError(
                f"reference method {reference!r} has no metrics; methods present: "
                f"{', '.join(methods)}"
            )
        pairs = [(reference, m) for m in methods if m != reference]
    else:
        pairs = list(itertools.combinations(methods, 2))
    tables = [paired_comparison(metrics, a, b) for a, b in pairs]
    if not tables:
        return pd.DataFrame(columns=PAIRED_COLUMNS)
    return pd.concat(tables, ignore_index=True)
