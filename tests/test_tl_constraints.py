"""Panel constraints (issue #24) through tl, the evaluate layer and the CLI: exclusions,
blocks, costs, a budget and forced markers hold in every method and fold, are recorded,
and every bad constraint is one line naming the setting."""

from __future__ import annotations

import json

import anndata as ad
import numpy as np
import pandas as pd
import pytest

import seqattn
from seqattn._errors import SeqattnError
from seqattn.cli import main
from seqattn.evaluate import read_panel, recommend, run_nested_cv
from seqattn.evaluate.constraints import resolve_constraints

#: Cheap ranking methods that honour every constraint (exclusions in all methods).
RANKERS = ["anova", "random", "variance"]


def _toy(n: int = 60, d: int = 12, seed: int = 0) -> ad.AnnData:
    """Three classes marked by g0, g1, g2; ``var``: a block column, a cost column."""
    rng = np.random.default_rng(seed)
    y = np.repeat(["a", "b", "c"], n // 3)
    X = rng.standard_normal((n, d)).astype(np.float32)
    for j, c in enumerate("abc"):
        X[:, j] += 2.5 * (y == c)
    names = [f"g{j}" for j in range(d)]
    var = pd.DataFrame(
        {
            # g0 with g3 and g4 (one kit), g1 with g5; the others alone
            "kit": ["k1", "k2", None, "k1", "k1", "k2"] + [None] * (d - 6),
            "price": [5.0, 1.0, 1.0] + [1.0] * (d - 3),
        },
        index=names,
    )
    obs = pd.DataFrame(
        {"cls": y, "subject": [f"m{i // 2}" for i in range(n)]},
        index=[f"s{i}" for i in range(n)],
    )
    adata = ad.AnnData(X, obs=obs, var=var)
    adata.uns["dataset"] = {"name": "toy"}
    return adata


@pytest.fixture
def adata():
    return _toy()


# ---- tl --------------------------------------------------------------------------------


def test_tl_exclude_regex_and_names_never_selected(adata):
    seqattn.tl.select(adata, "cls", "anova", n_features=3, exclude="^g[01]$")
    chosen = set(adata.var_names[adata.var["seqattn_anova_selected"]])
    assert not chosen & {"g0", "g1"} and "g2" in chosen
    record = adata.uns["seqattn_anova"]["params"]["constraints"]
    assert record["exclude_pattern"] == "^g[01]$"
    assert sorted(record["excluded"]) == ["g0", "g1"]
    seqattn.tl.select(adata, "cls", "anova", n_features=3, exclude=["g2"], key_added="x")
    assert not adata.var.loc["g2", "x_selected"]


def test_tl_blocks_costs_budget_recorded_and_h5ad_safe(adata, tmp_path):
    seqattn.tl.select(
        adata,
        "cls",
        "anova",
        n_features=2,
        feature_groups="kit",
        feature_costs="price",
        preselected=["g2"],
    )
    uns = adata.uns["seqattn_anova"]
    params = uns["params"]
    # g2 forced first; then one block: its members share the block's rank
    assert params["blocks"][0] == "g2"
    selected = adata.var[adata.var["seqattn_anova_selected"]]
    for _, members in selected.dropna(subset=["kit"]).groupby("kit"):
        assert members["seqattn_anova_rank"].nunique() == 1
    assert params["panel_cost"] == pytest.approx(selected["price"].sum())
    assert params["constraints"]["feature_groups"] == "var column 'kit'"
    assert list(params["constraints"]["preselected"]) == ["g2"]
    path = tmp_path / "a.h5ad"
    adata.write_h5ad(path)
    back = ad.read_h5ad(path).uns["seqattn_anova"]["params"]
    assert back["panel_cost"] == pytest.approx(params["panel_cost"])
    # a budget alone (no n_features): the panel fits it
    seqattn.tl.select(adata, "cls", "anova", feature_costs="price", budget=3.0, key_added="b")
    assert adata.uns["b"]["params"]["panel_cost"] <= 3.0
    assert adata.var.loc[adata.var["b_selected"], "price"].sum() <= 3.0


def test_tl_costs_by_name_and_use_raw(adata):
    raw = adata.copy()
    adata = adata[:, 3:].copy()  # var holds fewer features than raw
    adata.raw = raw
    costs = pd.Series(1.0, index=raw.var_names)
    seqattn.tl.select(
        adata, "cls", "anova", n_features=2, use_raw=True, feature_costs=costs, exclude="^g0$"
    )
    order = list(adata.uns["seqattn_anova"]["order"])
    assert "g0" not in order and len(order) == 2
    assert adata.uns["seqattn_anova"]["params"]["panel_cost"] == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"feature_groups": "nope"}, "feature_groups='nope' is not a column"),
        ({"feature_costs": {"g0": 1.0}}, "feature_costs gives no cost for 11 of the 12"),
        ({"budget": 0}, "budget=0 must be a positive number"),
        ({"budget": -2.0}, "budget=-2.0 must be a positive number"),
        ({"exclude": "^g"}, "exclude excludes all 12 features"),
        ({"exclude": "(["}, "exclude='([' is not a valid regular expression"),
        ({"exclude": ["g99"]}, "exclude: 1 name(s) not among the 12 features"),
        ({"preselected": ["g0"], "exclude": ["g0"]}, "preselected names 'g0', which exclude"),
        ({"n_features": None}, "n_features is required without a budget"),
    ],
)
def test_tl_refusals_are_one_line(adata, kwargs, message):
    kwargs = {"n_features": 2, **kwargs}
    with pytest.raises(SeqattnError) as err:
        seqattn.tl.select(adata, "cls", "anova", **kwargs)
    assert message in str(err.value)
    assert len(str(err.value).splitlines()) == 1
    assert "seqattn_anova" not in adata.uns  # nothing written


