"""Panel constraints (issue #24): exclusions, forced features, blocks, costs and budgets,
in Sequential Attention and in every registered method."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import torch
from _synthetic import FAST_OPTIONS

from seqattn._errors import SeqattnError
from seqattn.core import SequentialAttentionSelector
from seqattn.methods import (
    CONSTRAINT_PARAMETERS,
    available_methods,
    get_method,
    make_selector,
    method_parameters,
)

torch.set_num_threads(1)


@pytest.fixture(scope="module")
def frame():
    """Three classes; columns 0-5 carry the signal, the named markers KRT1, KRT2 and IGHV3
    are among the strongest, so excluding them changes what a method would pick."""
    rng = np.random.default_rng(5)
    y = np.repeat(["a", "b", "c"], 40)
    X = rng.normal(size=(120, 12))
    for j, c in enumerate("abc"):
        X[:, 2 * j] += 2.0 * (y == c)
        X[:, 2 * j + 1] += 1.0 * (y == c)
    names = ["KRT1", "g1", "KRT2", "g3", "IGHV3", "g5", *[f"g{j}" for j in range(6, 12)]]
    return pd.DataFrame(X, columns=names), y


def _fit_or_skip(name, k, X, y, constraints):
    try:
        return make_selector(name, k, FAST_OPTIONS.get(name, {}), constraints=constraints).fit(X, y)
    except SeqattnError as err:
        if "is not installed" in str(err):  # a peer's package missing (seqattn[peers])
            pytest.skip(str(err))
        raise


def test_constraints_are_parameters_not_options():
    for name in available_methods():
        params = get_method(name)().get_params()
        assert set(CONSTRAINT_PARAMETERS) <= set(params), name
        assert not set(CONSTRAINT_PARAMETERS) & set(method_parameters(name)), name
    with pytest.raises(SeqattnError, match="unknown constraint"):
        make_selector("anova", 2, constraints={"costs": [1]})
    with pytest.raises(SeqattnError, match="is a constraint, not an option"):
        make_selector("anova", 2, {"exclude": [0]})


@pytest.mark.parametrize("name", available_methods())
@pytest.mark.parametrize(
    "exclude", [[0, 2, 4], ["KRT1", "KRT2", "IGHV3"], "^KRT|^IG[HKL]V"], ids=str
)
def test_excluded_features_never_enter_a_panel(name, exclude, frame):
    X, y = frame
    selector = _fit_or_skip(name, 4, X, y, {"exclude": exclude})
    order = selector.selected_features_.tolist()
    assert len(order) == 4 and not {0, 2, 4} & set(order), order
    assert selector.excluded_features_.tolist() == [0, 2, 4]
    assert set(selector.ranking_[[0, 2, 4]].tolist()) == {10, 11, 12}  # ranked last
    assert not selector.get_support()[[0, 2, 4]].any()
    assert selector.panel_cost_ == 4.0
    assert selector.selected_groups_ == [X.columns[j] for j in order]


def test_exclusion_errors_are_one_line(frame):
    X, y = frame
    cases = [
        ({"exclude": "^KRT"}, X.to_numpy(), "has none"),
        ({"exclude": ["nope"]}, X, "not a column name"),
        ({"exclude": [12]}, X, "out of range"),
        ({"exclude": "."}, X, "removes all 12 features"),
        ({"exclude": [0], "preselected": [0]}, X, "also excluded"),
        ({"exclude": "(["}, X, "not a valid regular expression"),
    ]
    for constraints, data, message in cases:
        with pytest.raises(SeqattnError, match=message) as err:
            make_selector("anova", 2, constraints=constraints).fit(data, y)
        assert "\n" not in str(err.value)


@pytest.mark.parametrize("name", ["mrmr", "anova", "random"])
def test_preselected_come_first_for_a_peer(name, frame):
    X, y = frame
    selector = _fit_or_skip(name, 4, X, y, {"preselected": ["g9", 7]})
    order = selector.selected_features_.tolist()
    assert order[:2] == [9, 7] and len(set(order)) == 4
    np.testing.assert_array_equal(selector.ranking_[order], [1, 2, 3, 4])
    X2 = X.copy()
    X2["g9"] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(SeqattnError, match="constant"):
            make_selector(name, 4, constraints={"preselected": ["g9"]}).fit(X2, y)


def test_blocks_of_a_ranking_method_score_by_their_best_member(frame):
    from sklearn.feature_selection import f_classif

    X, y = frame
    f, _ = f_classif(X, y)
    groups = ["p1", "p1", "p2", "p2", "p3", "p3", *[None] * 6]
    selector = make_selector("anova", 2, constraints={"feature_groups": groups}).fit(X, y)
    block_score = {g: max(f[j] for j in range(12) if groups[j] == g) for g in ("p1", "p2", "p3")}
    best = sorted(block_score, key=block_score.get, reverse=True)[:2]
    assert selector.selected_groups_ == best
    cols = [j for g in best for j in range(12) if groups[j] == g]
    assert selector.selected_features_.tolist() == cols
    np.testing.assert_allclose(
        selector.selection_scores_, np.repeat([block_score[g] for g in best], 2)
    )
    assert selector.ranking_[cols].tolist() == [1, 1, 2, 2]  # a block's columns tie
    assert selector.get_support().sum() == 4 and selector.transform(X).shape == (120, 4)
    assert selector.panel_cost_ == 4.0


def test_budget_of_a_ranking_method_takes_score_per_cost(frame):
    from sklearn.feature_selection import f_classif

    X, y = frame
    f, _ = f_classif(X, y)
    costs = np.ones(12)
    strongest = int(np.argmax(f))
    costs[strongest] = 50.0  # best alone, but far too dear per unit of score
    selector = make_selector(
        "anova", None, constraints={"feature_costs": costs, "budget": 4.5}
    ).fit(X, y)
    order = selector.selected_features_.tolist()
    assert strongest not in order and len(order) == 4  # stops: nothing else fits 0.5
    assert selector.panel_cost_ == 4.0 <= 4.5
    ratio = np.where(costs > 0, f / costs, 0)
    assert order == np.argsort(-ratio, kind="stable")[:4].tolist()
    capped = make_selector("anova", 2, constraints={"feature_costs": costs, "budget": 4.5}).fit(
        X, y
    )
    assert capped.selected_features_.tolist() == order[:2]  # k is a cap
    with pytest.raises(SeqattnError, match="below the cheapest"):
        make_selector("anova", None, constraints={"budget": 0.5}).fit(X, y)


@pytest.mark.parametrize("name", ["mrmr", "forward_greedy", "l1_logistic", "stg", "concrete"])
def test_methods_that_cannot_honour_blocks_or_budgets_say_so(name):
    for key, value in (("feature_groups", ["a"] * 12), ("budget", 3.0)):
        with pytest.raises(SeqattnError, match=f"{name} cannot honour {key}") as err:
            make_selector(name, 2, constraints={key: value})
        assert "\n" not in str(err.value)


# ------------------------------------------------------------ Sequential Attention


def _sa(k=None, seed=0, **constraints):
    return SequentialAttentionSelector(
        k, hidden=(16,), device="cpu", random_state=seed, **constraints
    )


def planted_block(seed, n=600, d=20):
    """y is the sign of x0 + x1 + x2: each of the three is weak alone (correlation ~0.45);
    x3, a noisy copy of their sum, is the best single feature (~0.6)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    total = X[:, 0] + X[:, 1] + X[:, 2]
    y = (total + 0.3 * rng.normal(size=n) > 0).astype(int)
    X[:, 3] = total / np.sqrt(3) + 0.9 * rng.normal(size=n)
    return X, y


