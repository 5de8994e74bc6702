"""The recommended panel (issue #20): chosen by inner CV, estimated on the outer folds.

Three properties, on small synthetic data with cheap methods:

- honesty: with permuted labels the whole procedure (inner choice, refit, outer test)
  scores at chance on the outer folds, while the best cell of the outer method x k table
  (the choice made after seeing the outer test folds) does not;
- no leak: poisoning the outer test rows of a fold (NaN, or extreme values) leaves that
  fold's inner scores and choice unchanged, so no outer test row reaches the inner CV;
- the one-SE rule finds the planted panel size (4 informative features give k = 4 or 5).
"""

from __future__ import annotations

import anndata as ad
import numpy as np
import pandas as pd
import pytest

from seqattn._errors import SeqattnError
from seqattn.evaluate import make_folds, recommend, run_nested_cv, train_test_indices
from seqattn.evaluate.recommend import choose, count_fits, inner_cv, t_interval


def _adata(X: np.ndarray, y: np.ndarray, groups: np.ndarray | None = None) -> ad.AnnData:
    obs = pd.DataFrame({"y": y}, index=[f"s{i}" for i in range(len(y))])
    if groups is not None:
        obs["subject"] = groups
    adata = ad.AnnData(X.astype(np.float32), obs=obs)
    adata.var_names = [f"f{j}" for j in range(X.shape[1])]
    return adata


def _noise(seed: int, n: int = 48, d: int = 200) -> ad.AnnData:
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.repeat(["a", "b"], n // 2))
    return _adata(rng.standard_normal((n, d)), y)


def _planted(seed: int = 0, n_per_class: int = 24, d: int = 30) -> ad.AnnData:
    """Five classes; feature j (j < 4) is high in class j only, class 4 has none high.

    Every one of the four features is needed: without feature j, class j looks like
    class 4.
    """
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(5), n_per_class)
    X = rng.standard_normal((len(y), d))
    for j in range(4):
        X[y == j, j] += 3.0
    return _adata(X, np.array([f"c{c}" for c in y]))


# ---- the rule ---------------------------------------------------------------------------


def test_choose_one_se_takes_the_smallest_k_within_one_se_and_the_cheaper_method():
    scores = pd.DataFrame(
        {
            "method": ["b", "a", "b", "a", "b", "a"],
            "k": [2, 2, 4, 4, 8, 8],
            "mean": [0.70, 0.70, 0.86, 0.85, 0.90, 0.88],
            "se": [0.02, 0.02, 0.02, 0.02, 0.05, 0.02],
        }
    )
    # best 0.90 +- 0.05: threshold 0.85; k = 4 has both methods within, "a" listed first
    assert choose(scores, "one_se", ["a", "b"])[:2] == ("a", 4)
    assert choose(scores, "one_se", ["b", "a"])[:2] == ("b", 4)
    assert choose(scores, "best", ["a", "b"])[:2] == ("b", 8)
    with pytest.raises(SeqattnError, match="unknown rule"):
        choose(scores, "median")


def test_t_interval_and_fit_count():
    low, high = t_interval([0.6, 0.7, 0.8])
    assert low < 0.7 < high and 0 <= low and high <= 1
    assert np.isnan(t_interval([0.7])[0])
    # ordered methods: 1 fit per inner fold; l1_logistic (fixed k): one per k
    assert count_fits(["anova"], [1, 2, 3], inner_splits=3, n_outer_folds=5) == 6 * (3 + 1)
    assert count_fits(["anova", "l1_logistic"], [1, 2], 3, 5) == 6 * (3 * 3 + 1)


# ---- honesty ------------------------------------------------------------------------------

# 48 x 200 noise, 3 outer x 3 inner folds, random + ANOVA + t-test at k = 1, 2, 3, 5, mean
# over 4 permutations. Measured while writing the test: the procedure 0.510, the best cell
# of the outer table 0.578 (with 4 outer folds and k up to 10 over 6 seeds: 0.510, 0.590).
# A chance-level mean of 4 x 48 test predictions has sd ~ 0.5 / sqrt(192) ~ 0.036.
SEEDS = (0, 1, 2, 3)
METHODS, KS = ["random", "anova", "t-test"], [1, 2, 3, 5]


