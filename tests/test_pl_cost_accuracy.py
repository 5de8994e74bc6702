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
