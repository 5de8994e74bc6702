"""The downstream classifiers that score a panel (scikit-learn, standardised inside).

Every classifier is a ``Pipeline(StandardScaler, model)`` fitted on the training fold only,
so the scaling never sees test samples.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from typing import Any

from seqattn._errors import SeqattnError

#: The classifiers every panel is scored with unless told otherwise: in Python
#: (``run_nested_cv``, ``validate_panel``), on the command line (``seqattn validate``) and in
#: the workflow (``classifiers`` in ``workflow/schemas/config.schema.yaml``; a test keeps them
#: equal). ``mlp`` is available but left out: it is the slowest and rarely changes the ranking.
DEFAULT_CLASSIFIERS = ("logreg", "rf", "knn")


def _logreg(random_state: int, **options: Any):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(**{"max_iter": 2000, "random_state": random_state, **options})


def _rf(random_state: int, **options: Any):
    from sklearn.ensemble import RandomForestClassifier

    # n_jobs=1: parallelism comes from running folds as separate jobs (--threads caps BLAS)
    return RandomForestClassifier(
        **{"n_estimators": 200, "random_state": random_state, "n_jobs": 1, **options}
    )


def _mlp(random_state: int, **options: Any):
    from sklearn.neural_network import MLPClassifier

    # one small hidden layer with weight decay: panels are small, training folds smaller
    return MLPClassifier(
        **{
            "hidden_layer_sizes": (32,),
            "alpha": 1e-3,
            "max_iter": 1000,
            "random_state": random_state,
            **options,
        }
    )


def _knn(random_state: int, **options: Any):
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(**{"n_neighbors": 5, **options})


_FACTORIES = {"logreg": _logreg, "rf": _rf, "mlp": _mlp, "knn": _knn}


def available_classifiers() -> list[str]:
    """Names accepted by :func:`make_classifier`.

    Examples
    --------
    >>> from seqattn.evaluate import available_classifiers
    >>> available_classifiers()
    ['knn', 'logreg', 'mlp', 'rf']
    """
    return sorted(_FACTORIES)


def normalise_classifiers(
    classifiers: Iterable[str] | Mapping[str, Mapping[str, Any]] | None,
) -> dict[str, dict[str, Any]]:
    """``["logreg", "rf"]`` or ``{"rf": {"n_estimators": 500}}`` to ``{name: options}``."""
    if classifiers is None:
        classifiers = DEFAULT_CLASSIFIERS
    if isinstance(classifiers, str):
        classifiers = [classifiers]
    if isinstance(classifiers, Mapping):
        spec = {str(k): dict(v or {}) for k, v in classifiers.items()}
    else:
        spec = {str(name): {} for name in classifiers}
    if not spec:
        raise SeqattnError("no classifiers given; choose from " + ", ".join(_FACTORIES))
    unknown = [name for name in spec if name not in _FACTORIES]
    if unknown:
        raise SeqattnError(
            f"unknown classifier {unknown[0]!r}; choose from {', '.join(available_classifiers())}"
        )
    return spec


def make_classifier(
    name: str, *, random_state: int = 0, n_train: int | None = None, **options: Any
):
    """A fresh ``Pipeline(StandardScaler(), <classifier>)``.

    Parameters
    ----------
    name : {"logreg", "rf", "mlp", "knn"}
        Logistic regression (L2, lbfgs), random forest (200 trees), MLP (one hidden layer
        of 32, weight decay 1e-3), k-nearest neighbours (k=5).
    random_state : int
        Seed of the classifier.
    n_train : int, optional
        Training-fold size; k-NN's ``n_neighbors`` is capped at it.
    **options
        Overrides of the classifier's parameters.

    Examples
    --------
    >>> import numpy as np
    >>> from seqattn.evaluate import make_classifier
    >>> model = make_classifier("knn", n_train=3)
    >>> [name for name, _ in model.steps]
    ['standardscaler', 'kneighborsclassifier']
    >>> model[-1].n_neighbors  # 5 by default, capped at the training-fold size
    3
    >>> X = np.array([[0.0], [0.1], [0.2], [1.0], [1.1], [1.2]])
    >>> y = ["a", "a", "a", "b", "b", "b"]
    >>> make_classifier("logreg", C=0.5).fit(X, y).predict([[0.05], [1.15]]).tolist()
    ['a', 'b']
    """
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    normalise_classifiers([name])
    model = _FACTORIES[name](random_state, **options)
    if name == "knn" and n_train is not None:
        model.set_params(n_neighbors=max(1, min(model.n_neighbors, n_train)))
    return make_pipeline(StandardScaler(), model)


def fit_quietly(model: Any, X: Any, y: Any) -> Any:
    """Fit ``model``; convergence warnings on tiny folds are expected and not actionable."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)