def test_permuted_labels_score_at_chance_but_the_best_outer_cell_does_not():
    procedure, best_cell = [], []
    for seed in SEEDS:
        adata = _noise(seed)
        folds = make_folds(adata.obs["y"], n_splits=3, random_state=seed)
        rec = recommend(
            adata, "y", methods=METHODS, ks=KS, folds=folds, random_state=seed, device="cpu"
        )
        table = run_nested_cv(
            adata,
            "y",
            METHODS,
            KS,
            ["logreg"],
            folds=folds,
            random_state=seed,
            device="cpu",
            warmup=False,
        ).summary()
        procedure.append(rec.expected_balanced_accuracy)
        best_cell.append(table.loc[table["metric"] == "balanced_accuracy", "mean"].max())
    procedure, best_cell = np.mean(procedure), np.mean(best_cell)
    print(f"permuted labels: procedure {procedure:.3f}, best outer cell {best_cell:.3f}")
    assert abs(procedure - 0.5) < 0.06, procedure
    assert best_cell - 0.5 > 0.06, best_cell
    assert best_cell - procedure > 0.04


# ---- no outer test row reaches the inner CV -------------------------------------------------


@pytest.mark.parametrize("poison", [np.nan, 1e6], ids=["nan", "extreme"])
def test_poisoned_outer_test_rows_leave_the_choice_unchanged(poison):
    adata = _planted(seed=1, n_per_class=12, d=20)
    folds = make_folds(adata.obs["y"], n_splits=3, random_state=0)
    train, test = train_test_indices(folds, adata.obs_names, 0, 0)
    poisoned = adata.copy()
    poisoned.X[test] = poison
    kwargs = dict(methods=["random", "anova"], ks=[2, 4, 6], inner_splits=3, device="cpu")
    # the seed recommend gives outer fold (0, 0); the identity fold transformer raises on
    # any NaN it is given, so with NaN a leak would fail loudly, not just change numbers
    from seqattn.evaluate.folds import fold_seed

    seed = fold_seed(0, 0, 0)
    clean = inner_cv(adata, "y", train, random_state=seed, **kwargs)
    dirty = inner_cv(poisoned, "y", train, random_state=seed, **kwargs)
    pd.testing.assert_frame_equal(clean[0], dirty[0])
    assert clean[1:] == dirty[1:]
    if np.isnan(poison):
        return
    # the whole procedure: fold 0's inner scores and choice are the same, its outer score not
    before = recommend(adata, "y", folds=folds, **kwargs)
    after = recommend(poisoned, "y", folds=folds, **kwargs)
    scope = before.inner["scope"] == "r0_f0"
    pd.testing.assert_frame_equal(before.inner[scope], after.inner[scope])
    cols = ["method", "k", "inner_mean", "inner_se"]
    pd.testing.assert_frame_equal(
        before.fold_choices.iloc[:1][cols], after.fold_choices.iloc[:1][cols]
    )
    assert (before.fold_choices["method"].iloc[0], before.fold_choices["k"].iloc[0]) == clean[1:3]


# ---- the planted panel size ---------------------------------------------------------------