def test_planted_block_is_one_pick_with_feature_groups():
    X, y = planted_block(0)
    r = np.abs([np.corrcoef(X[:, j], y)[0, 1] for j in range(4)])
    assert r[3] > r[:3].max()  # per feature, the distractor looks best
    groups = ["kit", "kit", "kit", *[None] * 17]
    blocks = _sa(1, feature_groups=groups).fit(X, y)
    assert blocks.selected_groups_ == ["kit"]
    assert blocks.selected_features_.tolist() == [0, 1, 2]
    assert blocks.ranking_[[0, 1, 2]].tolist() == [1, 1, 1]
    assert blocks.panel_cost_ == 3.0 and blocks.get_support().sum() == 3
    # one history row (the pick), each column showing its block's weight
    row = blocks.attention_history_[0]
    assert blocks.attention_history_.shape == (1, 20) and row[0] == row[1] == row[2] > 0.5
    single = _sa(3).fit(X, y)  # one feature per pick: three picks for the same columns
    assert sorted(single.selected_features_.tolist()) == [0, 1, 2]


def _cheap_and_costly(seed, n=600):
    """Column 0 is the signal with noise 0.3, column 1 with noise 0.45 (nearly as good)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 12))
    signal = rng.normal(size=n)
    X[:, 0] = signal + 0.3 * rng.normal(size=n)
    X[:, 1] = signal + 0.45 * rng.normal(size=n)
    return X, (signal > 0).astype(int)


@pytest.mark.parametrize("method", ["sequential_attention", "anova"])
def test_a_cheap_feature_nearly_as_good_wins_on_cost(method):
    X, y = _cheap_and_costly(0)
    options = {"hidden": (16,), "device": "cpu"} if method == "sequential_attention" else {}
    plain = make_selector(method, 1, options).fit(X, y)
    assert plain.selected_features_.tolist() == [0]  # the better one, costs aside
    for dear, cheap in ((0, 1), (1, 0)):
        costs = np.ones(12)
        costs[dear] = 10.0
        selector = make_selector(
            method, 1, options, constraints={"feature_costs": costs, "budget": 10.0}
        ).fit(X, y)
        assert selector.selected_features_.tolist() == [cheap]
        assert selector.panel_cost_ == 1.0


def test_budget_stops_when_nothing_fits_and_k_caps():
    X, y = _cheap_and_costly(1)
    costs = np.ones(12)
    costs[0] = 2.0
    # The plan allows two picks (the two cheapest cost 2); the signal (2.0) takes the
    # most attention per unit cost, after which nothing fits the 0.5 left.
    sa = _sa(None, feature_costs=costs, budget=2.5).fit(X, y)
    assert sa.selected_features_.tolist() == [0] and sa.panel_cost_ == 2.0
    assert sa.attention_history_.shape == (1, 12)
    schedule = sa.schedule_
    assert len(sa.loss_curve_) == schedule["warmup_steps"] + schedule["steps_per_phase"]
    assert schedule["total_steps"] == schedule["warmup_steps"] + 2 * schedule["steps_per_phase"]
    wide = _sa(None, feature_costs=np.linspace(0.5, 2.0, 12), budget=4.0).fit(X, y)
    assert wide.panel_cost_ <= 4.0 and len(wide.selected_features_) >= 2
    capped = _sa(2, budget=5.0).fit(X, y)
    assert len(capped.selected_features_) == 2 and capped.panel_cost_ == 2.0
    again = _sa(None, feature_costs=costs, budget=2.5).fit(X, y)  # deterministic on CPU
    np.testing.assert_array_equal(again.loss_curve_, sa.loss_curve_)


def test_sequential_attention_constraint_errors_are_one_line():
    X, y = _cheap_and_costly(0)
    cases = [
        ({"budget": 0.5}, "below the cheapest"),
        ({"budget": -1}, "positive finite"),
        ({"feature_costs": [1.0] * 11}, "11 values for 12"),
        ({"feature_groups": ["a"] * 3}, "3 labels for 12"),
        ({"preselected": [0], "budget": 0.5}, "over budget"),
        ({"feature_groups": ["a"] * 12, "pick": "held_out"}, "held_out"),
    ]
    for params, message in cases:
        with pytest.raises(SeqattnError, match=message) as err:
            _sa(1, **params).fit(X, y)
        assert "\n" not in str(err.value)


def test_preselected_block_comes_first_and_counts():
    X, y = planted_block(1, n=300)
    groups = ["kit", "kit", "kit", *[None] * 17]
    sa = _sa(2, feature_groups=groups, preselected=[1]).fit(X, y)
    assert sa.selected_features_[:3].tolist() == [0, 1, 2] and len(sa.selected_features_) == 4
    assert sa.selected_groups_[0] == "kit" and np.isnan(sa.attention_history_[0]).all()


# ------------------------------------------------------------ per-class marker rankings

MARKERS = ["wilcoxon", "t-test", "logreg", "cosg"]


def _marker_problem(seed=3, n=150, d=15):
    """Three classes: the kit (columns 0-2) marks class a, column 3 marks b, 4 marks c."""
    rng = np.random.default_rng(seed)
    y = np.repeat(["a", "b", "c"], n // 3)
    X = rng.normal(size=(n, d))
    X[:, :3] += 1.5 * (y == "a")[:, None]
    X[:, 3] += 2.0 * (y == "b")
    X[:, 4] += 2.0 * (y == "c")
    return X, y


@pytest.mark.parametrize("name", MARKERS)
def test_marker_method_takes_a_planted_block_as_one_pick(name):
    X, y = _marker_problem()
    groups = ["kit", "kit", "kit", *[None] * 12]
    single = _fit_or_skip(name, 3, X, y, None)
    assert len(set(single.selected_features_.tolist()) & {0, 1, 2}) < 3  # one a-turn each
    blocks = _fit_or_skip(name, 2, X, y, {"feature_groups": groups})
    assert blocks.selected_groups_ == ["kit", 3]
    assert blocks.selected_features_.tolist() == [0, 1, 2, 3]
    assert blocks.panel_classes_ == ["a", "a", "a", "b"]
    assert blocks.ranking_[[0, 1, 2, 3]].tolist() == [1, 1, 1, 2]
    assert sorted(blocks.ranking_.tolist()[3:]) == list(range(2, 14))  # blocks rank once
    assert blocks.get_support().sum() == 4 and blocks.panel_cost_ == 4.0
    # A block's score for its class is the best of its columns' scores for that class.
    scores, classes = blocks._score_classes(X, y)
    a = classes.index("a")
    np.testing.assert_allclose(blocks.selection_scores_[:3], scores[a, :3].max())
    np.testing.assert_allclose(blocks.selection_scores_[3], scores[classes.index("b"), 3])


@pytest.mark.parametrize("name", MARKERS)
def test_marker_method_constraints_keep_exclusions_and_the_budget(name):
    X, y = _marker_problem()
    groups = ["kit", "kit", "kit", *[None] * 12]
    plain = _fit_or_skip(name, 4, X[:, 1:], y, None)
    excluded = _fit_or_skip(name, 4, X, y, {"exclude": [0]})  # the same panel, shifted
    assert excluded.selected_features_.tolist() == (plain.selected_features_ + 1).tolist()
    np.testing.assert_array_equal(excluded.selection_scores_, plain.selection_scores_)
    assert excluded.panel_classes_ == plain.panel_classes_
    costs = np.linspace(0.5, 3.0, 15)
    constraints = {"feature_groups": groups, "exclude": [1], "feature_costs": costs}
    kit = _fit_or_skip(name, 2, X, y, constraints)
    assert kit.selected_groups_[0] == "kit" and kit.selected_features_[:2].tolist() == [0, 2]
    budget = _fit_or_skip(name, None, X, y, {**constraints, "budget": 6.0})
    order = budget.selected_features_.tolist()
    assert 1 not in order and budget.ranking_[1] == 14 and budget.panel_cost_ <= 6.0
    assert np.isclose(budget.panel_cost_, costs[order].sum())
    left = 6.0 - budget.panel_cost_  # it stops only when no other block fits
    rest = [j for j in range(3, 15) if j not in order]
    assert min([costs[[0, 2]].sum() if 0 not in order else np.inf, *costs[rest]]) > left
    assert len(budget.panel_classes_) == len(order)
    capped = _fit_or_skip(name, 2, X, y, {**constraints, "budget": 6.0})
    assert capped.selected_groups_ == budget.selected_groups_[:2]  # k caps, prefix kept


def _planted_class_scores(monkeypatch, scores):
    from seqattn.methods.markers import WilcoxonMarkers

    monkeypatch.setattr(WilcoxonMarkers, "_class_scores", lambda self, adata, n: scores)


def test_marker_blocks_and_budget_follow_the_round_robin_rules(monkeypatch):
    # classes a, b; blocks g = {0, 1}, h = {2, 3}, then columns 4 and 5 alone
    scores = np.array([[1.0, 5.0, 4.0, 0.0, 3.0, 2.0], [0.0, 1.0, 2.0, 6.0, 7.0, -1.0]])
    _planted_class_scores(monkeypatch, scores)
    X = np.random.default_rng(0).normal(size=(20, 6))
    y = np.repeat(["a", "b"], 10)
    groups = ["g", "g", "h", "h", None, None]

    def fit(k, options=None, **constraints):
        return make_selector("wilcoxon", k, options or {}, constraints=constraints).fit(X, y)

    per_feature = fit(3)
    assert per_feature.selected_features_.tolist() == [1, 4, 2]
    blocks = fit(3, feature_groups=groups)  # a: g (5), b: column 4 (7), a: h (4)
    assert blocks.selected_features_.tolist() == [0, 1, 4, 2, 3]
    assert blocks.selection_scores_.tolist() == [5.0, 5.0, 7.0, 4.0, 4.0]  # max member
    assert blocks.panel_classes_ == ["a", "a", "b", "a", "a"]
    assert blocks.ranking_.tolist() == [1, 1, 3, 3, 2, 4]
    # b's best block h was taken by a: b takes its next one, not h again
    assert fit(4, feature_groups=groups).selected_groups_ == ["g", 4, "h", 5]

    flipped = scores.copy()
    flipped[0, 0] = -9.0  # |score| ranks g first for a; the column's own statistic is kept
    _planted_class_scores(monkeypatch, flipped)
    by_abs = fit(1, {"rankby_abs": True}, feature_groups=groups)
    assert by_abs.selected_groups_ == ["g"] and by_abs.selection_scores_.tolist() == [-9, -9]
    _planted_class_scores(monkeypatch, scores)

    # Budget: blocks cost g 2, h 2, column 4 4, column 5 1. Score per cost, a: g 2.5, h 2,
    # 5 2, 4 0.75; b: h 3, 4 1.75, g 0.5, 5 -1 (a score <= 0 times its cost).
    costs = [1.0, 1.0, 1.0, 1.0, 4.0, 1.0]
    spent = fit(None, feature_groups=groups, feature_costs=costs, budget=5.0)
    assert spent.selected_groups_ == ["g", "h", 5]  # b's 4 (its best) is too dear per unit
    assert spent.panel_classes_ == ["a", "a", "b", "b", "a"] and spent.panel_cost_ == 5.0
    capped = fit(2, feature_groups=groups, feature_costs=costs, budget=5.0)
    assert capped.selected_groups_ == ["g", "h"]
    tight = fit(None, feature_groups=groups, feature_costs=costs, budget=1.5)
    assert tight.selected_groups_ == [5] and tight.panel_cost_ == 1.0  # then nothing fits
    # Preselected: first; the class whose turn reaches it spends that turn on it.
    forced = fit(3, feature_groups=groups, preselected=[4])
    assert forced.selected_groups_ == [4, "g", "h"]  # a: g, b: 4 (forced), a: h
    assert forced.panel_classes_[:1] == ["b"] and len(forced.panel_classes_) == 5
    with pytest.raises(SeqattnError, match="below the cheapest"):
        fit(None, feature_costs=costs, budget=0.5)
