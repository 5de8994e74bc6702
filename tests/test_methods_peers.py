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
from seqattn.methods import make_selector

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


def fit(name, X, y, k=5, random_state=0, **options):
    """``make_selector(name, k, options, random_state).fit(X, y)``."""
    return make_selector(name, k, options, random_state).fit(X, y)


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
        selector = fit(name, X, y, K.get(name, 5), **FAST[name])
        out[name] = (selector.selected_features_, selector.selection_scores_, selector)
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
    selector = fit(name, X, y, K.get(name, 5), **FAST[name])
    np.testing.assert_array_equal(selector.selected_features_, panels[name][0])
    np.testing.assert_allclose(selector.selection_scores_, panels[name][1])


def test_torch_methods_leave_the_global_generator_alone(problem):
    import torch

    X, y = problem
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    fit("concrete", X, y, 3, random_state=5, steps=2)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


@pytest.mark.parametrize("name", PEERS)
def test_unknown_option_is_a_seqattn_error(name):
    with pytest.raises(
        SeqattnError, match=rf"^{name}: unknown option\(s\) not_an_option; its options"
    ):
        make_selector(name, 3, {"not_an_option": 1})


@pytest.mark.parametrize(
    ("name", "options", "match"),
    [
        ("wilcoxon", {"log1p": "maybe"}, "log1p"),
        ("logreg", {"C": -1}, "'C' parameter"),
        ("cosg", {"mu": -0.5}, "'mu' parameter"),
        ("l1_logistic", {"solver": "lbfgs"}, "solver"),
        ("l1_logistic", {"aggregate": "mean"}, "aggregate"),
        ("mrmr", {"relevance": "rf"}, "relevance"),
        ("lassonet", {"path_multiplier": 1.0}, "path_multiplier"),
        ("lassonet", {"hidden_dims": ()}, "hidden_dims"),
        ("forward_greedy", {"cv": 1}, "'cv' parameter"),
        ("forward_greedy", {"estimator": "svm"}, "estimator"),
        ("forward_greedy", {"scoring": "nonsense"}, "scoring"),
        ("stg", {"lam": -1}, "'lam' parameter"),
        ("stg", {"hidden_dims": (0,)}, "hidden_dims"),
        ("concrete", {"end_temp": 20.0}, "end_temp"),
    ],
)
def test_bad_option_values_are_seqattn_errors(name, options, match, problem):
    with pytest.raises(SeqattnError, match=match):
        make_selector(name, 3, options)  # when the registry builds it
    X, y = problem
    selector = make_selector(name, 3)
    selector.set_params(**options)
    with pytest.raises(SeqattnError, match=match):
        selector.fit(X, y)  # and at fit, as scikit-learn does


@pytest.mark.parametrize("name", ["t-test", "l1_logistic", "stg"])
def test_single_class_is_refused(name, problem):
    X, _ = problem
    with pytest.raises(SeqattnError, match="single class"):
        fit(name, X, np.zeros(len(X)), 3, **FAST[name])


def test_unknown_device_is_refused(problem):
    X, y = problem
    with pytest.raises(SeqattnError, match="device"):
        fit("stg", X, y, 3, device="tpu", epochs=1)


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
    selector = fit(name, X, y, 2)
    assert set(selector.selected_features_.tolist()) == {4, 9}
    assert sorted(selector.panel_classes_) == ["10", "20"]


@pytest.mark.parametrize("name", ["wilcoxon", "t-test", "cosg"])
def test_markers_log_transform_raw_counts_and_accept_sparse(name):
    rng = np.random.default_rng(2)
    y = np.repeat(["x", "y"], 50)
    X = rng.poisson(20, size=(100, 25)).astype(float)
    X[:, 7] += 40 * (y == "y")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no overflow noise from fold changes
        selector = fit(name, sp.csr_matrix(X), y, 2)
    assert 7 in selector.selected_features_.tolist()
    assert selector.log1p_applied_ is True


def test_markers_keep_the_torch_thread_count(problem):
    import torch

    X, y = problem
    torch.set_num_threads(1)  # numba's OpenMP pool would otherwise reset it
    fit("wilcoxon", X, y, 3)
    assert torch.get_num_threads() == 1


# ------------------------------------------------------------------------ linear and mRMR


def test_l1_logistic_stops_once_k_features_are_nonzero(panels):
    _, _, selector = panels["l1_logistic"]
    assert selector.n_nonzero_ >= 5 and selector.n_filled_ == 0
    path = selector.path_[:-1]
    assert [n for _, n in path] == sorted(n for _, n in path)
    assert all(n < 5 for _, n in path)


def test_l1_logistic_fills_with_anova_when_the_path_ends_early(problem):
    X, y = problem
    selector = fit("l1_logistic", X, y, 10, steps_per_decade=8, max_decades=0.1)  # one step
    order, scores = selector.selected_features_, selector.selection_scores_
    assert selector.n_filled_ > 0 and len(set(order.tolist())) == 10
    assert np.all(scores[-selector.n_filled_ :] == 0)


def test_l1_logistic_saga_is_multinomial(problem):
    X, y = problem
    selector = fit("l1_logistic", X, y, 3, solver="saga", aggregate="sum")
    assert set(selector.selected_features_.tolist()) == PLANTED


def test_mrmr_does_not_silence_warnings_process_wide(problem):
    X, y = problem
    fit("mrmr", X, y, 3)
    with pytest.warns(UserWarning, match="still visible"):
        warnings.warn("still visible", UserWarning, stacklevel=1)


def test_dense_only_methods_accept_small_sparse_input(problem):
    X, y = problem
    selector = fit("mrmr", sp.csr_matrix(X), y, 5)
    assert PLANTED <= set(selector.selected_features_.tolist())


# ----------------------------------------------------------------------------- greedy


def test_forward_greedy_matches_sequential_feature_selector():
    from sklearn.feature_selection import SequentialFeatureSelector
    from sklearn.linear_model import LogisticRegression

    from seqattn.methods._prep import standardize

    rng = np.random.default_rng(3)
    X = rng.normal(size=(90, 10))
    y = (X[:, 2] - X[:, 6] + 0.8 * rng.normal(size=90) > 0).astype(int)
    selector = fit("forward_greedy", X, y, 3, cv=3)
    order, gains = selector.selected_features_, selector.selection_scores_
    sfs = SequentialFeatureSelector(
        LogisticRegression(max_iter=1000), n_features_to_select=3, cv=3
    ).fit(standardize(X), y)
    assert set(order.tolist()) == set(np.flatnonzero(sfs.support_).tolist())
    np.testing.assert_allclose(np.diff(selector.cv_scores_), gains[1:])
    assert selector.n_fits_ == 3 * (10 + 9 + 8)


def test_forward_greedy_refuses_expensive_searches_naming_the_limit(problem):
    X, y = problem
    with pytest.raises(SeqattnError, match=r"max_fits=100\b.*raise max_fits"):
        fit("forward_greedy", X, y, 5, max_fits=100)


# ---------------------------------------------------------------------------- concrete


def test_distinct_argmax_resolves_collisions_by_confidence():
    from seqattn.methods.concrete import distinct_argmax

    probs = np.array([[0.6, 0.3, 0.1], [0.9, 0.05, 0.05], [0.2, 0.2, 0.6]])
    assert distinct_argmax(probs).tolist() == [1, 0, 2]


def test_stg_fixed_lambda_ranks_by_gate_mean(problem):
    X, y = problem
    selector = fit("stg", X, y, 3, lam=0.01, epochs=60)
    assert np.all(np.diff(selector.selection_scores_) <= 0)
    assert selector.lam_final_ == 0.01
