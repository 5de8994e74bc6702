"""The method registry and the univariate baselines (random, variance, anova, mutual_info)."""

from __future__ import annotations

import numpy as np
import pytest

from seqattn._errors import SeqattnError
from seqattn.methods import available_methods, get_method, ranking_to_panel

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
    with pytest.raises(SeqattnError, match="bad option"):
        get_method(name, not_an_option=1)


def test_random_is_seeded():
    X, y = planted_problem()
    method = get_method("random")
    a, _ = method.select(X, y, 10, random_state=7)
    b, _ = method.select(X, y, 10, random_state=7)
    c, _ = method.select(X, y, 10, random_state=8)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("name", ["variance", "anova", "mutual_info"])
def test_univariate_recovers_planted_features(name):
    X, y = planted_problem()
    order, scores = get_method(name).select(X, y, 3)
    assert set(order.tolist()) == PLANTED
    assert np.all(np.diff(scores) <= 0)


@pytest.mark.parametrize("k", [0, 41])
def test_k_out_of_range_is_refused(k):
    X, y = planted_problem()
    with pytest.raises(SeqattnError, match="between 1 and n_features"):
        get_method("anova").select(X, y, k)


def test_ranking_to_panel_breaks_ties_by_column():
    order, scores = ranking_to_panel(np.array([1.0, 3.0, 3.0, np.nan]), 3)
    assert order.tolist() == [1, 2, 0]
    assert scores.tolist() == [3.0, 3.0, 1.0]
