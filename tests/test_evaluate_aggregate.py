"""Summaries, paired tests, stability indices and the final panel on hand-made tables."""

import numpy as np
import pandas as pd
import pytest

from seqattn._errors import SeqattnError
from seqattn.evaluate import (
    compare_methods,
    final_panel,
    jaccard_index,
    kuncheva_index,
    label_panel,
    method_similarity,
    paired_comparison,
    selection_frequency,
    stability,
    summarise,
)


def _metrics():
    rows = []
    for fold in range(5):
        for method, base in (("sa", 0.8), ("anova", 0.7)):
            value = base + 0.01 * fold
            rows.append(("d", method, 5, 0, fold, "logreg", "balanced_accuracy", value))
            rows.append(
                ("d", method, 5, 0, fold, "logreg", "recall[x]", np.nan if fold == 0 else value)
            )
    return pd.DataFrame(
        rows, columns=["dataset", "method", "k", "repeat", "fold", "classifier", "metric", "value"]
    )


def test_summary_mean_sd_n():
    summary = summarise(_metrics())
    assert list(summary.columns) == [
        "dataset",
        "method",
        "k",
        "classifier",
        "metric",
        "mean",
        "sd",
        "n",
    ]
    row = summary.query("method == 'sa' and metric == 'balanced_accuracy'").iloc[0]
    assert row["mean"] == pytest.approx(0.82)
    assert row["sd"] == pytest.approx(np.std([0.80, 0.81, 0.82, 0.83, 0.84], ddof=1))
    assert row["n"] == 5
    assert (
        summary.query("method == 'sa' and metric == 'recall[x]'")["n"].item() == 4
    )  # NaN left out


def test_paired_wilcoxon_on_fold_scores():
    paired = paired_comparison(_metrics(), "sa", "anova")
    row = paired.query("metric == 'balanced_accuracy'").iloc[0]
    assert row["mean_diff"] == pytest.approx(0.1)
    assert row["n"] == 5
    assert row["statistic"] == 0.0  # every difference positive
    assert row["pvalue"] == pytest.approx(0.0625)  # exact two-sided, n=5
    assert paired.query("metric == 'recall[x]'")["n"].item() == 4
    same = paired_comparison(_metrics(), "sa", "sa")
    assert (same["pvalue"] == 1.0).all()
    with pytest.raises(SeqattnError, match="method 'lasso' has no metrics"):
        paired_comparison(_metrics(), "sa", "lasso")


def test_compare_methods_against_a_reference_or_all_pairs():
    metrics = pd.concat([_metrics(), _metrics().assign(method=lambda m: m.method + "2")])
    vs_ref = compare_methods(metrics, "sa")
    assert set(vs_ref["method_a"]) == {"sa"}
    assert set(vs_ref["method_b"]) == {"anova", "anova2", "sa2"}
    assert len(compare_methods(metrics).drop_duplicates(["method_a", "method_b"])) == 6
    with pytest.raises(SeqattnError, match="reference method 'x'"):
        compare_methods(metrics, "x")


def test_kuncheva_and_jaccard_known_values():
    a, b = {1, 2, 3}, {2, 3, 4}
    assert jaccard_index(a, b) == pytest.approx(2 / 4)
    # r=2, k=3, d=10: (2*10 - 9) / (3 * 7)
    assert kuncheva_index(a, b, 10) == pytest.approx(11 / 21)
    assert kuncheva_index(a, a, 10) == pytest.approx(1.0)
    assert np.isnan(kuncheva_index(a, b, 3))  # k = d: undefined


def _panels():
    def fit(method, fold, features, d=10):
        panel = pd.DataFrame(
            {
                "panel_k": len(features),
                "rank": range(1, len(features) + 1),
                "feature": features,
                "score": 1.0,
            }
        )
        meta = {"method": method, "repeat": 0, "fold": fold, "n_features": d}
        return label_panel(panel, meta, "d")

    return pd.concat(
        [
            fit("sa", 0, ["a", "b", "c"]),
            fit("sa", 1, ["a", "b", "d"]),
            fit("sa", 2, ["a", "c", "b"]),
            fit("anova", 0, ["a", "x", "y"]),
            fit("anova", 1, ["b", "x", "z"]),
        ],
        ignore_index=True,
    )


def test_selection_frequency_and_stability():
    panels = _panels()
    freq = selection_frequency(panels, ks=[1, 3])
    sa3 = freq.query("method == 'sa' and k == 3").set_index("feature")["frequency"]
    assert sa3.to_dict() == pytest.approx({"a": 1.0, "b": 1.0, "c": 2 / 3, "d": 1 / 3})
    assert freq.query("method == 'sa' and k == 1")["feature"].tolist() == ["a"]  # prefix k=1
    stab = stability(panels, ks=[3]).set_index("method")
    # sa pairs: {abc,abd} J=2/4, {abc,acb} J=1, {abd,acb} J=2/4
    assert stab.loc["sa", "jaccard_mean"] == pytest.approx(2 / 3)
    assert stab.loc["sa", "kuncheva_mean"] == pytest.approx(np.mean([11 / 21, 1.0, 11 / 21]))
    assert list(stability(panels).columns) == [
        "dataset",
        "method",
        "k",
        "jaccard_mean",
        "kuncheva_mean",
    ]


def test_method_similarity_pairs_methods_on_the_same_fold():
    sim = method_similarity(_panels(), ks=[3])
    assert len(sim) == 1
    row = sim.iloc[0]
    assert (row["method_a"], row["method_b"]) == ("anova", "sa")
    # fold 0: {axy} vs {abc} J=1/5; fold 1: {bxz} vs {abd} J=1/5 (fold 2 has only sa)
    assert row["jaccard"] == pytest.approx(0.2)
    assert row["kuncheva"] == pytest.approx((1 * 10 - 9) / 21)


def test_final_panel_carries_selection_frequency():
    panels = _panels()
    all_panel = pd.DataFrame(
        {"panel_k": 3, "rank": [1, 2, 3], "feature": ["a", "c", "q"], "score": [3.0, 2.0, 1.0]}
    )
    out = final_panel(all_panel, panels[panels.method == "sa"])
    assert list(out.columns) == ["panel_k", "rank", "feature", "score", "selection_frequency"]
    assert out["selection_frequency"].tolist() == pytest.approx([1.0, 2 / 3, 0.0])
    with pytest.raises(SeqattnError, match="several methods"):
        final_panel(all_panel, panels)
    assert final_panel(all_panel, panels.iloc[:0])["selection_frequency"].isna().all()
