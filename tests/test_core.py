"""Sequential Attention engine: features that matter together, OMP agreement, scale, determinism."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from sklearn.feature_selection import f_classif
from sklearn.linear_model import OrthogonalMatchingPursuit

from seqattn._errors import SeqattnError
from seqattn.core import SequentialAttentionSelector, sequential_attention
from seqattn.core.schedule import default_batch_size, make_schedule

torch.set_num_threads(1)


def redundant_problem(seed: int, n: int = 600, d: int = 20, copies: int = 5):
    """Five noisy copies of one strong feature (columns 0-4) and two independent weaker
    features (5, 6); the rest is noise."""
    rng = np.random.default_rng(seed)
    strong = rng.normal(size=n)
    X = rng.normal(size=(n, d))
    for j in range(copies):
        X[:, j] = strong + 0.3 * rng.normal(size=n)
    logit = 2.0 * strong + X[:, copies] + X[:, copies + 1]
    y = (logit + 0.3 * rng.normal(size=n) > 0).astype(int)
    return X, y, {copies, copies + 1}


def suppressor_problem(seed: int, n: int = 600, d: int = 20):
    """Columns 0 and 1 share a large nuisance signal; only their difference predicts y.
    Columns 2-4 are moderately informative on their own (what a univariate test likes)."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    nuisance = 5.0 * rng.normal(size=n)
    e1, e2 = rng.normal(size=n), rng.normal(size=n)
    X[:, 0], X[:, 1] = nuisance + e1, nuisance + e2
    y = (e1 - e2 > 0).astype(int)
    for j in (2, 3, 4):
        X[:, j] = 0.6 * (2 * y - 1) + rng.normal(size=n)
    return X, y, {0, 1}


def anova_top(X, y, k):
    f, _ = f_classif(X, y)
    return set(np.argsort(-f)[:k].tolist())


def _small_fit(X, y, k, seed, options):
    """The synthetic problems' fit: a 16-unit network on the CPU."""
    return sequential_attention(X, y, k, hidden=(16,), device="cpu", random_state=seed, **options)


#: The defaults (4 bootstrap networks voting, the univariate prior), the paper's single
#: network, and each option that changes how the attention is trained.
VARIANTS = [
    {},
    {"logit_prior": 0.0},
    {"n_restarts": 1, "bootstrap": False},
    {"hold_candidate_norms": True},
    {"pick": "held_out"},
]


@pytest.mark.parametrize("options", VARIANTS)
def test_picks_independent_features_over_redundant_copies(options):
    sa_hits = anova_hits = 0
    for seed in range(5):
        X, y, independent = redundant_problem(seed)
        result = _small_fit(X, y, 3, seed, options)
        sa_hits += independent <= set(result.order.tolist())
        top3 = anova_top(X, y, 3)
        # ANOVA fills its top 3 with copies of the strong feature.
        assert top3 <= {0, 1, 2, 3, 4}
        anova_hits += independent <= top3
    assert sa_hits >= 4
    assert anova_hits == 0


@pytest.mark.parametrize("options", VARIANTS)
def test_finds_suppressor_pair_that_univariate_ranking_misses(options):
    sa_hits = anova_hits = 0
    for seed in range(5):
        X, y, pair = suppressor_problem(seed)
        result = _small_fit(X, y, 2, seed, options)
        sa_hits += set(result.order.tolist()) == pair
        anova_hits += anova_top(X, y, 2) == pair
    assert sa_hits >= 4
    assert anova_hits == 0


def omp_problem(seed: int, n: int = 400, d: int = 30, k: int = 5):
    """Sparse linear regression on a correlated design, with OMP's support of size k."""
    rng = np.random.default_rng(seed)
    # Correlated design: every column loads on a shared factor.
    X = rng.normal(size=(n, d)) + 0.7 * rng.normal(size=(n, 1))
    support = rng.choice(d, k, replace=False)
    coef = np.zeros(d)
    coef[support] = rng.choice([-1, 1], k) * rng.uniform(1.0, 2.0, k)
    y = X @ coef + 0.3 * rng.normal(size=n)
    omp = OrthogonalMatchingPursuit(n_nonzero_coefs=k, fit_intercept=True).fit(X, y)
    return X, y, set(np.flatnonzero(omp.coef_).tolist())


