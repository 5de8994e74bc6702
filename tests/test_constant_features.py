"""Zero-variance features never enter a panel, in any method (issue #25, point 6).

A constant column carries no information about the classes; before this check an
all-constant X returned a panel with scores, and a method could pick a constant column
ahead of varying ones. Every registered selector now leaves constant columns out (ranked
last, counted in ``n_constant_features_``, one warning) and refuses an all-constant X.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _synthetic import FAST_OPTIONS

from seqattn._errors import SeqattnError
from seqattn.methods import available_methods, make_selector

CONSTANT = [1, 4, 7]  # columns set to a constant


def _problem():
    rng = np.random.default_rng(1)
    y = np.repeat(["a", "b", "c"], 30)
    X = rng.normal(size=(90, 9))
    for j, c in zip((0, 2, 5), "abc", strict=True):
        X[:, j] += 2.0 * (y == c)
    X[:, CONSTANT] = [3.0, 0.0, -1.5]
    return X, y


@pytest.fixture(autouse=True)
def _one_thread():
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("name", available_methods())
def test_constant_columns_never_enter_the_panel(name):
    X, y = _problem()
    varying = sorted(set(range(9)) - set(CONSTANT))
    # k = every varying column: a method that picks a constant one must drop a varying one
    selector = make_selector(name, len(varying), FAST_OPTIONS.get(name, {}), random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        selector.fit(X, y)
    assert sorted(selector.selected_features_.tolist()) == varying
    assert sorted(selector.ranking_[CONSTANT].tolist()) == [7, 8, 9]  # ranked last
    assert selector.n_constant_features_ == len(CONSTANT)
    assert selector.n_features_in_ == 9 and selector.get_support().sum() == len(varying)
    said = [w for w in caught if "constant" in str(w.message)]
    assert len(said) == 1 and "3 of 9 features" in str(said[0].message)
    history = getattr(selector, "attention_history_", None)
    if history is not None:
        assert history.shape[1] == 9 and np.isnan(history[:, CONSTANT]).all()


@pytest.mark.parametrize("name", available_methods())
def test_all_constant_x_is_refused_in_one_line(name):
    X = np.full((40, 5), 2.0)
    y = np.repeat(["a", "b"], 20)
    selector = make_selector(name, 2, FAST_OPTIONS.get(name, {}), random_state=0)
    with pytest.raises(SeqattnError, match="every feature of X is constant") as info:
        selector.fit(X, y)
    assert "\n" not in str(info.value)


def test_more_features_asked_than_vary_is_one_line():
    X, y = _problem()
    with pytest.warns(UserWarning, match="constant"):
        with pytest.raises(SeqattnError, match="only 6 of 9 features vary"):
            make_selector("anova", 7).fit(X, y)


def test_no_constant_column_means_no_warning_and_a_zero_count():
    X, y = _problem()
    X[:, CONSTANT] = np.random.default_rng(2).normal(size=(90, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        selector = make_selector("anova", 3).fit(X, y)
    assert selector.n_constant_features_ == 0
