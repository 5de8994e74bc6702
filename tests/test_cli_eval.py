"""The evaluation commands as the workflow calls them: folds -> select -> validate -> aggregate."""

import json

import anndata as ad
import numpy as np
import pandas as pd
import pytest

from seqattn.cli import main
from seqattn.methods import _base
from seqattn.methods._base import PanelSelector, ranking_to_panel


def _write_toy(path, *, prefix="s", n=45, d=20, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(["a", "b", "c"], n // 3)
    X = rng.standard_normal((n, d)).astype(np.float32)
    for j, c in enumerate("abc"):
        X[:, j] += 2.0 * (y == c)
    obs = pd.DataFrame(
        {"cls": y, "subject": [f"m{i // 3}" for i in range(n)]},
        index=[f"{prefix}{i}" for i in range(n)],
    )
    adata = ad.AnnData(X, obs=obs, var=pd.DataFrame(index=[f"g{j}" for j in range(d)]))
    adata.uns["dataset"] = {"name": "toy"}
    adata.write_h5ad(path)
    return str(path)


class _Attention(PanelSelector):
    """Ordered toy method reporting an attention history, like Sequential Attention."""

    name = "test_attention"

    def _select(self, X, y, k, *, random_state):
        score = np.abs(X).mean(axis=0)
        order, scores = ranking_to_panel(score, k)
        self.attention_history_ = np.tile(score / score.sum(), (k, 1))
        return order, scores


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    return _write_toy(tmp_path_factory.mktemp("data") / "toy.h5ad")


def _one_line_error(capsys, code):
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    return err


def test_full_chain_writes_contract_tables(toy, tmp_path, monkeypatch):
    monkeypatch.setitem(_base._REGISTRY, _Attention.name, _Attention)
    folds = tmp_path / "folds.tsv"
    assert (
        main(
            [
                "folds",
                toy,
                "--label",
                "cls",
                "--group",
                "subject",
                "--n-splits",
                "3",
                "--out",
                str(folds),
            ]
        )
        == 0
    )
    metrics, panels, preds, finals = [], [], [], []
    for method in ("anova", "test_attention"):
        for fold in range(3):
            panel = tmp_path / "panels" / method / f"r0_f{fold}.tsv"
            assert (
                main(
                    [
                        "select",
                        toy,
                        "--label",
                        "cls",
                        "--method",
                        method,
                        "--ks",
                        "2",
                        "4",
                        "--folds",
                        str(folds),
                        "--repeat",
                        "0",
                        "--fold",
                        str(fold),
                        "--dataset",
                        "toy",
                        "--threads",
                        "1",
                        "--out",
                        str(panel),
                    ]
                )
                == 0
            )
            out = tmp_path / "metrics" / method / f"r0_f{fold}.tsv"
            pred = out.with_suffix(".predictions.tsv")
            assert (
                main(
                    [
                        "validate",
                        toy,
                        "--label",
                        "cls",
                        "--folds",
                        str(folds),
                        "--repeat",
                        "0",
                        "--fold",
                        str(fold),
                        "--panel",
                        str(panel),
                        "--ks",
                        "2",
                        "4",
                        "--classifiers",
                        "logreg",
                        "knn",
                        "--out",
                        str(out),
                        "--predictions",
                        str(pred),
                    ]
                )
                == 0
            )
            metrics.append(str(out))
            panels.append(str(panel))
            preds.append(str(pred))
        final = tmp_path / "panels" / method / "all.tsv"
        assert (
            main(
                [
                    "select",
                    toy,
                    "--label",
                    "cls",
                    "--method",
                    method,
                    "--k",
                    "4",
                    "--out",
                    str(final),
                ]
            )
            == 0
        )
        finals.append(str(final))

    sidecar = json.loads((tmp_path / "panels/anova/r0_f1.json").read_text())
    assert sidecar["method"] == "anova" and sidecar["fold"] == 1 and sidecar["repeat"] == 0
    assert sidecar["dataset"] == "toy" and sidecar["seed"] == 0 and "versions" in sidecar
    panel = pd.read_csv(tmp_path / "panels/anova/r0_f1.tsv", sep="\t")
    assert list(panel.columns) == ["panel_k", "rank", "feature", "score", "group", "cost"]
    assert set(panel["panel_k"]) == {4}
    # without constraints every feature is its own block, and nothing has a cost
    assert (panel["group"] == panel["feature"]).all() and panel["cost"].isna().all()

    attention = pd.read_csv(tmp_path / "panels/test_attention/all.attention.tsv", sep="\t")
    assert list(attention.columns[:2]) == ["step", "selected"] and attention.shape == (4, 22)
    first = attention.loc[0, "selected"]
    assert np.isnan(attention.loc[1, first]) and not np.isnan(attention.loc[0, first])
    assert not (tmp_path / "panels/anova/all.attention.tsv").exists()

    m = pd.read_csv(metrics[0], sep="\t")
    assert list(m.columns) == [
        "dataset",
        "method",
        "k",
        "repeat",
        "fold",
        "classifier",
        "metric",
        "value",
    ]
    assert {"logreg", "knn"} == set(m["classifier"])  # no selector-cost rows

    out_dir = tmp_path / "tables"
    aggregate = ["aggregate", "--dataset", "toy", "--metrics", *metrics, "--panels", *panels]
    aggregate += ["--final-panels", *finals, "--predictions", *preds]
    assert main([*aggregate, "--out-dir", str(out_dir)]) == 0
    expected = {
        "metrics": None,
        "summary": ["dataset", "method", "k", "classifier", "metric", "mean", "sd", "n"],
        "paired": [
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
        ],
        "selection_frequency": ["dataset", "method", "k", "feature", "frequency"],
        "stability": ["dataset", "method", "k", "jaccard_mean", "kuncheva_mean"],
        "method_similarity": ["dataset", "k", "method_a", "method_b", "jaccard", "kuncheva"],
        "predictions": [
            "dataset",
            "method",
            "k",
            "repeat",
            "fold",
            "classifier",
            "sample",
            "y_true",
            "y_pred",
        ],
        "cost": ["dataset", "method", "k", "repeat", "fold", "metric", "value"],
        "panel_cost": [
            "dataset",
            "method",
            "k",
            "repeat",
            "fold",
            "n_features",
            "cost",
            "budget",
        ],
        "final_panel_anova": [
            "panel_k",
            "rank",
            "feature",
            "score",
            "selection_frequency",
            "group",
            "cost",
        ],
        "final_panel_test_attention": None,
    }
    for name, columns in expected.items():
        table = pd.read_csv(out_dir / f"{name}.tsv", sep="\t")
        assert len(table), name
        if columns:
            assert list(table.columns) == columns, name
    summary = pd.read_csv(out_dir / "summary.tsv", sep="\t")
    assert set(summary["k"]) == {2, 4} and (summary["n"] == 3).all()
    cost = pd.read_csv(out_dir / "cost.tsv", sep="\t")
    assert set(cost["metric"]) == {"selector_time_s", "selector_peak_rss_delta_mb"}
    assert len(cost) == 2 * 3 * 2 * 2  # methods x folds x ks x metrics
    # one row per fold panel and k; without costs or blocks: k columns, no cost, no budget
    panel_cost = pd.read_csv(out_dir / "panel_cost.tsv", sep="\t")
    assert len(panel_cost) == 2 * 3 * 2  # methods x folds x ks
    keys = panel_cost[["method", "fold", "k"]].itertuples(index=False, name=None)
    assert sorted(keys) == [
        (m, f, k) for m in ("anova", "test_attention") for f in range(3) for k in (2, 4)
    ]
    assert (panel_cost["n_features"] == panel_cost["k"]).all()
    assert panel_cost["cost"].isna().all() and panel_cost["budget"].isna().all()

    # a second run of the selections and validations: every table but cost.tsv is the same,
    # byte for byte (the selector's time and memory differ from run to run)
    for method, fold in [("anova", 0), ("test_attention", 2)]:
        panel = tmp_path / "panels" / method / f"r0_f{fold}.tsv"
        sidecar = json.loads(panel.with_suffix(".json").read_text())
        for cost_k in sidecar["cost_by_k"].values():
            cost_k["wall_time_s"] += 1.0  # as a slower machine would record it
        panel.with_suffix(".json").write_text(json.dumps(sidecar))
        out = tmp_path / "metrics" / method / f"r0_f{fold}.tsv"
        validate = ["validate", toy, "--label", "cls", "--folds", str(folds), "--fold", str(fold)]
        validate += ["--panel", str(panel), "--ks", "2", "4", "--classifiers", "logreg", "knn"]
        validate += ["--out", str(out), "--predictions", str(out.with_suffix(".predictions.tsv"))]
        assert main(validate) == 0
    again = tmp_path / "tables_again"
    assert main([*aggregate, "--out-dir", str(again)]) == 0
    for name in expected:
        same = (out_dir / f"{name}.tsv").read_bytes() == (again / f"{name}.tsv").read_bytes()
        assert same == (name != "cost"), name
    final = pd.read_csv(out_dir / "final_panel_anova.tsv", sep="\t")
    assert final["selection_frequency"].between(0, 1).all()
    # seqattn final-panel (the workflow's per-method rule) writes the same table
    anova_finals = [f for f in finals if "/anova/" in f]
    anova_folds = [p for p in panels if "/anova/" in p]
    one = tmp_path / "final_panel_anova.tsv"
    cmd = ["final-panel", *anova_finals, "--fold-panels", *anova_folds, "--dataset", "toy"]
    assert main([*cmd, "--out", str(one)]) == 0
    assert one.read_bytes() == (out_dir / "final_panel_anova.tsv").read_bytes()
    mixed = ["final-panel", *anova_finals, "--fold-panels", *panels, "--dataset", "toy"]
    assert main([*mixed, "--out", str(tmp_path / "mixed.tsv")]) == 2  # other methods' folds
    assert not (tmp_path / "mixed.tsv").exists()


def test_aggregate_writes_each_fold_panels_cost_with_blocks_and_costs(tmp_path):
    """panel_cost.tsv with costs and blocks: the k-panel's columns (a block brings all of
    its own, so more than k) and its cost, as the sidecar recorded it."""
    data = tmp_path / "toy.h5ad"
    _write_toy(data)
    adata = ad.read_h5ad(data)
    adata.var["kit"] = ["kit01", "kit01", "kit23", "kit23"] + [""] * 16  # g0+g1, g2+g3
    adata.write_h5ad(data)
    costs = pd.Series(np.arange(1.0, 21.0), index=adata.var_names)  # g<j> costs j + 1
    pd.DataFrame({"feature": costs.index, "cost": costs.to_numpy()}).to_csv(
        tmp_path / "costs.tsv", sep="\t", index=False
    )
    folds = tmp_path / "folds.tsv"
    assert main(["folds", str(data), "--label", "cls", "--n-splits", "2", "--out", str(folds)]) == 0
    metrics, panels = [], []
    for fold in range(2):
        panel = tmp_path / "panels" / "anova" / f"r0_f{fold}.tsv"
        select = ["select", str(data), "--label", "cls", "--method", "anova", "--ks", "1", "3"]
        select += ["--folds", str(folds), "--fold", str(fold), "--dataset", "toy"]
        select += ["--feature-groups", "kit", "--costs", str(tmp_path / "costs.tsv")]
        assert main([*select, "--threads", "1", "--out", str(panel)]) == 0
        out = tmp_path / "metrics" / "anova" / f"r0_f{fold}.tsv"
        validate = ["validate", str(data), "--label", "cls", "--folds", str(folds)]
        validate += ["--fold", str(fold), "--panel", str(panel), "--ks", "1", "3"]
        assert main([*validate, "--classifiers", "logreg", "--out", str(out)]) == 0
        metrics.append(str(out))
        panels.append(str(panel))
    out_dir = tmp_path / "tables"
    aggregate = ["aggregate", "--dataset", "toy", "--metrics", *metrics, "--panels", *panels]
    assert main([*aggregate, "--out-dir", str(out_dir)]) == 0
    table = pd.read_csv(out_dir / "panel_cost.tsv", sep="\t")
    assert list(table[["method", "k", "repeat", "fold"]].itertuples(index=False, name=None)) == [
        ("anova", 1, 0, 0),
        ("anova", 1, 0, 1),
        ("anova", 3, 0, 0),
        ("anova", 3, 0, 1),
    ]
    assert table["budget"].isna().all()
    for row in table.itertuples():
        panel = pd.read_csv(panels[row.fold], sep="\t", keep_default_na=False)
        k_panel = panel[panel["rank"] <= row.k]
        sidecar = json.loads((tmp_path / "panels/anova" / f"r0_f{row.fold}.json").read_text())
        assert row.n_features == len(k_panel)
        assert row.cost == pytest.approx(costs[k_panel["feature"]].sum())
        assert row.cost == pytest.approx(sidecar["panel_cost_by_k"][str(row.k)])
    # the class signal sits in g0..g2, so the blocks enter: some k-panel exceeds k columns
    assert (table["n_features"] > table["k"]).any()
    # the workflow's cost_figure job draws balanced accuracy against these costs
    figures = tmp_path / "figures"
    plot = ["plot", "all", "--tables", str(out_dir), "--data", str(data), "--strict"]
    plot += ["--figures", "cost_accuracy", "--formats", "png,pdf", "--out-dir", str(figures)]
    assert main(plot) == 0
    assert sorted(p.name for p in figures.iterdir()) == ["cost_accuracy.pdf", "cost_accuracy.png"]


def test_errors_are_one_line_and_write_nothing(toy, tmp_path, capsys):
    folds = tmp_path / "folds.tsv"
    assert main(["folds", toy, "--label", "cls", "--n-splits", "3", "--out", str(folds)]) == 0
    capsys.readouterr()
    out = tmp_path / "out.tsv"
    base = ["select", toy, "--label", "cls", "--out", str(out)]

    err = _one_line_error(capsys, main([*base, "--method", "nope", "--ks", "2"]))
    assert "unknown method 'nope'" in err
    err = _one_line_error(capsys, main([*base, "--method", "anova", "--ks", "2", "50"]))
    assert "k=50 exceeds the 20 features" in err
    err = _one_line_error(
        capsys,
        main(
            ["select", toy, "--label", "kind", "--method", "anova", "--k", "2", "--out", str(out)]
        ),
    )
    assert "label column 'kind'" in err
    err = _one_line_error(capsys, main(["folds", toy, "--label", "kind", "--out", str(out)]))
    assert "label column 'kind'" in err
    err = _one_line_error(
        capsys, main(["folds", toy, "--label", "cls", "--n-splits", "20", "--out", str(out)])
    )
    assert "classes too small for 20 folds" in err and "lower --n-splits to 15" in err

    other = _write_toy(tmp_path / "other.h5ad", prefix="x")
    err = _one_line_error(
        capsys,
        main(
            [
                "select",
                other,
                "--label",
                "cls",
                "--method",
                "anova",
                "--k",
                "2",
                "--folds",
                str(folds),
                "--fold",
                "0",
                "--out",
                str(out),
            ]
        ),
    )
    assert "another data set" in err
    assert not out.exists() and not out.with_suffix(".json").exists()

    # a panel from fold 0 must not be scored on fold 1; a final panel on no fold at all
    panel = tmp_path / "p0.tsv"
    assert (
        main(
            [
                "select",
                toy,
                "--label",
                "cls",
                "--method",
                "anova",
                "--k",
                "3",
                "--folds",
                str(folds),
                "--fold",
                "0",
                "--out",
                str(panel),
            ]
        )
        == 0
    )
    final = tmp_path / "all.tsv"
    assert (
        main(
            ["select", toy, "--label", "cls", "--method", "anova", "--k", "3", "--out", str(final)]
        )
        == 0
    )
    capsys.readouterr()
    validate = [
        "validate",
        toy,
        "--label",
        "cls",
        "--folds",
        str(folds),
        "--repeat",
        "0",
        "--k",
        "3",
        "--out",
        str(out),
    ]
    err = _one_line_error(capsys, main([*validate, "--fold", "1", "--panel", str(panel)]))
    assert "selected on repeat 0, fold 0" in err
    err = _one_line_error(capsys, main([*validate, "--fold", "0", "--panel", str(final)]))
    assert "leaks the test samples" in err
    err = _one_line_error(
        capsys, main([*validate, "--fold", "0", "--panel", str(panel), "--method", "cosg"])
    )
    assert "made by anova" in err
    err = _one_line_error(
        capsys,
        main(
            [
                "validate",
                toy,
                "--label",
                "cls",
                "--folds",
                str(folds),
                "--fold",
                "0",
                "--panel",
                str(panel),
                "--ks",
                "3",
                "5",
                "--out",
                str(out),
            ]
        ),
    )
    assert "at most 3 features" in err
    assert not out.exists()

    metrics = tmp_path / "m0.tsv"
    assert (
        main(
            [
                *validate,
                "--fold",
                "0",
                "--panel",
                str(panel),
                "--classifiers",
                "knn",
                "--out",
                str(metrics),
            ]
        )
        == 0
    )
    capsys.readouterr()
    tables = tmp_path / "tables"
    err = _one_line_error(
        capsys,
        main(
            [
                "aggregate",
                "--dataset",
                "mice",
                "--metrics",
                str(metrics),
                "--panels",
                str(panel),
                "--out-dir",
                str(tables),
            ]
        ),
    )
    assert "not 'mice'" in err
    err = _one_line_error(
        capsys,
        main(
            [
                "aggregate",
                "--dataset",
                "toy",
                "--metrics",
                str(metrics),
                "--panels",
                str(final),
                "--out-dir",
                str(tables),
            ]
        ),
    )
    assert "--final-panels" in err
    err = _one_line_error(
        capsys,
        main(
            [
                "aggregate",
                "--dataset",
                "toy",
                "--metrics",
                str(metrics),
                str(metrics),
                "--panels",
                str(panel),
                "--out-dir",
                str(tables),
            ]
        ),
    )
    assert "appear twice" in err
    assert not tables.exists()


def test_folds_command_groups_mice_by_mouse(tmp_path, mice):
    data = tmp_path / "mice.h5ad"
    mice.write_h5ad(data)
    out = tmp_path / "folds.tsv"
    assert (
        main(
            [
                "folds",
                str(data),
                "--label",
                "class",
                "--group",
                "mouse",
                "--n-splits",
                "4",
                "--n-repeats",
                "2",
                "--seed",
                "1",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    folds = pd.read_csv(out, sep="\t")
    folds["mouse"] = folds["sample"].str.split("_").str[0]
    assert (folds.groupby(["repeat", "mouse"])["fold"].nunique() == 1).all()
    assert len(folds) == 2 * mice.n_obs


def test_select_records_config_hash_and_seed_in_sidecar(toy, tmp_path):
    out = tmp_path / "all.tsv"
    code = main(
        [
            "select",
            toy,
            "--label",
            "cls",
            "--method",
            "anova",
            "--k",
            "3",
            "--config-hash",
            "abc123",
            "--seed",
            "4",
            "--no-warmup",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["config_hash"] == "abc123" and meta["seed"] == 4 and "versions" in meta
