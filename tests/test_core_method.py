"""The registry face of Sequential Attention (seqattn.methods)."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

from seqattn._errors import SeqattnError
from seqattn.core import SequentialAttentionSelector
from seqattn.methods import available_methods, get_method
from seqattn.methods.sequential_attention import OPTIONS, SequentialAttentionMethod

torch.set_num_threads(1)


def test_registered_ordered_and_fills_info():
    assert "sequential_attention" in available_methods()
    assert SequentialAttentionMethod.ordered is True
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 9)).astype(np.float32)
    y = np.where(X[:, 2] + X[:, 6] > 0, "a", "b")
    method = get_method("sequential_attention", hidden=(8,), device="cpu")
    order, scores = method.select(X, y, 3, random_state=1)
    assert set(order[:2].tolist()) == {2, 6}
    assert scores.shape == (3,) and np.all(scores > 0)
    assert method.info_["attention_history"].shape == (3, 9)
    assert method.info_["loss_curve"].ndim == 1
    assert method.info_["device"] == "cpu"
    again, _ = get_method("sequential_attention", hidden=(8,), device="cpu").select(
        X, y, 3, random_state=1
    )
    np.testing.assert_array_equal(order, again)


def test_options_are_the_selectors_and_unknown_ones_fail():
    params = set(inspect.signature(SequentialAttentionSelector).parameters)
    assert set(OPTIONS) == params - {"n_features_to_select", "random_state"}
    with pytest.raises(SeqattnError, match="bad option"):
        get_method("sequential_attention", n_hidden=3)
    with pytest.raises(SeqattnError, match="bad option"):
        get_method("sequential_attention", random_state=3)
