"""Peer selection methods: planted-signal recovery, determinism, options and edge cases.

Small synthetic problems and shortened training schedules keep the whole file well under a
minute on two cores; torch and BLAS run single-threaded here (faster for these tiny networks).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.sparse as sp

from seqattn._errors import SeqattnError
from seqattn.methods import get_method

PLANTED = {3, 17, 29}


def planted_problem(n: int = 200, d: int = 40, seed: int = 0):
    """Three classes with string labels; feature 3/17/29 is shifted up by 2 sd in class
    a/b/c, every other feature is noise (as in test_methods.py)."""
    rng = np.random.default_rng(seed)
    codes = np.arange(n) % 3
    rng.shuffle(codes)
    X = rng.normal(size=(n, d))
    for c, j in enumerate(sorted(PLANTED)):
        X[:, j] += 2.0 * (codes == c)
    return X, np.array(["a", "b", "c"])[codes]


# Options that shorten training for 200 x 40 problems; defaults are tuned for real data.
FAST = {
    "wilcoxon": {},
    "t-test": {},
    "logreg": {},
    "cosg": {},
    "l1_logistic": {},
    "mrmr": {},
    # lambda_start fixed near lassonet's own estimate (1.64 here) skips its slow search.
    "lassonet": {
        "path_multiplier": 1.2,
        "n_iters": (200, 30),
        "patience": (20, 5),
        "lambda_start": 1.6,
    },
    # LDA fits in closed form; the default logistic regression is covered by the
    # SequentialFeatureSelector equivalence test below.
    "forward_greedy": {"cv": 3, "estimator": "lda"},
    "stg": {"epochs": 120},
    "concrete": {},
}
# Panel size per method where it is not 5 (none at present).
K: dict[str, int] = {}
PEERS = sorted(FAST)
TORCH_METHODS = ["concrete", "lassonet", "stg"]


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """One torch and one BLAS thread: faster for these tiny problems on a shared machine."""
    import torch
    from threadpoolctl import threadpool_limits

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def problem():
    return planted_problem()


@pytest.fixture(scope="module")
def panels(problem):
    """Every peer's panel on the planted problem (computed once), with seed 0."""
    X, y = problem
    out = {}
    for name in PEERS:
        method = get_method(name, **FAST[name])
        out[name] = (*method.select(X, y, K.get(name, 5), random_state=0), method.info_)
    return out


@pytest.mark.parametrize("name", PEERS)
def test_peer_recovers_planted_features(name, panels):
    order, scores, _ = panels[name]
    assert order.dtype == np.int64 and scores.dtype == np.float64
    assert len(set(order.tolist())) == K.get(name, 5)
    assert np.all(np.isfinite(scores))
    assert PLANTED <= set(order.tolist()), f"{name} panel {order.tolist()}"


@pytest.mark.parametrize("name", [*TORCH_METHODS, "l1_logistic", "mrmr"])
def test_peer_is_deterministic_given_seed(name, problem, panels):
    X, y = problem
    method = get_method(name, **FAST[name])
    order, scores = method.select(X, y, K.get(name, 5), random_state=0)
    np.testing.assert_array_equal(order, panels[name][0])
    np.testing.assert_allclose(scores, panels[name][1])


def test_torch_methods_leave_the_global_generator_alone(problem):
    import torch

    X, y = problem
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    get_method("concrete", steps=2).select(X, y, 3, random_state=5)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


@pytest.mark.parametrize("name", PEERS)
def test_unknown_option_is_a_seqattn_error(name):
    with pytest.raises(SeqattnError, match="bad option"):
        get_method(name, not_an_option=1)


@pytest.mark.parametrize(
    ("name", "options", "match"),
    [
        ("wilcoxon", {"log1p": "maybe"}, "log1p"),
        ("logreg", {"C": -1}, "C="),
        ("cosg", {"mu": -0.5}, "mu="),
        ("l1_logistic", {"solver": "lbfgs"}, "solver"),
        ("l1_logistic", {"aggregate": "mean"}, "aggregate"),
        ("mrmr", {"relevance": "rf"}, "relevance"),
        ("lassonet", {"path_multiplier": 1.0}, "path_multiplier"),
        ("lassonet", {"hidden_dims": ()}, "hidden_dims"),
        ("forward_greedy", {"cv": 1}, "cv="),
        ("forward_greedy", {"estimator": "svm"}, "estimator"),
        ("forward_greedy", {"scoring": "nonsense"}, "scoring"),
        ("stg", {"lam": -1}, "lam="),
        ("stg", {"hidden_dims": (0,)}, "hidden_dims"),
        ("concrete", {"end_temp": 20.0}, "end_temp"),
    ],
)
def test_bad_option_values_are_seqattn_errors(name, options, match):
    with pytest.raises(SeqattnError, match=match):
        get_method(name, **options)


@pytest.mark.parametrize("name", ["t-test", "l1_logistic", "stg"])
def test_single_class_is_refused(name, problem):
    X, _ = problem
    with pytest.raises(SeqattnError, match="single class"):
        get_method(name, **FAST[name]).select(X, np.zeros(len(X)), 3)


def test_unknown_device_is_refused(problem):
    X, y = problem
    with pytest.raises(SeqattnError, match="device"):
        get_method("stg", device="tpu", epochs=1).select(X, y, 3)


# ---------------------------------------------------------------- marker methods (scanpy, cosg)