def omp_overlaps(device: str) -> list[float]:
    """Overlap of the linear variant's picks with OMP's support on three seeds."""
    overlaps = []
    for seed in range(3):
        X, y, omp_set = omp_problem(seed)
        k = len(omp_set)
        result = sequential_attention(
            X, y, k, model="linear", task="regression", device=device, random_state=seed
        )
        assert result.task == "regression"
        overlaps.append(len(omp_set & set(result.order.tolist())) / k)
    return overlaps


def test_linear_variant_agrees_with_orthogonal_matching_pursuit():
    assert np.mean(omp_overlaps("cpu")) >= 0.9


@pytest.mark.parametrize("d", [50, 20_000])
def test_planted_signal_found_at_any_dimension(d):
    rng = np.random.default_rng(1)
    n = 300
    X = rng.normal(size=(n, d)).astype(np.float32)
    informative = rng.choice(d, 2, replace=False)
    y = (X[:, informative[0]] + X[:, informative[1]] > 0).astype(int)
    # A smaller network and budget keep the 20,000-feature fit to a few seconds.
    result = sequential_attention(X, y, 2, hidden=(16,), epochs=80, device="cpu", random_state=0)
    assert set(result.order.tolist()) == set(informative.tolist())
    # The pick stands far above the uniform weight 1/d.
    assert result.scores[0] > 20.0 / d


def test_same_seed_same_order_and_sparse_matches_dense():
    X, y, _ = redundant_problem(0, n=200, d=15)
    X[np.abs(X) < 0.7] = 0.0  # make it genuinely sparse
    kwargs = {"hidden": (8,), "epochs": 30, "device": "cpu", "random_state": 3}
    first = sequential_attention(X, y, 4, **kwargs)
    again = sequential_attention(X, y, 4, **kwargs)
    sparse = sequential_attention(sp.csr_matrix(X), y, 4, **kwargs)
    tensor = sequential_attention(torch.as_tensor(X), y, 4, **kwargs)
    np.testing.assert_array_equal(first.order, again.order)
    np.testing.assert_array_equal(first.loss_curve, again.loss_curve)
    np.testing.assert_array_equal(first.order, sparse.order)
    np.testing.assert_allclose(first.scores, sparse.scores, rtol=1e-4)
    np.testing.assert_array_equal(first.order, tensor.order)


def test_records_and_labels():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 12))
    y = np.where(X[:, 4] > 0, "tumour", "normal")
    # One network: its pick is the most attended candidate (an ensemble picks by vote).
    result = sequential_attention(X, y, 3, hidden=(8,), device="cpu", n_per_step=2, n_restarts=1)
    k, d = 3, 12
    assert result.order.shape == (k,) and len(set(result.order.tolist())) == k
    assert result.order[0] == 4
    assert result.attention_history.shape == (k, d)
    for j, feature in enumerate(result.order):
        row = result.attention_history[j]
        # Features already picked are NaN; the rest is a distribution over candidates.
        assert np.isnan(row[result.order[:j]]).all()
        assert np.isclose(np.nansum(row), 1.0, atol=1e-4) or j % 2 == 1
        assert row[feature] == np.nanmax(row)
    assert result.schedule.picks == (2, 1)
    assert result.loss_curve.shape == (result.schedule.total_steps,)
    assert np.isfinite(result.loss_curve).all()
    assert list(result.classes) == ["normal", "tumour"]


def test_preselected_come_first_and_every_pick_is_trained():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 10))
    y = (X[:, 2] - X[:, 7] > 0).astype(bool)
    result = sequential_attention(X, y, 3, preselected=[5], hidden=(8,), device="cpu")
    assert result.order[0] == 5 and result.scores[0] == 1.0
    assert set(result.order[1:].tolist()) == {2, 7}
    assert np.isnan(result.attention_history[0]).all()
    # Each pick happens after its own phase of training, the first after the warm-up.
    s = result.schedule
    assert list(result.pick_steps[1:]) == [
        s.warmup_steps + s.steps_per_phase * (j + 1) for j in range(2)
    ]


