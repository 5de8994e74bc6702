"""``seqattn.pl.cost_accuracy``: score against total panel cost, per method and mode."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

import seqattn.pl as pl
from seqattn._errors import SeqattnError
from seqattn.pl.cost_accuracy import cost_accuracy_summary


def _table() -> pd.DataFrame:
    rows = []
    for method in ("sequential_attention", "anova"):
        for fold in range(3):
            for k, cost in ((5, 23.0), (10, 50.0)):
                rows.append(
                    (method, "count", str(k), fold, cost + fold, 0.5 + k / 100 + fold / 100)
                )
            for budget in (20, 50):
                rows.append((method, "budget", str(budget), fold, budget - 1.0, 0.6 + budget / 500))
    return pd.DataFrame(
        rows, columns=["method", "mode", "setting", "fold", "cost", "balanced_accuracy"]
    )


def test_draws_one_line_per_method_and_mode(tmp_path):
    table = _table()
    path = tmp_path / "panel_cost.tsv"
    table.to_csv(path, sep="\t", index=False)
    out = tmp_path / "cost.png"
    fig = pl.cost_accuracy(path, save=out)
    assert isinstance(fig, Figure) and out.stat().st_size > 0
    ax = fig.axes[0]
    assert ax.get_xlabel() == "total panel cost"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(labels) == sorted(
        f"{m}, {mode}"
        for m in ("Sequential Attention", "ANOVA F")
        for mode in ("fixed k", "cost budget")
    )
    assert "cost_accuracy" in pl.__all__


def test_summary_is_mean_and_sd_over_folds():
    s = cost_accuracy_summary(_table())
    row = s[(s["method"] == "anova") & (s["mode"] == "count") & (s["setting"] == "5")].iloc[0]
    assert row["n"] == 3 and row["cost_mean"] == pytest.approx(24.0)
    assert row["mean"] == pytest.approx(0.56) and row["sd"] == pytest.approx(0.01)
    # sorted by cost within each method and mode
    for _, d in s.groupby(["method", "mode"]):
        assert np.all(np.diff(d["cost_mean"].to_numpy()) >= 0)


def test_other_metric_and_method_subset():
    table = _table().assign(accuracy=0.7)
    fig = pl.cost_accuracy(table, metric="accuracy", methods=["anova"], annotate=False, logx=True)
    assert len(fig.axes[0].get_legend().get_texts()) == 2
    assert fig.axes[0].get_xscale() == "log"


@pytest.mark.parametrize("column", ["cost", "mode", "balanced_accuracy"])
def test_refuses_a_table_missing_a_column_in_one_line(column):
    with pytest.raises(SeqattnError, match=f"lacks column\\(s\\) {column}") as err:
        pl.cost_accuracy(_table().drop(columns=[column]))
    assert "\n" not in str(err.value)


def test_refuses_unknown_methods_and_missing_file(tmp_path):
    with pytest.raises(SeqattnError, match="none of methods lasso"):
        pl.cost_accuracy(_table(), methods=["lasso"])
    with pytest.raises(SeqattnError, match="does not exist"):
        pl.cost_accuracy(tmp_path / "nope.tsv")


# ---- the workflow's tables: metrics.tsv and panel_cost.tsv (seqattn aggregate) ---------


def _workflow_tables(budget: float | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two methods, k = 2 and 4, two folds, two classifiers; rf scores higher for anova,
    logreg for sequential_attention; each k-panel costs 3k plus the fold."""
    fits = [(m, k, f) for m in ("sequential_attention", "anova") for k in (2, 4) for f in (0, 1)]
    rows = []
    for m, k, f in fits:
        for c in ("logreg", "rf"):
            better = (m == "anova") == (c == "rf")
            for metric, value in (
                ("balanced_accuracy", 0.5 + k / 20 + 0.1 * better),
                ("accuracy", 0.9),
            ):
                rows.append(("demo", m, k, 0, f, c, metric, value))
    metrics = pd.DataFrame(
        rows,
        columns=["dataset", "method", "k", "repeat", "fold", "classifier", "metric", "value"],
    )
    panel_cost = pd.DataFrame(
        [("demo", m, k, 0, f, k, 3.0 * k + f, budget) for m, k, f in fits],
        columns=["dataset", "method", "k", "repeat", "fold", "n_features", "cost", "budget"],
    )
    return metrics, panel_cost


