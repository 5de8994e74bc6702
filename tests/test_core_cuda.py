"""The Sequential Attention engine on a CUDA GPU (skipped where there is none).

CI has no GPU, so these run only on a machine with one (``bench/gpu_check.sh`` runs them
together with the GPU benchmark). The engine runs the same code on every device; these
tests check that the CUDA path gives the same selections as the CPU path's tests demand,
that every input type is accepted there, and that a sparse matrix stays on the host.

``SEQATTN_TEST_DEVICE=cpu`` runs the same tests on the CPU (to check the tests
themselves on a machine without a GPU).
"""

from __future__ import annotations

import os

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from test_core import anova_top, omp_overlaps, redundant_problem, suppressor_problem
from test_core_backprop import assert_step_matches_autograd

from seqattn.core import SequentialAttentionSelector, sequential_attention
from seqattn.core.backprop import PhaseMask
from seqattn.core.data import encode_targets
from seqattn.core.network import AttentionEnsemble

DEVICE = os.environ.get("SEQATTN_TEST_DEVICE", "cuda")

pytestmark = pytest.mark.skipif(
    DEVICE.startswith("cuda") and not torch.cuda.is_available(),
    reason="CUDA is not available on this machine",
)


def _fit(X, y, k, seed, **kwargs):
    return sequential_attention(X, y, k, hidden=(16,), device=DEVICE, random_state=seed, **kwargs)


def test_train_step_matches_autograd_on_device():
    n, d = 64, 30
    dev = torch.device(DEVICE)
    rng = np.random.default_rng(0)
    x = torch.as_tensor(rng.normal(size=(n, d)), dtype=torch.float32, device=dev)
    targets = encode_targets(rng.integers(0, 4, n), n, "classification", "balanced", dev)
    net = AttentionEnsemble(d, 4, (8, 4), 2, torch.Generator().manual_seed(1)).to(dev)
    with torch.no_grad():
        net.logits.normal_()
    selected = torch.zeros(d, dtype=torch.bool, device=dev)
    selected[[3, 7]] = True
    inv_sd = torch.full((d,), 0.8, device=dev)
    phase = PhaseMask.build(selected, inv_sd)
    assert_step_matches_autograd(net, x, targets, inv_sd, phase, rtol=1e-3, atol=1e-5)
    net.zero_grad(set_to_none=True)
    row_weight = torch.rand((2, n), generator=torch.Generator().manual_seed(2)).to(dev)
    assert_step_matches_autograd(net, x, targets, inv_sd, phase, row_weight, 1e-3, 1e-5)


def test_bootstrap_ensemble_on_device():
    X, y, independent = redundant_problem(1)
    result = _fit(X, y, 3, 1, n_restarts=4, bootstrap=True)
    assert result.device.startswith(DEVICE.split(":")[0])
    assert independent <= set(result.order.tolist())


def test_redundant_copies_and_suppressor_pair_on_device():
    redundant_hits = suppressor_hits = 0
    for seed in range(5):
        X, y, independent = redundant_problem(seed)
        result = _fit(X, y, 3, seed)
        assert result.device.startswith(DEVICE.split(":")[0])
        redundant_hits += independent <= set(result.order.tolist())
        X, y, pair = suppressor_problem(seed)
        suppressor_hits += set(_fit(X, y, 2, seed).order.tolist()) == pair
        assert anova_top(X, y, 2) != pair
    assert redundant_hits >= 4
    assert suppressor_hits >= 4


def test_linear_variant_agrees_with_omp_on_device():
    assert np.mean(omp_overlaps(DEVICE)) >= 0.9


def test_planted_pair_found_among_20000_features_on_device():
    rng = np.random.default_rng(1)
    n, d = 300, 20_000
    X = rng.normal(size=(n, d)).astype(np.float32)
    informative = rng.choice(d, 2, replace=False)
    y = (X[:, informative[0]] + X[:, informative[1]] > 0).astype(int)
    result = _fit(X, y, 2, 0, epochs=80)
    assert set(result.order.tolist()) == set(informative.tolist())


def test_every_input_type_gives_the_same_order_on_device():
    X, y, _ = redundant_problem(0, n=200, d=15)
    X[np.abs(X) < 0.7] = 0.0
    kwargs = {"hidden": (8,), "epochs": 30, "device": DEVICE, "random_state": 3}
    first = sequential_attention(X, y, 4, **kwargs)
    again = sequential_attention(X, y, 4, **kwargs)
    sparse = sequential_attention(sp.csr_matrix(X), y, 4, **kwargs)
    host_tensor = sequential_attention(torch.as_tensor(X), y, 4, **kwargs)
    device_tensor = sequential_attention(torch.as_tensor(X, device=DEVICE), y, 4, **kwargs)
    for other in (again, sparse, host_tensor, device_tensor):
        np.testing.assert_array_equal(first.order, other.order)
    np.testing.assert_allclose(first.scores, sparse.scores, rtol=1e-3)
    assert np.isfinite(first.loss_curve).all()


def test_sparse_input_is_never_densified_on_device():
    if not DEVICE.startswith("cuda"):
        pytest.skip("device memory is measured on CUDA only")
    n, d = 20_000, 5_000
    X = sp.random(n, d, density=0.01, format="csr", dtype=np.float32, random_state=0)
    y = np.asarray(X[:, :3].sum(axis=1)).ravel() > 0.01
    torch.cuda.synchronize()
    torch.cuda.reset_peak_memory_stats()
    before = torch.cuda.memory_allocated()
    result = sequential_attention(X, y, 3, hidden=(16,), epochs=5, device=DEVICE)
    peak = torch.cuda.max_memory_allocated() - before
    # The dense matrix would take n * d * 4 = 400 MB; a batch and the network a few MB.
    assert peak < 0.1 * n * d * 4, peak
    assert len(result.order) == 3


def test_selector_fits_and_transforms_on_device():
    X, y, independent = redundant_problem(1)
    selector = SequentialAttentionSelector(3, hidden=(16,), device=DEVICE, random_state=1)
    Xt = selector.fit(X, y).transform(X)
    assert isinstance(Xt, np.ndarray) and Xt.shape == (X.shape[0], 3)
    assert selector.attention_history_.shape == (3, X.shape[1])
    assert independent <= set(selector.selected_features_.tolist())