def test_ensemble_of_restarts_runs_and_votes():
    X, y, independent = redundant_problem(1, n=300)
    result = sequential_attention(X, y, 3, n_restarts=3, epochs=60, device="cpu")
    assert independent <= set(result.order.tolist())


def test_bootstrap_ensemble_is_reproducible_and_differs_from_plain_restarts():
    X, y, independent = redundant_problem(2, n=300)
    kwargs = {"n_restarts": 3, "epochs": 60, "device": "cpu", "random_state": 5}
    first = sequential_attention(X, y, 3, bootstrap=True, **kwargs)
    again = sequential_attention(X, y, 3, bootstrap=True, **kwargs)
    plain = sequential_attention(X, y, 3, bootstrap=False, **kwargs)
    np.testing.assert_array_equal(first.order, again.order)
    np.testing.assert_array_equal(first.loss_curve, again.loss_curve)
    # Same initial networks and batches; the resampling weights change every step.
    assert plain.loss_curve[0] != first.loss_curve[0]
    assert independent <= set(first.order.tolist())
    # One network has nothing to vote with: bootstrap is ignored.
    single = {**kwargs, "n_restarts": 1}
    np.testing.assert_array_equal(
        sequential_attention(X, y, 3, bootstrap=True, **single).loss_curve,
        sequential_attention(X, y, 3, bootstrap=False, **single).loss_curve,
    )


def test_schedule_rule_scales_with_data_size():
    assert default_batch_size(50) == 50
    assert default_batch_size(1_000) == 64
    assert default_batch_size(1_000_000) == 1024
    tiny = make_schedule(50, 10)
    huge = make_schedule(1_000_000, 10)
    assert tiny.steps_per_phase == 200 and huge.steps_per_phase == 1000
    assert tiny.warmup_steps == 2 * tiny.steps_per_phase
    fixed = make_schedule(1000, 4, epochs=10, batch_size=100)
    assert fixed.total_steps == 100 and fixed.batch_size == 100


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"device": "cuda"}, "CUDA is not available"),
        ({"device": "tpu"}, "device"),
        ({"model": "forest"}, "model"),
        ({"hidden": (0,)}, "hidden"),
        ({"preselected": [99]}, "preselected"),
        ({"n_per_step": 0}, "n_per_step"),
        ({"class_weight": "inverse"}, "class_weight"),
        ({"class_weight": {2: 1.0}}, r"class_weight names \[2\], which are not classes"),
        ({"class_weight": {0: 0.0}}, "not positive numbers"),
        ({"phase_lr_scale": -1.0}, "phase_lr_scale"),
    ],
)
def test_bad_options_raise_seqattn_error(kwargs, message):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 5)), np.arange(30) % 2
    with pytest.raises(SeqattnError, match=message):
        sequential_attention(X, y, 2, epochs=1, **kwargs)


def test_class_weight_dict_as_in_scikit_learn():
    """A {class: weight} dict gives the same fit as the weights it spells out: the
    balanced weights written by hand equal "balanced", all ones equal None, and a
    class left out weighs 1."""
    X, y, _ = redundant_problem(0, n=300)
    labels = np.where(y == 1, "case", "control")
    labels[:40] = "control"  # unequal classes, so balanced weights are not all 1
    n_case = int((labels == "case").sum())
    balanced = {"case": 300 / (2 * n_case), "control": 300 / (2 * (300 - n_case))}

    def fit(class_weight):
        return _small_fit(X, labels, 3, 0, {"class_weight": class_weight, "epochs": 5})

    def same(a, b):
        return np.array_equal(a.order, b.order) and np.array_equal(a.loss_curve, b.loss_curve)

    assert same(fit(balanced), fit("balanced"))
    assert same(fit({"case": 1.0, "control": 1}), fit(None))
    assert same(fit({"case": 2.0}), fit({"case": 2.0, "control": 1.0}))
    assert not same(fit({"case": 2.0}), fit(None))


