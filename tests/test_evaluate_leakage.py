"""Leakage guard: on pure noise with random labels, nested CV must report chance.

60 samples x 2,000 noise features, balanced binary labels permuted at random: no panel can
predict them, so an honest protocol scores balanced accuracy ~0.5. Selecting the panel on
all samples first (the classic mistake) lets the test samples pick features that fit their
own random labels, and CV then reports far above chance. The test runs both, so it fails
if the nested protocol leaks *or* if the scenario is too weak to expose leakage.

Tolerance: a chance-level classifier's balanced accuracy pooled over n = 60 test
predictions has sd ~ 0.5 / sqrt(60) ~ 0.065 (a second repeat lowers it only a little, the
repeats share samples). +-0.15 is ~2.3 sd. Measured during development (logreg, k = 10):
ANOVA over seeds 0-19, 2 repeats: nested 0.375-0.592 (mean 0.497), naive 0.79-0.94 (mean
0.85); Sequential Attention (240 epochs) over seeds 0-5, 1 repeat: nested 0.45-0.53, naive
0.95-0.98. The seed is fixed, so the test is deterministic.
"""

import anndata as ad
import numpy as np
import pandas as pd
import pytest

from seqattn.evaluate import make_folds, naive_cv_score, run_nested_cv

N_SAMPLES, N_FEATURES, K, SEED = 60, 2000, 10, 0
CHANCE_TOLERANCE = 0.15
NAIVE_FLOOR = 0.70

# (method, options, repeats). Sequential Attention gets a short fixed budget (240 passes
# instead of the ~2,400 of its size rule) to keep the test fast on a CPU; it still
# overfits the noise enough for the naive protocol to show the inflation.
CASES = [
    pytest.param("anova", {}, 2, id="anova"),
    pytest.param(
        "sequential_attention", {"epochs": 240, "device": "cpu"}, 1, id="sequential_attention"
    ),
]


@pytest.fixture
def one_torch_thread():
    """Few-thread CPU runs are much faster for tiny networks on a shared machine."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _noise_with_random_labels(seed: int) -> ad.AnnData:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N_SAMPLES, N_FEATURES)).astype(np.float32)
    y = rng.permutation(np.repeat(["case", "control"], N_SAMPLES // 2))
    obs = pd.DataFrame({"y": y}, index=[f"s{i}" for i in range(N_SAMPLES)])
    var = pd.DataFrame(index=[f"f{j}" for j in range(N_FEATURES)])
    return ad.AnnData(X, obs=obs, var=var)


@pytest.mark.parametrize(("method", "options", "repeats"), CASES)
def test_nested_cv_is_at_chance_and_naive_selection_is_inflated(
    method, options, repeats, one_torch_thread
):
    adata = _noise_with_random_labels(SEED)
    folds = make_folds(adata.obs["y"], n_splits=5, n_repeats=repeats, random_state=SEED)
    result = run_nested_cv(
        adata,
        "y",
        [method],
        [K],
        ["logreg"],
        folds=folds,
        options={method: options},
        random_state=SEED,
        warmup=False,
    )
    scores = result.metrics.query("metric == 'balanced_accuracy'")["value"]
    assert len(scores) == 5 * repeats
    nested = float(scores.mean())
    naive = naive_cv_score(
        adata, "y", method, K, folds, "logreg", options=options, random_state=SEED
    )
    print(f"{method}: nested {nested:.3f}, naive {naive:.3f}")  # shown with pytest -s
    assert abs(nested - 0.5) <= CHANCE_TOLERANCE, f"nested CV leaks: {nested:.3f}"
    assert naive >= NAIVE_FLOOR, f"naive protocol not inflated ({naive:.3f}): scenario too weak"
    assert naive - nested >= 0.2