def test_method_without_blocks_refuses_in_one_line(adata):
    with pytest.raises(SeqattnError) as err:
        seqattn.tl.select(adata, "cls", "l1_logistic", n_features=2, feature_groups="kit")
    assert "cannot honour feature_groups" in str(err.value)
    assert len(str(err.value).splitlines()) == 1


# ---- evaluate: every fold, every method ------------------------------------------------


def test_excluded_never_in_any_fold_or_method(adata):
    result = run_nested_cv(
        adata,
        "cls",
        RANKERS,
        [2, 4],
        ["logreg"],
        group="subject",
        n_splits=3,
        constraints={"exclude": "^g[01]$"},
        warmup=False,
    )
    assert set(result.panels["method"]) == set(RANKERS)
    assert not set(result.panels["feature"]) & {"g0", "g1"}
    assert all(m["constraints"]["excluded"] == ["g0", "g1"] for m in result.metas)


def test_blocks_and_costs_in_every_fold(adata):
    constraints = {"feature_groups": "kit", "feature_costs": "price", "budget": 4.0}
    result = run_nested_cv(
        adata,
        "cls",
        ["anova"],
        [3],
        ["logreg"],
        n_splits=3,
        constraints=constraints,
        warmup=False,
    )
    for meta in result.metas:
        assert meta["panel_cost_by_k"]["3"] <= 4.0
    panels = result.panels
    kit = adata.var["kit"]
    for _, fit in panels.groupby("fold"):
        for label in set(kit.dropna()):
            members = set(kit.index[kit == label])
            picked = set(fit["feature"]) & members
            assert picked in (set(), members)  # a block comes whole or not at all


def test_recommend_holds_the_exclusions_in_inner_folds(adata):
    rec = recommend(
        adata,
        "cls",
        methods=["anova", "random"],
        ks=[2],
        n_splits=3,
        inner_splits=2,
        constraints={"exclude": ["g0", "g1"]},
    )
    assert not {"g0", "g1"} & set(rec.panel)
    for panel in rec.fold_choices["panel"]:
        assert not {"g0", "g1"} & set(panel.split(","))


def test_resolve_reports_unmatched_cost_names_only_as_a_hint():
    names = ["a", "b", "c"]
    costs = resolve_constraints(names, feature_costs={"a": 1, "b": 2, "c": 0, "zz": 9})
    assert costs.n_costs_unmatched == 1 and costs.record()["n_costs_unmatched"] == 1
    with pytest.raises(SeqattnError, match="1 of its names match no feature"):
        resolve_constraints(names, feature_costs={"a": 1, "b": 2, "C": 0})
    # an excluded feature needs no cost
    resolve_constraints(names, feature_costs={"a": 1, "b": 2}, exclude=["c"])


# ---- the CLI ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def data_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "toy.h5ad"
    _toy().write_h5ad(path)
    return str(path)


def _select(data_file, out, *extra):
    return main(
        ["select", data_file, "--label", "cls", "--method", "anova", "--ks", "2", "3",
         "--no-warmup", "--out", str(out), *extra]
    )  # fmt: skip


def test_cli_select_writes_group_cost_and_total(data_file, tmp_path):
    costs = tmp_path / "costs.tsv"
    table = pd.DataFrame({"feature": [f"g{j}" for j in range(12)] + ["other"], "cost": 1.0})
    table.loc[0, "cost"] = 5.0
    table.to_csv(costs, sep="\t", index=False)
    out = tmp_path / "panel.tsv"
    code = _select(
        data_file, out, "--costs", str(costs), "--feature-groups", "kit",
        "--exclude", "^g2$", "--exclude", "^g6$", "--preselect", "g7",
    )  # fmt: skip
    assert code == 0
    panel = read_panel(out)
    assert list(panel.columns) == ["panel_k", "rank", "feature", "score", "group", "cost"]
    assert not {"g2", "g6"} & set(panel["feature"]) and panel["feature"].iloc[0] == "g7"
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["panel_cost"] == pytest.approx(panel["cost"].sum())
    assert meta["constraints"]["feature_costs"] == str(costs)
    assert meta["constraints"]["n_costs_unmatched"] == 1
    assert meta["constraints"]["exclude_pattern"] == "(?:^g2$)|(?:^g6$)"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--feature-groups", "nope"], "--feature-groups='nope' is not a column of"),
        (["--budget", "0"], "--budget=0.0 must be a positive number"),
        (["--exclude", "g"], "--exclude excludes all 12 features"),
        (["--exclude", "(["], "--exclude '([' is not a valid regular expression"),
        (["--preselect", "G7"], "--preselect: 1 name(s) not among the 12 features ('G7')"),
        (["--costs", "missing.tsv"], "--costs missing.tsv does not exist"),
        (["--costs", "{partial}"], "--costs gives no cost for 10 of the 12 features"),
        (
            ["--costs", "{partial}", "--constraints-name", "datasets.toy.panel"],
            "datasets.toy.panel.costs gives no cost for 10",
        ),
    ],
)
def test_cli_refusals_are_one_line(data_file, tmp_path, capsys, extra, message):
    partial = tmp_path / "partial.csv"
    pd.DataFrame({"feature": ["g0", "g1"], "cost": [1, 2]}).to_csv(partial, index=False)
    extra = [e.format(partial=partial) for e in extra]
    out = tmp_path / "panel.tsv"
    code = _select(data_file, out, *extra)
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and message in err, err
    assert not list(tmp_path.glob("panel*"))  # no partial output