def test_joins_metrics_and_panel_cost_and_draws_from_two_tables(tmp_path):
    from seqattn._tables import METRIC_COLUMNS, PANEL_COST_COLUMNS
    from seqattn.pl.cost_accuracy import METRICS_COLUMNS
    from seqattn.pl.cost_accuracy import PANEL_COST_COLUMNS as READ

    # pl reads a subset of what seqattn aggregate writes
    assert set(METRICS_COLUMNS) <= set(METRIC_COLUMNS) and set(READ) <= set(PANEL_COST_COLUMNS)
    metrics, panel_cost = _workflow_tables()
    paths = tmp_path / "metrics.tsv", tmp_path / "panel_cost.tsv"
    metrics.to_csv(paths[0], sep="\t", index=False)
    panel_cost.to_csv(paths[1], sep="\t", index=False)
    table = pl.cost_accuracy_table(*paths)
    assert len(table) == 8 and set(table["mode"]) == {"count"}
    # each method's best classifier over all its k and folds
    assert dict(zip(table["method"], table["classifier"], strict=True)) == {
        "anova": "rf",
        "sequential_attention": "logreg",
    }
    row = table[(table["method"] == "anova") & (table["setting"] == "4")]
    assert row["fold"].tolist() == ["r0_f0", "r0_f1"] and row["cost"].tolist() == [12.0, 13.0]
    assert row["balanced_accuracy"].tolist() == pytest.approx([0.8, 0.8])
    s = cost_accuracy_summary(table)
    assert s.loc[(s["method"] == "anova") & (s["setting"] == "2"), "cost_mean"].item() == 6.5
    out = tmp_path / "cost_accuracy.png"
    fig = pl.cost_accuracy(table, save=out)
    assert out.stat().st_size > 0
    labels = sorted(t.get_text() for t in fig.axes[0].get_legend().get_texts())
    assert labels == ["ANOVA F (rf), fixed k", "Sequential Attention (logreg), fixed k"]
    assert fig.axes[0].get_title() == "demo: balanced accuracy against panel cost (2 folds)"
    # one classifier for all; under a budget k is a cap
    one = pl.cost_accuracy_table(metrics, _workflow_tables(budget=20.0)[1], classifier="logreg")
    assert set(one["classifier"]) == {"logreg"} and set(one["mode"]) == {"cap"}
    labels = [t.get_text() for t in pl.cost_accuracy(one).axes[0].get_legend().get_texts()]
    assert all(label.endswith(", k as a cap under a budget") for label in labels)


@pytest.mark.parametrize(
    ("which", "column"),
    [("metrics", "classifier"), ("metrics", "fold"), ("panel_cost", "cost"), ("panel_cost", "k")],
)
def test_join_refuses_a_table_missing_a_column_in_one_line(which, column):
    metrics, panel_cost = _workflow_tables()
    tables = {"metrics": metrics, "panel_cost": panel_cost}
    tables[which] = tables[which].drop(columns=[column])
    with pytest.raises(SeqattnError, match=f"lacks column\\(s\\) {column}; expected") as err:
        pl.cost_accuracy_table(tables["metrics"], tables["panel_cost"])
    assert "\n" not in str(err.value)


def test_join_refuses_panels_without_costs_and_tables_of_other_runs(tmp_path):
    metrics, panel_cost = _workflow_tables()
    with pytest.raises(SeqattnError, match="holds no panel costs") as err:
        pl.cost_accuracy_table(metrics, panel_cost.assign(cost=np.nan))
    assert "\n" not in str(err.value)
    with pytest.raises(SeqattnError, match="share no method, k, repeat and fold"):
        pl.cost_accuracy_table(metrics, panel_cost.assign(method=panel_cost["method"] + "_v2"))
    with pytest.raises(SeqattnError, match="no scores for classifier 'svm'"):
        pl.cost_accuracy_table(metrics, panel_cost, classifier="svm")
    with pytest.raises(SeqattnError, match="twice"):
        pl.cost_accuracy_table(metrics, pd.concat([panel_cost, panel_cost.head(1)]))
    with pytest.raises(SeqattnError, match="does not exist"):
        pl.cost_accuracy_table(metrics, tmp_path / "panel_cost.tsv")
