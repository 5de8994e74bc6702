"""select_panel / validate_panel: the test fold is touched only for scoring."""

import anndata as ad
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from seqattn._errors import SeqattnError
from seqattn.evaluate import (
    classification_metrics,
    make_folds,
    panel_for_k,
    run_nested_cv,
    select_panel,
    train_test_indices,
    validate_panel,
)
from seqattn.evaluate.scoring import cost_rows
from seqattn.methods import _base
from seqattn.methods._base import PanelSelector, ranking_to_panel


def _toy(n=60, d=30, seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(["a", "b", "c"], n // 3)
    X = rng.standard_normal((n, d)).astype(np.float32)
    for j, c in enumerate("abc"):
        X[:, j] += 2.5 * (y == c)
    obs = pd.DataFrame({"cls": y}, index=[f"s{i}" for i in range(n)])
    return ad.AnnData(X, obs=obs, var=pd.DataFrame(index=[f"g{j}" for j in range(d)]))


class _Spy(PanelSelector):
    """Top-k by column mean; records every matrix it is given."""

    name = "test_spy"
    seen: list = []  # noqa: RUF012 - shared on purpose: the instance is built inside

    def _select(self, X, y, k, *, random_state):
        type(self).seen.append(X.shape)
        return ranking_to_panel(np.abs(X).mean(axis=0), k)


class _FixedK(PanelSelector):
    """A fixed-k method whose k-panels are *not* prefixes of each other."""

    name = "test_fixed_k"
    ordered = False
    calls: list = []  # noqa: RUF012

    def _select(self, X, y, k, *, random_state):
        type(self).calls.append(k)
        order = np.arange(X.shape[1])[::-1][:k] if k % 2 else np.arange(k)
        return order, np.arange(k, 0, -1, dtype=float)


class _WithDevice(PanelSelector):
    name = "test_device"

    def __init__(self, n_features_to_select=None, *, device: str = "cpu", random_state=0):
        super().__init__(n_features_to_select, random_state=random_state)
        self.device = device

    def _select(self, X, y, k, *, random_state):
        self.device_ = f"resolved:{self.device}"
        return np.arange(k), np.ones(k)


@pytest.fixture
def test_methods(monkeypatch):
    for cls in (_Spy, _FixedK, _WithDevice):
        monkeypatch.setitem(_base._REGISTRY, cls.name, cls)
    _Spy.seen.clear()
    _FixedK.calls.clear()


def test_metrics_known_values_and_absent_class():
    classes = ["a", "b", "c"]
    y_true = np.array(["a", "a", "b", "b"])
    y_pred = np.array(["a", "b", "b", "b"])
    proba = np.array([[0.9, 0.1, 0], [0.4, 0.6, 0], [0.2, 0.8, 0], [0.1, 0.9, 0]])
    m = classification_metrics(y_true, y_pred, proba, classes)
    assert m["accuracy"] == 0.75
    assert m["balanced_accuracy"] == 0.75
    assert m["recall[a]"] == 0.5 and m["recall[b]"] == 1.0
    assert np.isnan(m["recall[c]"])  # class c is absent from this fold: undefined, not 0
    # classes present: a and b; both one-vs-rest AUROCs are 1 here
    assert m["roc_auc_ovr"] == 1.0
    binary = classification_metrics(
        np.array(["a", "b", "a", "b"]),
        np.array(["a", "a", "a", "b"]),
        np.array([[0.7, 0.3], [0.6, 0.4], [0.4, 0.6], [0.2, 0.8]]),
        ["a", "b"],
    )
    assert binary["roc_auc_ovr"] == pytest.approx(roc_auc_score([0, 1, 0, 1], [0.3, 0.4, 0.6, 0.8]))


def test_panel_for_k_follows_the_block_rule():
    panel = pd.DataFrame(
        {
            "panel_k": [2, 2, 3, 3, 3],
            "rank": [1, 2, 1, 2, 3],
            "feature": list("xyuvw"),
            "score": [1.0] * 5,
        }
    )
    assert panel_for_k(panel, 1) == ["x"]
    assert panel_for_k(panel, 2) == ["x", "y"]
    assert panel_for_k(panel, 3) == ["u", "v", "w"]
    with pytest.raises(SeqattnError, match="at most 3 features"):
        panel_for_k(panel, 4)


def test_selector_sees_only_training_rows(test_methods):
    adata = _toy()
    folds = make_folds(adata.obs["cls"], n_splits=3, random_state=1)
    train, test = train_test_indices(folds, adata.obs_names, 0, 2)
    panel, meta, _ = select_panel(
        adata, "cls", "test_spy", [3, 5], folds=folds, repeat=0, fold=2, warmup=False
    )
    assert _Spy.seen == [(len(train), adata.n_vars)]  # ordered: one fit at max(ks)
    assert set(panel["panel_k"]) == {5} and list(panel["rank"]) == [1, 2, 3, 4, 5]
    assert meta["n_train"] == len(train) and meta["fold"] == 2 and meta["repeat"] == 0
    assert meta["method"] == "test_spy" and meta["ordered"] is True
    assert {"wall_time_s", "peak_rss_delta_mb", "versions", "cost_by_k"} <= set(meta)
    assert "RSS" in meta["memory_measure"]
    # garbage in the test rows changes nothing: the selector never saw them
    poisoned = adata.copy()
    poisoned.X[test] = 1e6
    panel2, _, _ = select_panel(
        poisoned, "cls", "test_spy", [3, 5], folds=folds, repeat=0, fold=2, warmup=False
    )
    pd.testing.assert_frame_equal(panel, panel2)


def test_fixed_k_methods_are_refitted_per_k(test_methods):
    adata = _toy()
    panel, meta, _ = select_panel(adata, "cls", "test_fixed_k", [2, 3], warmup=False)
    assert _FixedK.calls == [2, 3]
    assert sorted(panel["panel_k"].unique()) == [2, 3]
    assert panel_for_k(panel, 2) == ["g0", "g1"]
    assert panel_for_k(panel, 3) == ["g29", "g28", "g27"]
    assert meta["fold"] is None and meta["n_train"] == adata.n_obs  # final panel: all samples
    assert set(meta["cost_by_k"]) == {"2", "3"}


def test_device_is_passed_to_methods_that_take_one(test_methods):
    _, meta, _ = select_panel(_toy(), "cls", "test_device", 2, device="cuda:1", warmup=False)
    assert meta["device"] == "resolved:cuda:1" and meta["options"] == {}
    _, meta, _ = select_panel(_toy(), "cls", "anova", 2, device="cuda:1", warmup=False)
    assert meta["device"] == "cpu"  # anova takes no device


def test_validate_panel_scores_each_k_and_classifier(test_methods):
    adata = _toy()
    folds = make_folds(adata.obs["cls"], n_splits=3, random_state=0)
    panel, meta, _ = select_panel(adata, "cls", "anova", [1, 3], folds=folds, repeat=0, fold=1)
    meta["dataset"] = "toy"
    metrics, preds = validate_panel(
        adata, "cls", folds, 0, 1, panel, [1, 3], ["logreg", "knn"], meta=meta, dataset="toy"
    )
    assert list(metrics.columns) == [
        "dataset",
        "method",
        "k",
        "repeat",
        "fold",
        "classifier",
        "metric",
        "value",
    ]
    scored = metrics[metrics.classifier != "-"]
    assert set(scored["metric"]) == {
        "accuracy",
        "balanced_accuracy",
        "f1_macro",
        "roc_auc_ovr",
        "recall[a]",
        "recall[b]",
        "recall[c]",
    }
    assert len(scored) == 2 * 2 * 7
    assert "-" not in set(metrics["classifier"])  # the selector's cost is not a score
    cost = cost_rows(meta, [1, 3])
    assert set(cost["metric"]) == {"selector_time_s", "selector_peak_rss_delta_mb"}
    assert set(cost["k"]) == {1, 3} and (cost["value"] >= 0).all()
    assert (metrics["method"] == "anova").all() and (metrics["dataset"] == "toy").all()
    bal = scored[(scored.metric == "balanced_accuracy") & (scored.k == 3)]["value"]
    assert (bal > 0.8).all()  # three informative features: an easy problem
    _, test = train_test_indices(folds, adata.obs_names, 0, 1)
    assert set(preds["sample"]) == set(adata.obs_names[test])
    assert len(preds) == 2 * 2 * len(test)


def test_validate_refuses_panels_from_other_samples():
    adata = _toy()
    folds = make_folds(adata.obs["cls"], n_splits=3, random_state=0)
    panel, meta, _ = select_panel(adata, "cls", "anova", [3], folds=folds, repeat=0, fold=0)
    with pytest.raises(SeqattnError, match="validated on repeat 0, fold 1"):
        validate_panel(adata, "cls", folds, 0, 1, panel, [3], ["knn"], meta=meta)
    other = make_folds(adata.obs["cls"], n_splits=3, random_state=5)
    with pytest.raises(SeqattnError, match="other training samples"):
        validate_panel(adata, "cls", other, 0, 0, panel, [3], ["knn"], meta=meta)
    final, final_meta, _ = select_panel(adata, "cls", "anova", [3])
    with pytest.raises(SeqattnError, match="leaks the test samples"):
        validate_panel(adata, "cls", folds, 0, 0, final, [3], ["knn"], meta=final_meta)


def test_bad_inputs_raise_one_line_errors():
    adata = _toy(d=6)
    with pytest.raises(SeqattnError, match="exceeds the 6 features"):
        select_panel(adata, "cls", "anova", [3, 10])
    with pytest.raises(SeqattnError, match="unknown method 'nope'"):
        select_panel(adata, "cls", "nope", [3])
    with pytest.raises(SeqattnError, match="label column 'kind'"):
        select_panel(adata, "kind", "anova", [3])
    with pytest.raises(SeqattnError, match="unknown classifier 'svm'"):
        folds = make_folds(adata.obs["cls"], n_splits=3)
        panel, _, _ = select_panel(adata, "cls", "anova", [3], folds=folds, repeat=0, fold=0)
        validate_panel(adata, "cls", folds, 0, 0, panel, [3], ["svm"])


def test_selection_is_deterministic_given_the_seed():
    adata = _toy()
    a, _, _ = select_panel(adata, "cls", "random", [5], random_state=4, warmup=False)
    b, _, _ = select_panel(adata, "cls", "random", [5], random_state=4, warmup=False)
    c, _, _ = select_panel(adata, "cls", "random", [5], random_state=5, warmup=False)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_mice_protein_with_missing_values_goes_through_fold_preprocessing(mice):
    """NaN are imputed by the pp fold transformer fitted on the training fold only."""
    from seqattn import pp

    adata = pp.preprocess(mice, "zscore", impute="median")
    assert np.isnan(adata.X).any()
    folds = make_folds(
        adata.obs["class"].astype(str), adata.obs["mouse"].astype(str), n_splits=3, random_state=0
    )
    panel, meta, _ = select_panel(adata, "class", "anova", [10], folds=folds, repeat=0, fold=0)
    metrics, _ = validate_panel(adata, "class", folds, 0, 0, panel, [10], ["logreg"], meta=meta)
    bal = metrics.query("metric == 'balanced_accuracy'")["value"].item()
    assert bal > 0.3  # 8 classes, chance 0.125; mice-level split keeps it honest
    assert meta["n_features"] == 77


def test_sparse_input_is_accepted():
    import scipy.sparse as sp

    adata = _toy()
    adata.X = sp.csr_matrix(np.clip(adata.X, 0, None))
    folds = make_folds(adata.obs["cls"], n_splits=3)
    panel, meta, _ = select_panel(
        adata, "cls", "variance", [3], folds=folds, repeat=0, fold=0, warmup=False
    )
    metrics, _ = validate_panel(adata, "cls", folds, 0, 0, panel, [3], ["knn"], meta=meta)
    assert metrics["value"].notna().all()


def test_run_nested_cv_in_memory():
    from seqattn.evaluate import run_nested_cv

    adata = _toy()
    adata.obs["subject"] = [f"m{i // 2}" for i in range(adata.n_obs)]
    result = run_nested_cv(
        adata,
        "cls",
        ["anova", "random"],
        [2, 3],
        ["logreg"],
        group="subject",
        n_splits=3,
        random_state=0,
        warmup=False,
        dataset="toy",
    )
    assert set(result.metrics["method"]) == {"anova", "random"}
    assert set(result.metrics["dataset"]) == {"toy"}
    assert len(result.folds) == adata.n_obs
    assert len(result.metas) == 2 * 3
    summary = result.summary()
    best = summary.query("metric == 'balanced_accuracy' and k == 3").set_index("method")["mean"]
    assert best["anova"] > best["random"]  # anova finds the 3 informative features
    assert set(result.paired("anova")["method_b"]) == {"random"}
    assert set(result.stability()["k"]) == {2, 3}
    assert len(result.method_similarity()) == 2
    assert result.selection_frequency().query("method == 'anova' and k == 3")[
        "feature"
    ].tolist() == ["g0", "g1", "g2"]


def test_selector_cost_measures_time_and_peak_memory():
    import time

    from seqattn.evaluate.cost import measure

    with measure() as cost:
        block = np.ones(100 * 2**20 // 8)  # 100 MB, touched
        time.sleep(0.05)
        del block
    assert cost["wall_time_s"] >= 0.05
    assert 80 <= cost["peak_rss_delta_mb"] <= 400


def test_selector_memory_counts_torch_allocations():
    """Peak RSS sees torch's allocator, which Python's heap tracing (tracemalloc) misses."""
    import torch

    from seqattn.evaluate.cost import measure

    with measure() as cost:
        block = torch.ones(100 * 2**20 // 4)  # 100 MB of float32, written
        del block
    assert 80 <= cost["peak_rss_delta_mb"] <= 400, cost


def test_psutil_is_a_declared_dependency():
    import tomllib
    from pathlib import Path

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert any(d.startswith("psutil") for d in pyproject["project"]["dependencies"])


class _GroupSpy(PanelSelector):
    """Records the groups its fit is given."""

    name = "test_group_spy"
    groups_seen: list = []  # noqa: RUF012

    def fit(self, X, y, groups=None):
        type(self).groups_seen.append(None if groups is None else list(groups))
        return super().fit(X, y, groups)

    def _select(self, X, y, k, *, random_state):
        return np.arange(k), np.ones(k)


def test_the_training_folds_subjects_reach_the_selector(monkeypatch):
    monkeypatch.setitem(_base._REGISTRY, _GroupSpy.name, _GroupSpy)
    _GroupSpy.groups_seen.clear()
    adata = _toy()
    adata.obs["subject"] = [f"m{i // 3}" for i in range(adata.n_obs)]
    folds = make_folds(adata.obs["cls"], groups=adata.obs["subject"], n_splits=3, random_state=0)
    train, _ = train_test_indices(folds, adata.obs_names, 0, 1)
    select_panel(
        adata,
        "cls",
        "test_group_spy",
        [2],
        folds=folds,
        repeat=0,
        fold=1,
        group="subject",
        warmup=False,
    )
    assert _GroupSpy.groups_seen == [list(adata.obs["subject"].to_numpy()[train])]
    # without group= the column recorded by seqattn.pp.preprocess is used; none: None
    select_panel(adata, "cls", "test_group_spy", [2], warmup=False)
    adata.uns["seqattn_preprocessing"] = {"group": "subject"}
    select_panel(adata, "cls", "test_group_spy", [2], warmup=False)
    assert _GroupSpy.groups_seen[1] is None
    assert _GroupSpy.groups_seen[2] == list(adata.obs["subject"])
    result = run_nested_cv(
        adata,
        "cls",
        ["test_group_spy"],
        [2],
        ["logreg"],
        group="subject",
        n_splits=3,
        warmup=False,
    )
    assert len(_GroupSpy.groups_seen) == 3 + 3 and all(_GroupSpy.groups_seen[3:])
    assert not result.metrics.empty
