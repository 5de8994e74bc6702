"""The method registry, the selector contract every method meets, and the univariate
baselines (random, variance, anova, mutual_info)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _synthetic import FAST_OPTIONS

from seqattn._errors import SeqattnError
from seqattn.methods import (
    CONSTRAINT_PARAMETERS,
    PanelSelector,
    available_methods,
    get_method,
    make_selector,
    method_parameters,
    ranking_to_panel,
)

PLANTED = {3, 17, 29}


def planted_problem(n: int = 200, d: int = 40, seed: int = 0):
    """Three classes with string labels; feature 3/17/29 is shifted up by 2 sd in class
    a/b/c, every other feature is noise."""
    rng = np.random.default_rng(seed)
    codes = np.arange(n) % 3
    rng.shuffle(codes)
    X = rng.normal(size=(n, d))
    for c, j in enumerate(sorted(PLANTED)):
        X[:, j] += 2.0 * (codes == c)
    return X, np.array(["a", "b", "c"])[codes]


def test_unknown_method_lists_the_known_ones():
    with pytest.raises(SeqattnError) as err:
        get_method("no_such_method")
    message = str(err.value)
    assert "no_such_method" in message
    for name in ("random", "anova", "wilcoxon", "t-test", "mrmr", "forward_greedy", "stg"):
        assert name in message


def test_registry_holds_the_required_peers():
    required = {
        "random", "variance", "anova", "mutual_info", "wilcoxon", "t-test", "logreg",
        "cosg", "l1_logistic", "mrmr", "lassonet", "forward_greedy", "stg", "concrete",
    }  # fmt: skip
    assert required <= set(available_methods())


@pytest.mark.parametrize("name", ["random", "variance", "anova", "mutual_info"])
def test_unknown_option_is_a_seqattn_error(name):
    with pytest.raises(SeqattnError, match="unknown option"):
        make_selector(name, 3, {"not_an_option": 1})


def test_registry_gives_classes_and_their_options():
    assert get_method("anova").name == "anova"
    assert issubclass(get_method("mutual_info"), PanelSelector)
    assert method_parameters("mutual_info") == {"n_neighbors": 3}
    assert method_parameters("anova") == {}
    with pytest.raises(SeqattnError, match="not an option"):
        make_selector("anova", 3, {"random_state": 1})
    with pytest.raises(SeqattnError, match=r"unknown option.*its options are n_neighbors"):
        make_selector("mutual_info", 3, {"neighbours": 5})


def test_random_is_seeded():
    X, y = planted_problem()
    a, b, c = (
        make_selector("random", 10, random_state=seed).fit(X, y).selected_features_
        for seed in (7, 7, 8)
    )
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("name", ["variance", "anova", "mutual_info"])
def test_univariate_recovers_planted_features(name):
    X, y = planted_problem()
    selector = make_selector(name, 3).fit(X, y)
    assert set(selector.selected_features_.tolist()) == PLANTED
    assert np.all(np.diff(selector.selection_scores_) <= 0)
    # the ranking goes on past the panel, by the same score
    assert sorted(selector.ranking_.tolist()) == list(range(1, 41))
    assert set(np.flatnonzero(selector.ranking_ <= 3).tolist()) == PLANTED


@pytest.mark.parametrize("k", [0, 41])
def test_k_out_of_range_is_refused(k):
    X, y = planted_problem()
    with pytest.raises(SeqattnError, match="n_features_to_select"):
        get_method("anova")(k).fit(X, y)
    if k == 0:  # known before any data is seen
        with pytest.raises(SeqattnError, match="n_features_to_select"):
            make_selector("anova", k)


def test_ranking_to_panel_breaks_ties_by_column():
    order, scores = ranking_to_panel(np.array([1.0, 3.0, 3.0, np.nan]), 3)
    assert order.tolist() == [1, 2, 0]
    assert scores.tolist() == [3.0, 3.0, 1.0]


# ------------------------------------------------- the selector contract, every method


@pytest.fixture(scope="module")
def small_problem():
    rng = np.random.default_rng(5)
    y = np.repeat(["a", "b", "c"], 30)
    X = rng.normal(size=(90, 12))
    for j, c in enumerate("abc"):
        X[:, 2 * j] += 2.0 * (y == c)
    return X, y


@pytest.mark.parametrize("name", available_methods())
def test_every_method_is_a_scikit_learn_selector(name, small_problem):
    """A light check_estimator: clone, get/set_params, fit returns self, ordered
    selected_features_, a ranking that puts them first, get_support and transform."""
    import torch
    from sklearn.base import clone

    torch.set_num_threads(1)
    X, y = small_problem
    cls = get_method(name)
    assert cls.name == name and isinstance(cls.ordered, bool)
    options = FAST_OPTIONS.get(name, {})
    selector = make_selector(name, 4, options, random_state=3)
    assert isinstance(selector, cls)
    params = selector.get_params()
    assert params["n_features_to_select"] == 4 and params["random_state"] == 3
    assert set(method_parameters(name)) == (
        set(params) - {"n_features_to_select", "random_state"} - set(CONSTRAINT_PARAMETERS)
    )
    twin = clone(selector)
    assert twin.get_params() == params and twin is not selector
    assert selector.set_params(n_features_to_select=3) is selector
    assert selector.fit(X, y) is selector
    order = selector.selected_features_
    assert order.dtype.kind == "i" and len(order) == 3 and len(set(order.tolist())) == 3
    assert selector.selection_scores_.shape == (3,)
    assert sorted(selector.ranking_.tolist()) == list(range(1, 13))
    np.testing.assert_array_equal(selector.ranking_[order], [1, 2, 3])  # ordered, best first
    assert selector.n_features_in_ == 12
    support = selector.get_support()
    assert support.dtype == bool and set(np.flatnonzero(support).tolist()) == set(order.tolist())
    np.testing.assert_array_equal(selector.transform(X), X[:, np.sort(order)])
    # the same seed gives the same panel from an unfitted clone
    again = clone(selector).fit(X, y)
    np.testing.assert_array_equal(again.selected_features_, order)
    assert not hasattr(clone(selector), "selected_features_")


@pytest.mark.parametrize("name", ["random", "variance", "anova"])
def test_ranking_methods_pass_scikit_learns_check_estimator(name):
    from sklearn.utils.estimator_checks import check_estimator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SkipTestWarning for array-API checks
        check_estimator(make_selector(name, 1))
