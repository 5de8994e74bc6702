"""Read the per-fold result files of one data set back, checking they belong together."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn._tables import (
    COST_COLUMNS,
    METRIC_COLUMNS,
    PANEL_COST_COLUMNS,
    PREDICTION_COLUMNS,
)
from seqattn.evaluate.panels import panel_cost, panel_for_k, read_panel, read_sidecar
from seqattn.evaluate.scoring import cost_rows, label_rows
from seqattn.evaluate.stability import label_panel


def _read_table(path: str, columns: list[str], kind: str, maker: str) -> pd.DataFrame:
    # names (samples, classes, features) are text even when they read "NA": only the
    # numeric value column may hold missing values
    try:
        table = (
            pd.read_parquet(path)
            if str(path).endswith(".parquet")
            else pd.read_csv(
                path, sep="\t", keep_default_na=False, na_values={"value": ["", "nan", "NaN"]}
            )
        )
    except FileNotFoundError:
        raise
    except Exception as err:  # any parser error means the same to the user
        raise SeqattnError(f"cannot read {kind} table {path}: {err}".splitlines()[0]) from None
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise SeqattnError(
            f"{path} is not a {kind} table (missing {missing}); make it with {maker}"
        )
    return table[columns]


def _check_dataset(table: pd.DataFrame, path: str, dataset: str) -> None:
    other = sorted(set(table["dataset"].astype(str)) - {dataset})
    if other:
        raise SeqattnError(f"{path} holds data set {other[0]!r}, not {dataset!r}; check the inputs")


def read_metrics(paths: Sequence[str], dataset: str) -> pd.DataFrame:
    """Concatenate metrics tables of ``dataset``; refuse duplicates and other data sets."""
    tables = []
    for path in paths:
        table = _read_table(path, METRIC_COLUMNS, "metrics", "seqattn validate")
        _check_dataset(table, path, dataset)
        tables.append(table)
    metrics = pd.concat(tables, ignore_index=True)
    metrics["classifier"] = metrics["classifier"].astype(str)
    # selector-cost rows of older validate outputs belong to tables/cost.tsv, not here
    metrics = metrics[metrics["classifier"] != "-"].reset_index(drop=True)
    keys = [c for c in METRIC_COLUMNS if c != "value"]
    dup = metrics.duplicated(keys)
    if dup.any():
        row = metrics[dup].iloc[0]
        raise SeqattnError(
            f"metrics of {row['method']} repeat {row['repeat']} fold {row['fold']} appear twice; "
            "pass each metrics file once"
        )
    return metrics


def read_predictions(paths: Sequence[str], dataset: str) -> pd.DataFrame:
    """Concatenate prediction tables of ``dataset``."""
    tables = []
    for path in paths:
        table = _read_table(path, PREDICTION_COLUMNS, "predictions", "seqattn validate")
        _check_dataset(table, path, dataset)
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def _labelled_panel(path: str, dataset: str) -> tuple[pd.DataFrame, dict]:
    panel, meta = read_panel(path), read_sidecar(path)
    if meta.get("dataset") not in (None, "", dataset):
        raise SeqattnError(f"{path} was selected on data set {meta['dataset']!r}, not {dataset!r}")
    return label_panel(panel, meta, dataset), meta


def read_fold_panels(paths: Sequence[str], dataset: str) -> pd.DataFrame:
    """Long panel table of the fold fits; their identity comes from the .json sidecars."""
    tables, seen = [], {}
    for path in paths:
        table, meta = _labelled_panel(path, dataset)
        if meta.get("fold") is None:
            raise SeqattnError(f"{path} is an all-samples panel; pass it with --final-panels")
        key = (meta.get("method"), meta.get("repeat"), meta.get("fold"))
        if key in seen:
            raise SeqattnError(
                f"{path} and {seen[key]} are both {key[0]} repeat {key[1]} fold {key[2]}"
            )
        seen[key] = path
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def read_cost(paths: Sequence[str], dataset: str) -> pd.DataFrame:
    """Selector cost of every fold fit (``COST_COLUMNS``), from the panels' .json sidecars.

    Kept out of the metrics: time and memory differ between two runs of the same config.
    """
    tables = []
    for path in paths:
        meta = read_sidecar(path)
        identity = {
            "dataset": dataset,
            "method": str(meta.get("method", "")),
            "repeat": meta.get("repeat"),
            "fold": meta.get("fold"),
        }
        tables.append(label_rows(cost_rows(meta, meta.get("ks") or []), COST_COLUMNS, **identity))
    if not tables:
        return pd.DataFrame(columns=COST_COLUMNS)
    return pd.concat(tables, ignore_index=True)


def read_panel_cost(paths: Sequence[str], dataset: str, ks: Sequence[int]) -> pd.DataFrame:
    """What each fold panel's k-panel holds and cost (``PANEL_COST_COLUMNS``).

    One row per fold panel and k of ``ks`` (a k beyond the largest ``panel_k`` of a fit is
    skipped, as in the stability tables). ``n_features`` counts the k-panel's columns: with
    blocks a pick brings all its block's, so it can exceed k; under a budget the panel may
    stop short of k. ``cost`` is the sidecar's ``panel_cost_by_k`` (the panel table's costs
    for a k the sidecar lacks; NaN without costs), ``budget`` the sidecar's constraints'
    (NaN without one).
    """
    rows = []
    for path in paths:
        panel, meta = read_panel(path), read_sidecar(path)
        if meta.get("dataset") not in (None, "", dataset):
            raise SeqattnError(
                f"{path} was selected on data set {meta['dataset']!r}, not {dataset!r}"
            )
        by_k = meta.get("panel_cost_by_k") or {}
        budget = (meta.get("constraints") or {}).get("budget")
        largest = int(panel["panel_k"].max()) if len(panel) else 0
        for k in sorted({int(k) for k in ks}):
            if k > largest:
                continue
            cost = by_k.get(str(k))
            rows.append(
                (
                    dataset,
                    str(meta.get("method", "")),
                    k,
                    meta.get("repeat"),
                    meta.get("fold"),
                    len(panel_for_k(panel, k)),
                    float(cost) if cost is not None else panel_cost(panel, k),
                    float(budget) if budget is not None else np.nan,
                )
            )
    table = pd.DataFrame(rows, columns=PANEL_COST_COLUMNS)
    return table.sort_values(["method", "k", "repeat", "fold"], kind="stable").reset_index(
        drop=True
    )


def read_final_panels(paths: Sequence[str], dataset: str) -> dict[str, pd.DataFrame]:
    """``method -> panel table`` of the all-samples fits."""
    out: dict[str, pd.DataFrame] = {}
    for path in paths:
        panel, meta = read_panel(path), read_sidecar(path)
        if meta.get("fold") is not None:
            raise SeqattnError(f"{path} is a fold panel; final panels are selected without --folds")
        if meta.get("dataset") not in (None, "", dataset):
            raise SeqattnError(
                f"{path} was selected on data set {meta['dataset']!r}, not {dataset!r}"
            )
        method = str(meta.get("method", ""))
        if method in out:
            raise SeqattnError(f"two final panels for method {method!r}; pass one per method")
        out[method] = panel
    return out
