"""Score a panel on one outer fold: classifiers fitted on train, scored on test."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from seqattn.evaluate.classifiers import fit_quietly, make_classifier, normalise_classifiers
from seqattn.evaluate.fold_data import FoldData
from seqattn.evaluate.metrics import aligned_proba, classification_metrics
from seqattn.evaluate.panels import check_ks, panel_for_k

#: The selector-cost table's metrics: wall time, peak RSS added by the call, and (CUDA)
#: torch's peak allocation.
COST_METRICS = {
    "selector_time_s": "wall_time_s",
    "selector_peak_rss_delta_mb": "peak_rss_delta_mb",
    "selector_gpu_peak_allocated_mb": "gpu_peak_allocated_mb",
}


def score_on_fold(
    data: FoldData,
    panel: pd.DataFrame,
    ks: Sequence[int],
    classifiers: Iterable[str] | Mapping[str, Mapping[str, Any]] | None = None,
    *,
    random_state: int = 0,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Fit each classifier on the training side restricted to each k-panel; score on test.

    Returns
    -------
    metrics : DataFrame
        ``k, classifier, metric, value``.
    predictions : DataFrame
        ``k, classifier, sample, y_true, y_pred``.
    """
    spec = normalise_classifiers(classifiers)
    ks = check_ks(ks)
    metric_rows, prediction_blocks = [], []
    for k in ks:
        columns = data.columns_of(panel_for_k(panel, k))
        X_train, X_test = data.X_train[:, columns], data.X_test[:, columns]
        for name, options in spec.items():
            model = make_classifier(
                name, random_state=random_state, n_train=X_train.shape[0], **options
            )
            fit_quietly(model, X_train, data.y_train)
            y_pred = np.asarray(model.predict(X_test)).astype(str)
            proba = aligned_proba(model, X_test, data.classes)
            with warnings.catch_warnings():
                # a class predicted but absent from a small test fold is expected
                warnings.simplefilter("ignore", UserWarning)
                scores = classification_metrics(data.y_test, y_pred, proba, data.classes)
            metric_rows += [(k, name, m, v) for m, v in scores.items()]
            prediction_blocks.append(
                pd.DataFrame(
                    {
                        "k": k,
                        "classifier": name,
                        "sample": data.test_names,
                        "y_true": data.y_test,
                        "y_pred": y_pred,
                    }
                )
            )
    metrics = pd.DataFrame(metric_rows, columns=["k", "classifier", "metric", "value"])
    predictions = pd.concat(prediction_blocks, ignore_index=True)
    return metrics, predictions


def cost_rows(meta: Mapping[str, Any], ks: Sequence[int]) -> pd.DataFrame:
    """Selector-cost rows ``k, metric, value`` for every k, from a panel's sidecar.

    Metrics: see :data:`COST_METRICS` (the GPU one only when CUDA was used).
    """
    # the k-panel came from the fit of the smallest selected size >= k (as in panel_for_k)
    by_k = {int(s): c for s, c in meta.get("cost_by_k", {}).items()}
    overall = {key: meta.get(key) for key in COST_METRICS.values()}
    rows = []
    for k in check_ks(ks):
        fitting = [s for s in by_k if s >= k]
        cost = by_k[min(fitting)] if fitting else overall
        for metric, key in COST_METRICS.items():
            if key != "gpu_peak_allocated_mb" or cost.get(key) is not None:
                rows.append((k, metric, cost.get(key)))
    out = pd.DataFrame(rows, columns=["k", "metric", "value"])
    out["value"] = out["value"].astype(float)
    return out


def label_rows(table: pd.DataFrame, columns: list[str], **identity: Any) -> pd.DataFrame:
    """Add identity columns (dataset, method, repeat, fold) and put columns in order."""
    out = table.copy()
    for key, value in identity.items():
        out[key] = value
    return out[columns]
