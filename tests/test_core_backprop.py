"""The hand-written training step gives autograd's loss and gradients."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from seqattn.core.backprop import PhaseMask, autograd_loss, multipliers, train_step
from seqattn.core.data import encode_targets
from seqattn.core.network import AttentionEnsemble

CASES = [
    ("classification", (8,), 1, "balanced"),
    ("classification", (8, 4), 3, None),
    ("classification", (), 2, "balanced"),
    ("regression", (8,), 2, None),
    ("regression", (), 1, None),
]


def assert_step_matches_autograd(
    net, x, targets, inv_sd, phase, row_weight=None, rtol=1e-4, atol=1e-6
) -> None:
    """train_step's loss and gradients equal autograd's (the loss to rtol / 10)."""
    expected_loss = autograd_loss(net, x, targets.values, targets, inv_sd, phase, row_weight)
    expected_loss.backward()
    expected = {name: p.grad for name, p in net.named_parameters()}
    net.zero_grad(set_to_none=True)

    loss = train_step(net, x, targets.values, targets, inv_sd, phase, row_weight)

    torch.testing.assert_close(loss, expected_loss.detach(), rtol=rtol / 10, atol=atol)
    for name, p in net.named_parameters():
        if expected[name] is None:  # the logits in the warm-up: not trained, not touched
            assert p.grad is None, name
        else:
            torch.testing.assert_close(p.grad, expected[name], rtol=rtol, atol=atol)


@pytest.mark.parametrize(("task", "hidden", "restarts", "class_weight"), CASES)
@pytest.mark.parametrize("in_phase", [False, True])
@pytest.mark.parametrize("bootstrap", [False, True])
def test_train_step_matches_autograd(task, hidden, restarts, class_weight, in_phase, bootstrap):
    n, d = 40, 12
    rng = np.random.default_rng(0)
    x = torch.as_tensor(rng.normal(size=(n, d)), dtype=torch.float32)
    y = rng.integers(0, 3, n) if task == "classification" else rng.normal(size=n)
    targets = encode_targets(y, n, task, class_weight, torch.device("cpu"))
    net = AttentionEnsemble(
        d, targets.n_outputs, hidden, restarts, torch.Generator().manual_seed(1)
    )
    with torch.no_grad():
        net.logits.normal_()  # not uniform, so the softmax backward is exercised
    selected = torch.zeros(d, dtype=torch.bool)
    selected[[2, 5]] = True
    inv_sd = torch.as_tensor(rng.uniform(0.5, 1.5, d), dtype=torch.float32)
    phase = PhaseMask.build(selected, inv_sd) if in_phase else None
    # Bootstrap weights of the rows per restart (Exp(1), as the training loop draws them).
    row_weight = (
        torch.empty(restarts, n).exponential_(generator=torch.Generator().manual_seed(2))
        if bootstrap
        else None
    )

    assert_step_matches_autograd(net, x, targets, inv_sd, phase, row_weight)
    if in_phase:
        # Selected features take no attention, so their logits get no gradient.
        assert torch.all(net.logits.grad[:, selected] == 0)


def test_hold_norms_rescales_only_candidate_rows():
    from seqattn.core.training import _hold_norms

    gen = torch.Generator().manual_seed(0)
    weight = torch.randn((6, 2, 5), generator=gen)
    before = weight.clone()
    norms = torch.rand((6, 2, 1), generator=gen) + 0.5
    rows = torch.tensor([True, False, True, False, False, True]).view(6, 1, 1)

    _hold_norms(weight, norms, rows)

    got = weight.norm(dim=-1, keepdim=True)
    torch.testing.assert_close(got[rows.view(-1)], norms[rows.view(-1)])
    torch.testing.assert_close(weight[~rows.view(-1)], before[~rows.view(-1)])
    # Directions are kept: each row is a positive multiple of what it was.
    cos = torch.nn.functional.cosine_similarity(weight, before, dim=-1)
    torch.testing.assert_close(cos, torch.ones_like(cos))


@pytest.mark.parametrize(
    ("task", "class_weight"), [("classification", "balanced"), ("regression", None)]
)
def test_unit_row_weights_give_the_unweighted_loss(task, class_weight):
    n, d, restarts = 30, 6, 2
    rng = np.random.default_rng(3)
    x = torch.as_tensor(rng.normal(size=(n, d)), dtype=torch.float32)
    y = rng.integers(0, 3, n) if task == "classification" else rng.normal(size=n)
    targets = encode_targets(y, n, task, class_weight, torch.device("cpu"))
    net = AttentionEnsemble(d, targets.n_outputs, (5,), restarts, torch.Generator().manual_seed(1))
    inv_sd = torch.ones(d)
    plain = train_step(net, x, targets.values, targets, inv_sd, None)
    grad = net.first_weight.grad.clone()
    ones = train_step(net, x, targets.values, targets, inv_sd, None, torch.ones(restarts, n))
    torch.testing.assert_close(ones, plain)
    torch.testing.assert_close(net.first_weight.grad, grad)
    # Doubling one restart's weights everywhere changes nothing (weights are normalised);
    # zeroing a row removes it from that restart's loss.
    weights = torch.ones(restarts, n)
    weights[0] = 2.0
    torch.testing.assert_close(
        train_step(net, x, targets.values, targets, inv_sd, None, weights), plain
    )
    weights = torch.ones(restarts, n)
    weights[:, 0] = 0.0
    dropped = train_step(net, x, targets.values, targets, inv_sd, None, weights)
    assert not torch.allclose(dropped, plain)
    rest = train_step(net, x[1:], targets.values[1:], targets, inv_sd, None)
    torch.testing.assert_close(dropped, rest)


@pytest.mark.parametrize(("task", "hidden", "restarts", "class_weight"), CASES[:2] + CASES[3:4])
@pytest.mark.parametrize("bootstrap", [False, True])
def test_block_attention_step_matches_autograd(task, hidden, restarts, class_weight, bootstrap):
    """One logit per block: each column takes its block's weight, the logits' gradient
    sums over a block's columns; a selected block gets none."""
    n, d = 40, 12
    block = torch.tensor([0, 0, 1, 1, 1, 2, 3, 4, 4, 5, 6, 7])
    rng = np.random.default_rng(4)
    x = torch.as_tensor(rng.normal(size=(n, d)), dtype=torch.float32)
    y = rng.integers(0, 3, n) if task == "classification" else rng.normal(size=n)
    targets = encode_targets(y, n, task, class_weight, torch.device("cpu"))
    net = AttentionEnsemble(
        d, targets.n_outputs, hidden, restarts, torch.Generator().manual_seed(1), n_blocks=8
    )
    with torch.no_grad():
        net.logits.normal_()
    closed = torch.zeros(d, dtype=torch.bool)
    closed[[2, 3, 4]] = True  # block 1 is selected
    block_closed = torch.zeros(8, dtype=torch.bool)
    block_closed[1] = True
    inv_sd = torch.as_tensor(rng.uniform(0.5, 1.5, d), dtype=torch.float32)
    phase = PhaseMask.build_blocks(closed, inv_sd, block, block_closed)
    row_weight = (
        torch.empty(restarts, n).exponential_(generator=torch.Generator().manual_seed(2))
        if bootstrap
        else None
    )
    assert_step_matches_autograd(net, x, targets, inv_sd, phase, row_weight)
    assert torch.all(net.logits.grad[:, 1] == 0)
    # The rule: at uniform attention the candidate columns together carry the input energy
    # of one feature (sum of squared multipliers 1), whatever the blocks' sizes; a block
    # of two and a block of one carry the same energy.
    with torch.no_grad():
        net.logits.zero_()
    weight = (multipliers(net, phase)[0] / inv_sd)[~closed]
    torch.testing.assert_close(weight.square().sum(), torch.tensor(1.0))
    energy = torch.zeros(8).index_add_(0, block[~closed], weight.square())
    torch.testing.assert_close(energy[0], energy[2])