def test_bad_data_raise_seqattn_error():
    X = np.zeros((10, 4))
    with pytest.raises(SeqattnError, match="1 class"):
        sequential_attention(X, np.ones(10), 2)
    with pytest.raises(SeqattnError, match="labels"):
        sequential_attention(X, np.arange(9) % 2, 2)
    with pytest.raises(SeqattnError, match="n_features_to_select"):
        sequential_attention(X, np.arange(10) % 2, 5)
    with pytest.raises(SeqattnError, match="between"):
        SequentialAttentionSelector(7).fit(X, np.arange(10) % 2)
    X[0, 0] = np.nan
    with pytest.raises(SeqattnError, match="contains NaN; impute missing values first"):
        SequentialAttentionSelector(2).fit(X, np.arange(10) % 2)
    X[0, 0] = np.inf
    with pytest.raises(SeqattnError, match=r"infinity.*set infinite values .* to NaN"):
        SequentialAttentionSelector(2).fit(sp.csr_matrix(X), np.arange(10) % 2)


def test_small_cpu_fit_leaves_thread_setting_alone():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 6)), np.arange(60) % 2
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        sequential_attention(X, y, 1, hidden=(4,), epochs=5, device="cpu")
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_phase_lr_scale_slows_the_network_in_the_phases_only():
    X, y, _ = redundant_problem(0, n=200, d=15)
    kwargs = {"hidden": (8,), "epochs": 30, "device": "cpu", "random_state": 3}
    joint = sequential_attention(X, y, 3, **kwargs)
    frozen = sequential_attention(X, y, 3, phase_lr_scale=0.0, **kwargs)
    warmup = joint.schedule.warmup_steps
    # Same warm-up, step for step; different phases (the network no longer moves there).
    np.testing.assert_array_equal(joint.loss_curve[:warmup], frozen.loss_curve[:warmup])
    assert not np.array_equal(joint.loss_curve[warmup:], frozen.loss_curve[warmup:])


def test_held_out_pick_keeps_groups_together_and_checks_its_options():
    from seqattn.core.heldout import cross_fit_folds

    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(12), 5)
    codes = np.repeat(np.arange(12) % 2, 5)
    fold = cross_fit_folds(codes, 60, 4, groups, seed=0)
    # every subject's rows sit in one fold, and every fold holds both classes
    assert all(len(set(fold[groups == g])) == 1 for g in range(12))
    assert all(len(set(codes[fold == f])) == 2 for f in range(4))
    X = rng.normal(size=(60, 8))
    y = codes
    result = sequential_attention(
        X, y, 2, pick="held_out", groups=groups, hidden=(8,), device="cpu", epochs=20
    )
    assert len(set(result.order.tolist())) == 2
    for kwargs, message in [
        ({"pick": "best"}, "pick='best'"),
        ({"pick": "held_out", "n_restarts": 1}, "n_restarts >= 2"),
        ({"pick": "held_out", "groups": np.arange(60) % 3}, "fewer than n_restarts=4"),
        ({"pick": "held_out", "shortlist": 0}, "shortlist=0"),
    ]:
        with pytest.raises(SeqattnError, match=message):
            sequential_attention(X, y, 2, device="cpu", epochs=5, **kwargs)


def test_groups_count_subjects_not_rows():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 6))
    y = (X[:, 0] + 0.5 * rng.normal(size=60) > 0).astype(int)
    plain = sequential_attention(X, y, 2, hidden=(8,), device="cpu", epochs=30)
    # One subject per row, named in row order: the same fit, weight for weight.
    own = sequential_attention(
        X, y, 2, hidden=(8,), device="cpu", epochs=30, groups=[f"{i:03d}" for i in range(60)]
    )
    np.testing.assert_array_equal(plain.order, own.order)
    np.testing.assert_array_equal(plain.loss_curve, own.loss_curve)
    # Ten subjects: subjects are resampled and counted, so the fit differs.
    ten = sequential_attention(
        X, y, 2, hidden=(8,), device="cpu", epochs=30, groups=np.arange(60) // 6
    )
    assert not np.array_equal(plain.loss_curve, ten.loss_curve)
    with pytest.raises(SeqattnError, match="one subject per row"):
        sequential_attention(X, y, 2, device="cpu", epochs=5, groups=np.arange(59))


