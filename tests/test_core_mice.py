"""Real data: Sequential Attention panels on Mice Protein, selected inside each training fold."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.feature_selection import f_classif
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from seqattn.core import SequentialAttentionSelector

torch.set_num_threads(1)


def test_mice_protein_panels_beat_random_and_match_anova(mice):
    # One BLAS thread: small logistic fits on a shared 2-core machine are >10x slower
    # with two threads contending with other processes.
    with threadpool_limits(1):
        _check_mice_panels(mice)


def _check_mice_panels(mice):
    X = np.asarray(mice.X, dtype=np.float64)
    y = mice.obs["class"].to_numpy()
    mouse = mice.obs["mouse"].to_numpy()
    d = X.shape[1]
    rng = np.random.default_rng(0)
    scores: dict[str, list[float]] = {"sa5": [], "sa10": [], "anova5": [], "random10": []}
    folds = StratifiedGroupKFold(5, shuffle=True, random_state=0).split(X, y, mouse)
    for fold, (train, test) in enumerate(folds):
        # Impute with training-fold medians: nothing from the test mice leaks in.
        median = np.nanmedian(X[train], axis=0)
        X_train = np.where(np.isnan(X[train]), median, X[train])
        X_test = np.where(np.isnan(X[test]), median, X[test])

        def balanced_accuracy(panel, X_train=X_train, X_test=X_test, train=train, test=test):
            clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
            clf.fit(X_train[:, panel], y[train])
            return balanced_accuracy_score(y[test], clf.predict(X_test[:, panel]))

        selector = SequentialAttentionSelector(10, device="cpu", random_state=fold)
        order = selector.fit(X_train, y[train]).selected_features_
        f, _ = f_classif(X_train, y[train])
        scores["sa10"].append(balanced_accuracy(order))
        scores["sa5"].append(balanced_accuracy(order[:5]))  # ordered: the prefix is the 5-panel
        scores["anova5"].append(balanced_accuracy(np.argsort(-f)[:5]))
        # 4 random panels per fold: 20 random panels in all.
        scores["random10"].append(
            np.mean([balanced_accuracy(rng.choice(d, 10, replace=False)) for _ in range(4)])
        )
    mean = {name: float(np.mean(v)) for name, v in scores.items()}
    assert mean["sa10"] > mean["random10"] + 0.05, mean
    assert mean["sa5"] >= mean["anova5"], mean
