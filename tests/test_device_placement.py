"""Every tensor of a fit sits on the fit's device: the GPU path's structure, checked on CPU.

CI has no GPU, and the engine runs the same code on every device, so what the CPU tests
cannot show is a tensor on the wrong device: one made without a device (it follows
torch's default device) or one made on the host and mixed with device tensors. Both fail
only on a GPU machine. Two checks catch them here:

* a CPU fit inside ``with torch.device("meta")`` (torch's default device set to a device
  that holds no data): any tensor left to the default breaks the fit, and the selection
  must equal the plain fit's, bit for bit;
* one training step with every tensor on ``"meta"``: a host tensor mixed into the step
  raises torch's device-mismatch error, as it would on CUDA (one gap: meta lets an
  in-place op take a one-element host tensor, which CUDA refuses).

``tests/test_core_cuda.py`` runs the real thing where a GPU is present.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from test_core import redundant_problem

from seqattn.core import SequentialAttentionSelector, sequential_attention
from seqattn.core.backprop import PhaseMask, train_step
from seqattn.core.data import FeatureSource, encode_targets
from seqattn.core.network import AttentionEnsemble
from seqattn.core.optim import SharedScaleAdam
from seqattn.core.training import _hold_norms
from seqattn.methods import make_selector

FITS = {
    "default": {},
    "single network": {"n_restarts": 1},
    "held norms": {"hold_candidate_norms": True},
    "preselected": {"preselected": [5]},
    "unweighted loss": {"class_weight": None},
    "sparse input": {"sparse": True},
}


@pytest.mark.parametrize("options", FITS.values(), ids=FITS.keys())
def test_fit_names_the_device_of_every_tensor(options):
    options = dict(options)
    X, y, _ = redundant_problem(0, n=200)
    if options.pop("sparse", False):
        X = sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0.0))

    def fit():
        return sequential_attention(
            X, y, 3, hidden=(8,), epochs=20, device="cpu", random_state=0, **options
        )

    expected = fit()
    with torch.device("meta"):
        got = fit()
    assert got.order.tolist() == expected.order.tolist()
    np.testing.assert_array_equal(got.attention_history, expected.attention_history)
    np.testing.assert_array_equal(got.loss_curve, expected.loss_curve)


def test_linear_regression_fit_names_the_device_of_every_tensor():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 15))
    y = X[:, 3] - 0.5 * X[:, 7] + 0.1 * rng.normal(size=120)
    expected = sequential_attention(X, y, 2, model="linear", device="cpu", random_state=0)
    with torch.device("meta"):
        got = sequential_attention(X, y, 2, model="linear", device="cpu", random_state=0)
    assert got.order.tolist() == expected.order.tolist() == [3, 7]


def test_selector_names_the_device_of_every_tensor():
    X, y, _ = redundant_problem(1, n=200)
    selector = SequentialAttentionSelector(
        n_features_to_select=3, hidden=(8,), epochs=20, device="cpu", random_state=0
    )
    expected = selector.fit(X, y).transform(X)
    with torch.device("meta"):
        got = selector.fit(X, y).transform(X)
    np.testing.assert_array_equal(got, expected)


CONSTRAINED = {
    "feature_groups": {"feature_groups": ["kit"] * 3 + [None] * 17},
    "budget": {"feature_costs": np.linspace(0.5, 2.0, 20), "budget": 3.0},
}


@pytest.mark.parametrize("constraints", CONSTRAINED.values(), ids=CONSTRAINED.keys())
def test_constrained_selector_names_the_device_of_every_tensor(constraints):
    X, y, _ = redundant_problem(3, n=200)

    def fit():
        return SequentialAttentionSelector(
            n_features_to_select=2,
            hidden=(8,),
            epochs=20,
            device="cpu",
            random_state=0,
            **constraints,
        ).fit(X, y)

    expected = fit()
    with torch.device("meta"):
        got = fit()
    np.testing.assert_array_equal(got.selected_features_, expected.selected_features_)
    np.testing.assert_array_equal(got.attention_history_, expected.attention_history_)
    np.testing.assert_array_equal(got.loss_curve_, expected.loss_curve_)
    assert got.panel_cost_ == expected.panel_cost_


# lassonet is left out: the lassonet package builds its own modules on the default device.
@pytest.mark.parametrize("name", ["concrete", "stg"])
def test_torch_peers_name_the_device_of_every_tensor(name):
    X, y, _ = redundant_problem(2, n=150)
    selector = make_selector(name, 3, random_state=0)
    expected = selector.fit(X, y)
    expected_order, expected_scores = expected.selected_features_, expected.selection_scores_
    with torch.device("meta"):
        got = make_selector(name, 3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(got.selected_features_, expected_order)
    np.testing.assert_array_equal(got.selection_scores_, expected_scores)


@pytest.mark.parametrize(
    ("task", "class_weight"),
    [("classification", "balanced"), ("classification", None), ("regression", None)],
)
def test_training_step_keeps_every_tensor_on_the_device(task, class_weight):
    dev = torch.device("meta")
    n, d, restarts = 40, 12, 3
    rng = np.random.default_rng(0)
    source = FeatureSource(rng.normal(size=(n, d)), dev)
    y = rng.integers(0, 3, n) if task == "classification" else rng.normal(size=n)
    targets = encode_targets(y, n, task, class_weight, dev)
    generator = torch.Generator().manual_seed(0)
    net = AttentionEnsemble(d, targets.n_outputs, (8, 4), restarts, generator).to(dev)
    # As the training loop draws them: on the host from the seed, then moved.
    row_weight = torch.empty(restarts, n, device="cpu").exponential_(generator=generator)
    row_weight = row_weight.to(dev)
    index = torch.randperm(n, device=dev)[:16]
    selected = torch.zeros(d, dtype=torch.bool, device=dev)
    selected[torch.as_tensor([2, 5], device=dev)] = True

    for phase in (None, PhaseMask.build(selected, source.inv_sd)):
        for weights in (None, row_weight[:, index]):
            net.zero_grad(set_to_none=True)
            x = source.batch(index)
            loss = train_step(net, x, targets.values[index], targets, source.inv_sd, phase, weights)
            assert loss.device == dev and loss.shape == ()
            for name, p in net.named_parameters():
                if name == "logits" and phase is None:
                    assert p.grad is None  # the warm-up does not train the logits
                else:
                    assert p.grad.device == dev and p.grad.shape == p.shape, name
    SharedScaleAdam([net.logits]).step()
    norms = net.first_weight.norm(dim=-1, keepdim=True)
    _hold_norms(net.first_weight, norms, (~selected).view(d, 1, 1))
    assert net.attention(selected).device == dev
