"""The registry face of Sequential Attention (seqattn.methods)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

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


def test_registered_ordered_and_keeps_its_records():
    assert "sequential_attention" in available_methods()
    cls = get_method("sequential_attention")
    assert issubclass(cls, SequentialAttentionSelector) and cls.ordered is True
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 9)).astype(np.float32)
    y = np.where(X[:, 2] + X[:, 6] > 0, "a", "b")
    selector = make_selector(
        "sequential_attention", 3, {"hidden": (8,)}, random_state=1, device="cpu"
    ).fit(X, y)
    order, scores = selector.selected_features_, selector.selection_scores_
    assert set(order[:2].tolist()) == {2, 6}
    assert scores.shape == (3,) and np.all(scores > 0)
    assert selector.attention_history_.shape == (3, 9)
    assert selector.loss_curve_.ndim == 1
    assert selector.device_ == "cpu"
    # the registry's class fits exactly what the core selector fits
    core = SequentialAttentionSelector(3, hidden=(8,), device="cpu", random_state=1).fit(X, y)
    np.testing.assert_array_equal(order, core.selected_features_)
    np.testing.assert_array_equal(scores, core.selection_scores_)


def test_options_are_the_selectors_parameters_and_unknown_ones_fail():
    params = set(SequentialAttentionSelector().get_params())
    # the panel size, the seed and the panel constraints are given apart, not as options
    apart = {"n_features_to_select", "random_state", *CONSTRAINT_PARAMETERS}
    assert set(method_parameters("sequential_attention")) == params - apart
    with pytest.raises(SeqattnError, match=r"unknown option.*n_hidden; its options are"):
        make_selector("sequential_attention", 3, {"n_hidden": 3})
    with pytest.raises(SeqattnError, match="random_state is not an option"):
        make_selector("sequential_attention", 3, {"random_state": 3})


def test_device_goes_only_where_the_options_leave_it():
    assert make_selector("sequential_attention", 2, device="cuda").device == "cuda"
    chosen = make_selector("sequential_attention", 2, {"device": "cpu"}, device="cuda")
    assert chosen.device == "cpu"
    assert "device" not in make_selector("anova", 2, device="cuda").get_params()
