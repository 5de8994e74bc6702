"""Classification metrics of one (fold, method, k, classifier)."""

from __future__ import annotations

import numpy as np

METRIC_NAMES = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc_ovr")


def aligned_proba(model, X: np.ndarray, classes: list[str]) -> np.ndarray:
    """``predict_proba`` with one column per class of the data set, in ``classes`` order.

    A class the training fold never saw gets probability 0.
    """
    proba = model.predict_proba(X)
    out = np.zeros((X.shape[0], len(classes)), dtype=np.float64)
    index = {c: i for i, c in enumerate(classes)}
    for j, c in enumerate(model.classes_):
        out[:, index[str(c)]] = proba[:, j]
    return out


def macro_ovr_auroc(y_true: np.ndarray, proba: np.ndarray, classes: list[str]) -> float:
    """Macro one-vs-rest AUROC over the classes present in ``y_true``.

    ``roc_auc_score(multi_class="ovr")`` raises when a test fold lacks a class; a class that
    is absent has no defined AUROC, so the macro mean runs over the classes that are present
    (NaN when fewer than two are). With two classes this equals the binary AUROC.
    """
    from sklearn.metrics import roc_auc_score

    present = [i for i, c in enumerate(classes) if np.any(y_true == c)]
    if len(present) < 2:
        return float("nan")
    aucs = [roc_auc_score(y_true == classes[i], proba[:, i]) for i in present]
    return float(np.mean(aucs))


def classification_metrics(
    y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray, classes: list[str]
) -> dict[str, float]:
    """Accuracy, balanced accuracy, macro-F1, macro OvR AUROC and per-class recall.

    Parameters
    ----------
    y_true, y_pred : ndarray of str
    proba : ndarray, shape (n, len(classes))
        Class probabilities aligned with ``classes``.
    classes : list of str
        All classes of the data set. ``recall[c]`` is NaN for a class absent from the fold;
        balanced accuracy and macro-F1 average over the classes present in ``y_true`` or
        ``y_pred`` (scikit-learn's convention).

    Returns
    -------
    dict
        ``metric name -> value``.

    Examples
    --------
    Three classes in the data set, two in this test fold:

    >>> import numpy as np
    >>> from seqattn.evaluate import classification_metrics
    >>> classes = ["a", "b", "c"]
    >>> y_true = np.array(["a", "a", "b", "b"])
    >>> y_pred = np.array(["a", "b", "b", "b"])
    >>> proba = np.array([[0.8, 0.2, 0.0], [0.4, 0.6, 0.0], [0.1, 0.9, 0.0], [0.2, 0.7, 0.1]])
    >>> scores = classification_metrics(y_true, y_pred, proba, classes)
    >>> {name: round(value, 3) for name, value in scores.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'accuracy': 0.75, 'balanced_accuracy': 0.75, 'f1_macro': 0.733, 'roc_auc_ovr': 1.0,
     'recall[a]': 0.5, 'recall[b]': 1.0, 'recall[c]': nan}
    """
    from sklearn.metrics import accuracy_score, balanced_accuracy_score, f1_score, recall_score

    y_true = np.asarray(y_true, dtype=str)
    y_pred = np.asarray(y_pred, dtype=str)
    out = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "f1_macro": float(f1_score(y_true, y_pred, average="macro", zero_division=0.0)),
        "roc_auc_ovr": macro_ovr_auroc(y_true, proba, classes),
    }
    recalls = recall_score(y_true, y_pred, labels=classes, average=None, zero_division=np.nan)
    for c, r in zip(classes, recalls, strict=True):
        out[f"recall[{c}]"] = float(r) if np.any(y_true == c) else float("nan")
    return out