def test_round_robin_alternates_classes_and_skips_duplicates():
    from seqattn.methods.markers import round_robin

    scores = np.array([[5.0, 4.0, 0.0, 1.0], [5.0, 0.0, 3.0, 2.0]])
    order, panel_scores, who = round_robin(scores, 4)
    assert order.tolist() == [0, 2, 1, 3]
    assert who.tolist() == [0, 1, 0, 1]
    assert panel_scores.tolist() == [5.0, 3.0, 4.0, 2.0]


@pytest.mark.parametrize("name", ["wilcoxon", "t-test", "logreg", "cosg"])
def test_markers_cover_both_classes_of_a_binary_problem(name):
    rng = np.random.default_rng(1)
    y = np.repeat([10, 20], 60)  # integer labels
    X = rng.normal(size=(120, 30))
    X[:, 4] += 2.0 * (y == 10)
    X[:, 9] += 2.0 * (y == 20)
    method = get_method(name)
    order, _ = method.select(X, y, 2)
    assert set(order.tolist()) == {4, 9}
    assert sorted(method.info_["panel_classes"]) == ["10", "20"]


@pytest.mark.parametrize("name", ["wilcoxon", "t-test", "cosg"])
def test_markers_log_transform_raw_counts_and_accept_sparse(name):
    rng = np.random.default_rng(2)
    y = np.repeat(["x", "y"], 50)
    X = rng.poisson(20, size=(100, 25)).astype(float)
    X[:, 7] += 40 * (y == "y")
    method = get_method(name)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow noise from fold changes
        order, _ = method.select(sp.csr_matrix(X), y, 2)
    assert 7 in order.tolist()
    assert method.info_["log1p_applied"] is True


def test_markers_keep_the_torch_thread_count(problem):
    import torch

    X, y = problem
    torch.set_num_threads(1)  # numba's OpenMP pool would otherwise reset it
    get_method("wilcoxon").select(X, y, 3)
    assert torch.get_num_threads() == 1


# ------------------------------------------------------------------------ linear and mRMR


def test_l1_logistic_stops_once_k_features_are_nonzero(panels):
    _, _, info = panels["l1_logistic"]
    assert info["n_nonzero"] >= 5 and info["n_filled"] == 0
    assert [n for _, n in info["path"][:-1]] == sorted(n for _, n in info["path"][:-1])
    assert all(n < 5 for _, n in info["path"][:-1])


def test_l1_logistic_fills_with_anova_when_the_path_ends_early(problem):
    X, y = problem
    method = get_method("l1_logistic", steps_per_decade=8, max_decades=0.1)  # one step
    order, scores = method.select(X, y, 10)
    assert method.info_["n_filled"] > 0 and len(set(order.tolist())) == 10
    assert np.all(scores[-method.info_["n_filled"] :] == 0)


def test_l1_logistic_saga_is_multinomial(problem):
    X, y = problem
    order, _ = get_method("l1_logistic", solver="saga", aggregate="sum").select(X, y, 3)
    assert set(order.tolist()) == PLANTED


def test_mrmr_does_not_silence_warnings_process_wide(problem):
    X, y = problem
    get_method("mrmr").select(X, y, 3)
    with pytest.warns(UserWarning, match="still visible"):
        warnings.warn("still visible", UserWarning, stacklevel=1)


def test_dense_only_methods_accept_small_sparse_input(problem):
    X, y = problem
    order, _ = get_method("mrmr").select(sp.csr_matrix(X), y, 5)
    assert PLANTED <= set(order.tolist())


# ----------------------------------------------------------------------------- greedy


def test_forward_greedy_matches_sequential_feature_selector():
    from sklearn.feature_selection import SequentialFeatureSelector
    from sklearn.linear_model import LogisticRegression

    from seqattn.methods._prep import standardize

    rng = np.random.default_rng(3)
    X = rng.normal(size=(90, 10))
    y = (X[:, 2] - X[:, 6] + 0.8 * rng.normal(size=90) > 0).astype(int)
    method = get_method("forward_greedy", cv=3)
    order, gains = method.select(X, y, 3)
    sfs = SequentialFeatureSelector(
        LogisticRegression(max_iter=1000), n_features_to_select=3, cv=3
    ).fit(standardize(X), y)
    assert set(order.tolist()) == set(np.flatnonzero(sfs.support_).tolist())
    np.testing.assert_allclose(np.diff(method.info_["cv_scores"]), gains[1:])
    assert method.info_["n_fits"] == 3 * (10 + 9 + 8)


def test_forward_greedy_refuses_expensive_searches_naming_the_limit(problem):
    X, y = problem
    with pytest.raises(SeqattnError, match=r"max_fits=100\b.*raise max_fits"):
        get_method("forward_greedy", max_fits=100).select(X, y, 5)


# ---------------------------------------------------------------------------- concrete


def test_distinct_argmax_resolves_collisions_by_confidence():
    from seqattn.methods.concrete import distinct_argmax

    probs = np.array([[0.6, 0.3, 0.1], [0.9, 0.05, 0.05], [0.2, 0.2, 0.6]])
    assert distinct_argmax(probs).tolist() == [1, 0, 2]


def test_stg_fixed_lambda_ranks_by_gate_mean(problem):
    X, y = problem
    method = get_method("stg", lam=0.01, epochs=60)
    _, scores = method.select(X, y, 3)
    assert np.all(np.diff(scores) <= 0)
    assert method.info_["lam_final"] == 0.01