def test_candidate_penalty_is_checked_and_zero_turns_it_off():
    X, y, _ = redundant_problem(0, n=200)
    with pytest.raises(SeqattnError, match="candidate_penalty=-1"):
        sequential_attention(X, y, 2, device="cpu", epochs=5, candidate_penalty=-1)
    on = sequential_attention(X, y, 2, hidden=(8,), device="cpu", epochs=20)
    off = sequential_attention(X, y, 2, hidden=(8,), device="cpu", epochs=20, candidate_penalty=0)
    assert not np.array_equal(on.loss_curve, off.loss_curve)


def test_logit_prior_is_checked_and_matches_anova():
    from seqattn.core.data import FeatureSource, encode_targets
    from seqattn.core.prior import univariate_z

    X, y, _ = redundant_problem(0, n=200)
    with pytest.raises(SeqattnError, match="logit_prior=-1"):
        sequential_attention(X, y, 2, device="cpu", epochs=5, logit_prior=-1)
    default = sequential_attention(X, y, 2, hidden=(8,), device="cpu", epochs=20)
    on = sequential_attention(X, y, 2, hidden=(8,), device="cpu", epochs=20, logit_prior=1.0)
    off = sequential_attention(X, y, 2, hidden=(8,), device="cpu", epochs=20, logit_prior=0.0)
    assert np.array_equal(default.loss_curve, on.loss_curve)  # on by default, at 1
    assert not np.array_equal(on.loss_curve, off.loss_curve)
    # Unweighted, the prior's z is sqrt(F) of ANOVA standardised across the candidates;
    # integer row weights count as repeated rows.
    cpu = torch.device("cpu")
    source, targets = FeatureSource(X, cpu), encode_targets(y, 200, "auto", None, cpu)
    root = np.sqrt(f_classif(X, y)[0])
    z = univariate_z(source, targets, None, 1, np.ones(X.shape[1], bool)).numpy()[0]
    np.testing.assert_allclose(z, (root - root.mean()) / root.std(ddof=1), atol=1e-5)
    repeat = np.random.default_rng(0).integers(1, 3, 200)
    root = np.sqrt(f_classif(np.repeat(X, repeat, 0), np.repeat(y, repeat))[0])
    weight = torch.as_tensor(repeat[None], dtype=torch.float32)
    z = univariate_z(source, targets, weight, 1, np.ones(X.shape[1], bool)).numpy()[0]
    np.testing.assert_allclose(z, (root - root.mean()) / root.std(ddof=1), atol=1e-5)
    # With blocks, a block's statistic is its best candidate member's (a non-candidate
    # member does not count), standardised across the blocks that have a candidate.
    blocks = np.arange(X.shape[1]) // 2  # pairs of columns
    n_blocks = int(blocks.max()) + 1
    candidates = np.ones(X.shape[1], bool)
    candidates[[0, 1, 5]] = False  # block 0 has none; block 2 keeps column 4 only
    root = np.sqrt(f_classif(X, y)[0])
    best = np.array([root[(blocks == b) & candidates].max(initial=-1.0) for b in range(n_blocks)])
    live = best >= 0
    expect = np.zeros(n_blocks)
    expect[live] = (best[live] - best[live].mean()) / best[live].std(ddof=1)
    z = univariate_z(source, targets, None, 1, candidates, blocks=blocks, n_blocks=n_blocks)
    np.testing.assert_allclose(z.numpy()[0], expect, atol=1e-5)


def test_constant_columns_are_never_candidates():
    X, y, _ = redundant_problem(0, n=200, d=12)
    X[:, [7, 9]] = 3.0  # constant
    result = sequential_attention(X, y, 10, hidden=(8,), device="cpu", epochs=20)
    assert not {7, 9} & set(result.order.tolist())
    assert np.isnan(result.final_attention[[7, 9]]).all()
    with pytest.raises(SeqattnError, match="only 10 of the 12 features vary"):
        sequential_attention(X, y, 11, device="cpu", epochs=5)
    with pytest.raises(SeqattnError, match="every feature of X is constant"):
        sequential_attention(np.ones((20, 3)), y[:20], 1, device="cpu", epochs=5)
    # a preselected constant column stays in the panel, first
    forced = sequential_attention(X, y, 3, hidden=(8,), device="cpu", epochs=20, preselected=[7])
    assert forced.order[0] == 7 and 9 not in forced.order