def test_one_se_finds_the_four_planted_features():
    adata = _planted(seed=0)
    rec = recommend(
        adata,
        "y",
        methods=["anova", "random"],
        ks=[1, 2, 3, 4, 5, 6, 8],
        n_splits=3,
        random_state=0,
        device="cpu",
    )
    print(f"planted: k = {rec.k}, per fold {rec.fold_choices['k'].tolist()}, {rec.headline()}")
    assert rec.method == "anova"
    assert rec.k in (4, 5)
    assert set(rec.fold_choices["k"]) <= {4, 5}
    assert {"f0", "f1", "f2", "f3"} <= set(rec.panel)
    assert rec.expected_balanced_accuracy > 0.8
    assert rec.ci[0] <= rec.expected_balanced_accuracy <= rec.ci[1]
    freq = rec.panel_table.set_index("feature")["selection_frequency"]
    assert (freq[["f0", "f1", "f2", "f3"]] == 1.0).all()
    assert rec.headline().startswith(f"Take this panel: {rec.k} markers chosen by anova;")
    row = rec.table().iloc[0]
    assert row["panel"] == ",".join(rec.panel) and row["n_fits"] == rec.n_fits == 4 * (6 + 1)
    # `best` may take a larger panel, never a smaller one
    best = recommend(
        adata,
        "y",
        methods=["anova"],
        ks=[1, 2, 3, 4, 5, 6, 8],
        n_splits=3,
        rule="best",
        random_state=0,
        device="cpu",
    )
    assert best.k >= 4


def test_groups_keep_subjects_together_in_the_inner_folds():
    rng = np.random.default_rng(0)
    subjects = np.repeat(np.arange(24), 3)
    y = np.array(["a", "b"])[subjects % 2]
    X = rng.standard_normal((len(y), 10))
    X[:, 0] += (y == "a") * 2.0
    adata = _adata(X, y, groups=subjects.astype(str))
    rec = recommend(
        adata,
        "y",
        methods=["anova"],
        ks=[1, 2],
        group="subject",
        n_splits=3,
        inner_splits=2,
        device="cpu",
    )
    assert rec.panel[0] == "f0"
    with pytest.raises(SeqattnError, match="inner_splits"):
        recommend(adata, "y", methods=["anova"], ks=[1], group="subject", inner_splits=13)


# ---- command line and figure ------------------------------------------------------------


def test_cli_writes_the_tables_the_figure_and_prints_the_headline(tmp_path, capsys):
    from seqattn.cli import main

    adata = _planted(seed=2, n_per_class=10, d=12)
    adata.obs["subject"] = [f"m{i // 2}" for i in range(adata.n_obs)]
    path = tmp_path / "data.h5ad"
    adata.write_h5ad(path)
    out = tmp_path / "tables"
    code = main(
        [
            "recommend",
            str(path),
            "--label",
            "y",
            "--group",
            "subject",
            "--methods",
            "random",
            "anova",
            "--ks",
            "2",
            "4",
            "--n-splits",
            "2",
            "--inner-splits",
            "2",
            "--device",
            "cpu",
            "--dataset",
            "toy",
            "--out-dir",
            str(out),
            "--figure",
            str(tmp_path / "rec.png"),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    row = pd.read_csv(out / "recommendation.tsv", sep="\t").iloc[0]
    assert row["headline"] in printed and row["dataset"] == "toy"
    assert row["headline"].startswith(f"Take this panel: {row['k']} markers chosen by ")
    panel = pd.read_csv(out / "recommendation_panel.tsv", sep="\t")
    assert panel["feature"].tolist() == row["panel"].split(",")
    assert len(pd.read_csv(out / "recommendation_folds.tsv", sep="\t")) == 2
    inner = pd.read_csv(out / "recommendation_inner.tsv", sep="\t")
    assert set(inner["scope"]) == {"r0_f0", "r0_f1", "all"}
    assert inner.groupby("scope")["chosen"].sum().eq(1).all()
    assert (tmp_path / "rec.png").stat().st_size > 1000


def test_summary_page_opens_with_the_headline(tmp_path):
    from seqattn.report import write_summary

    adata = _planted(seed=3, n_per_class=8, d=10)
    rec = recommend(
        adata, "y", methods=["anova"], ks=[2, 4], n_splits=2, inner_splits=2, device="cpu"
    )
    path = tmp_path / "recommendation.tsv"
    rec.table().to_csv(path, sep="\t", index=False)
    text = write_summary(tmp_path / "summary.md", panel=rec.panel_table, recommendation=path)
    lines = text.splitlines()
    assert lines[2] == f"**{rec.headline()}**"
    assert ", ".join(f"`{f}`" for f in rec.panel) in text
