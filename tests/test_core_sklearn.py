"""SequentialAttentionSelector as a scikit-learn estimator."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import check_estimator

import seqattn
from seqattn._errors import SeqattnError
from seqattn.core import SequentialAttentionSelector

torch.set_num_threads(1)

# Small network and budget: the checks fit dozens of times on tiny data.
FAST = {"hidden": (4,), "epochs": 4, "device": "cpu"}


def data(n=160, d=8, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = (X[:, 1] + X[:, 5] > 0).astype(int)
    return X, y


def test_passes_sklearn_estimator_checks():
    # Every check applies: the selector accepts sparse input, requires y, preserves the
    # dtype of what it selects and is deterministic for a fixed random_state.
    check_estimator(SequentialAttentionSelector(2, **FAST))


def test_fitted_attributes_and_transform():
    X, y = data()
    sel = SequentialAttentionSelector(2, hidden=(8,), epochs=40, device="cpu").fit(X, y)
    assert sel is not None and seqattn.SequentialAttentionSelector is SequentialAttentionSelector
    assert set(sel.selected_features_.tolist()) == {1, 5}
    assert sel.n_features_in_ == 8
    assert sorted(sel.ranking_.tolist()) == list(range(1, 9))
    assert sel.ranking_[sel.selected_features_[0]] == 1
    assert sel.attention_history_.shape == (2, 8)
    assert sel.selection_scores_.shape == (2,)
    assert sel.loss_curve_.shape == (sel.schedule_["total_steps"],)
    assert sel.get_support().sum() == 2
    np.testing.assert_array_equal(sel.transform(X), X[:, [1, 5]])
    Xt = torch.as_tensor(X, dtype=torch.float32)
    assert torch.equal(sel.transform(Xt), Xt[:, [1, 5]])
    assert sel.device_ == "cpu" and sel.task_ == "classification"


def test_dataframe_names_preselected_by_name_and_categorical_labels():
    X, y = data()
    frame = pd.DataFrame(X, columns=[f"p{j}" for j in range(8)])
    labels = pd.Categorical(np.where(y == 1, "case", "control"))
    sel = SequentialAttentionSelector(
        3, preselected=["p7"], hidden=(8,), epochs=40, device="cpu"
    ).fit(frame, labels)
    assert sel.selected_features_[0] == 7
    assert list(sel.get_feature_names_out()) == sorted(
        [f"p{j}" for j in sel.selected_features_], key=lambda s: int(s[1:])
    )
    assert set(sel.classes_) == {"case", "control"}


def test_sparse_and_tensor_input():
    X, y = data()
    sel = SequentialAttentionSelector(2, hidden=(8,), epochs=40, device="cpu")
    sel.fit(sp.csr_matrix(X), y)
    assert set(sel.selected_features_.tolist()) == {1, 5}
    assert sp.issparse(sel.transform(sp.csr_matrix(X)))
    sel.fit(torch.as_tensor(X), torch.as_tensor(y))
    assert set(sel.selected_features_.tolist()) == {1, 5}


def test_fraction_and_default_panel_size():
    X, y = data()
    assert SequentialAttentionSelector(0.25, **FAST).fit(X, y).get_support().sum() == 2
    assert SequentialAttentionSelector(**FAST).fit(X, y).get_support().sum() == 4
    with pytest.raises(SeqattnError, match="n_features_to_select"):
        SequentialAttentionSelector(1.5, **FAST).fit(X, y)


def test_pipeline_cross_val_score_and_grid_search():
    X, y = data(n=120)
    pipe = make_pipeline(
        SequentialAttentionSelector(2, hidden=(8,), epochs=60, device="cpu"),
        LogisticRegression(),
    )
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.mean() > 0.8
    grid = GridSearchCV(
        pipe, {"sequentialattentionselector__n_features_to_select": [1, 2]}, cv=3
    ).fit(X, y)
    assert grid.best_params_["sequentialattentionselector__n_features_to_select"] == 2
