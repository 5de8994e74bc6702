"""Fit a registered selector on one training fold (or on all samples).

The selector sees only the training samples after the train-fitted fold transformer; its
column indices are mapped back to feature names through the transformer's ``support_``.
"""

from __future__ import annotations

import hashlib
import platform
import time
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from seqattn._errors import SeqattnError
from seqattn.evaluate.constraints import CONSTRAINT_NAMES as _CONSTRAINT_PARAMETERS
from seqattn.evaluate.constraints import PanelConstraints
from seqattn.evaluate.cost import measure
from seqattn.evaluate.fold_data import FoldData
from seqattn.evaluate.panels import attention_table, check_ks, panel_block, panel_cost

_VERSIONED = ("seqattn", "numpy", "scipy", "scikit-learn", "pandas", "anndata", "torch")


def package_versions() -> dict[str, str]:
    """Versions of Python and of the packages a result depends on (recorded in sidecars)."""
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": platform.python_version()}
    for name in _VERSIONED:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def samples_digest(names: Sequence[str]) -> str:
    """SHA-1 of the sorted sample names: lets validate prove a panel saw only its fold."""
    text = "\n".join(sorted(map(str, names)))
    return hashlib.sha1(text.encode()).hexdigest()


def warm_up(selector: Any, data: FoldData) -> float:
    """One untimed fit of a copy of ``selector`` with k=1 on a small slice of the training data.

    Methods import torch, scanpy, cosg, ... inside ``fit`` and may set up a CUDA context
    on first use; charged to the timed fit, those seconds and hundreds of MB would rank
    methods by their imports. The slice (at most 8 features, a few samples of every class)
    keeps the warm-up cheap. Failures are ignored here: the real fit reports them.
    """
    start = time.perf_counter()
    y = data.y_train
    classes = np.unique(y)
    per_class = max(2, 64 // len(classes))
    rows = np.concatenate([np.flatnonzero(y == c)[:per_class] for c in classes])
    X = data.X_train[np.sort(rows), : min(8, data.X_train.shape[1])]
    # the constraints are arrays over all columns: the warm-up slice goes without them
    unset = {p: None for p in _CONSTRAINT_PARAMETERS if p in selector.get_params(deep=False)}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            copy = clone(selector).set_params(n_features_to_select=1, **unset)
            copy.fit(X, y[np.sort(rows)])
    except Exception:
        pass  # the real fit raises it again, with the full data
    return time.perf_counter() - start


def select_on_fold(
    data: FoldData,
    method_name: str,
    ks: Sequence[int],
    *,
    options: dict[str, Any] | None = None,
    constraints: PanelConstraints | None = None,
    random_state: int = 0,
    device: str | None = "auto",
    warmup: bool = True,
) -> tuple[pd.DataFrame, dict[str, Any], pd.DataFrame | None]:
    """Select panels of every size in ``ks`` on ``data``'s training side.

    ``device`` goes to methods that have a ``device`` parameter unless ``options`` sets
    one. With ``warmup``, an untimed :func:`warm_up` call runs first so that lazy imports and
    one-time initialisation are not charged to the method's measured cost.
    ``constraints`` (by feature name) become the selector's constraint parameters over this
    fold's columns; with blocks ``ks`` count blocks, with a budget they are caps.

    Returns
    -------
    panel : DataFrame
        ``panel_k, rank, feature, score`` (one block for ordered methods, one per k else).
    meta : dict
        JSON-ready record of the fit (see :func:`seqattn.evaluate.select_panel`).
    attention : DataFrame or None
        Wide attention table when the method reported ``attention_history``.
    """
    from seqattn.methods import make_selector

    ks = check_ks(ks, n_features=data.features.shape[0])
    constraints = constraints or PanelConstraints()
    # only when set: an unconstrained run builds the selector as before
    given = {"constraints": constraints.for_features(data.features)} if constraints.active else {}
    selector = make_selector(method_name, None, options, random_state, device=device, **given)
    warmup_time = warm_up(selector, data) if warmup else None
    # ordered methods: one fit at the largest k serves every smaller k (prefix property)
    fit_sizes = [ks[-1]] if selector.ordered else ks
    blocks, cost_by_fit, attention = [], {}, None
    for k in fit_sizes:
        selector.set_params(n_features_to_select=k)
        with measure() as cost:
            selector.fit(data.X_train, data.y_train, groups=data.groups_train)
        order = selector.selected_features_
        _check_exclusions(method_name, order, data.features, constraints)
        blocks.append(panel_block(k, order, selector.selection_scores_, data.features, constraints))
        cost_by_fit[k] = cost
        history = getattr(selector, "attention_history_", None)
        if history is not None:
            attention = attention_table(history, order, data.features)
    panel = pd.concat(blocks, ignore_index=True)
    # the cost of the k-panel is the cost of the fit that produced it
    cost_by_k = {str(k): cost_by_fit[min(s for s in fit_sizes if s >= k)] for k in ks}
    meta = {
        "method": method_name,
        "options": dict(options or {}),  # as the user gave them; the device is recorded below
        "ordered": bool(selector.ordered),
        "seed": int(random_state),
        "device_requested": device,
        "device": str(getattr(selector, "device_", "cpu")),
        "ks": ks,
        "n_train": int(data.X_train.shape[0]),
        "n_features": int(data.features.shape[0]),
        "train_samples_sha1": samples_digest(data.train_names),
        "transform_time_s": float(data.transform_time_s),
        "warmup_time_s": warmup_time,
        "wall_time_s": float(sum(c["wall_time_s"] for c in cost_by_fit.values())),
        "peak_rss_delta_mb": float(max(c["peak_rss_delta_mb"] for c in cost_by_fit.values())),
        "peak_rss_mb": float(max(c["peak_rss_mb"] for c in cost_by_fit.values())),
        "cost_by_k": cost_by_k,
        "memory_measure": (
            "peak_rss_delta_mb: peak resident set size (RSS, so torch, numpy and BLAS "
            "buffers count) during the timed call minus RSS just before it (after the warm-up), "
            "sampled every 10 ms; peak_rss_mb: absolute peak RSS; gpu_peak_allocated_mb (CUDA "
            "only): torch.cuda.max_memory_allocated"
        ),
        "versions": package_versions(),
    }
    if constraints.active:
        meta["constraints"] = constraints.record()
        if constraints.costs is not None:
            meta["panel_cost_by_k"] = {str(k): panel_cost(panel, k) for k in ks}
            meta["panel_cost"] = meta["panel_cost_by_k"][str(ks[-1])]
    gpu = [c["gpu_peak_allocated_mb"] for c in cost_by_fit.values() if "gpu_peak_allocated_mb" in c]
    if gpu:
        meta["gpu_peak_allocated_mb"] = float(max(gpu))
    return panel, meta, attention


def _check_exclusions(
    method: str, order: np.ndarray, features: np.ndarray, constraints: PanelConstraints
) -> None:
    """Refuse a panel holding an excluded feature (a method that ignored ``exclude``)."""
    if not constraints.exclude:
        return
    picked = set(np.asarray(features).astype(str)[np.asarray(order, dtype=np.int64)])
    broken = sorted(picked & set(constraints.exclude))
    if broken:
        raise SeqattnError(
            f"{method} put excluded feature(s) {', '.join(broken[:3])} in its panel; it cannot "
            "honour the exclusions: leave it out of this comparison"
        )
