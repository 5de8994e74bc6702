"""Panel tables: build them from a selector's output, read them back, take the k-panel.

A panel table has columns ``panel_k, rank, feature, score``. Ordered methods write one block
with ``panel_k = max(ks)``; fixed-k methods one block per k. The k-panel is the block with
the smallest ``panel_k >= k``, ranks ``<= k``. A JSON sidecar (``<panel>.json``) holds who
made it: method, options, seed, data set, repeat, fold, cost.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn._tables import PANEL_COLUMNS
from seqattn.evaluate.constraints import PanelConstraints


def check_ks(ks: Sequence[int] | int, n_features: int | None = None) -> list[int]:
    """Sorted unique panel sizes; each must be ``>= 1`` and ``<= n_features`` when given."""
    ks = [ks] if isinstance(ks, int | np.integer) else list(ks)
    if not ks:
        raise SeqattnError("no panel sizes given; pass e.g. --ks 5 10 20")
    try:
        out = sorted({int(k) for k in ks})
    except (TypeError, ValueError):
        raise SeqattnError(f"panel sizes must be integers, got {ks!r}") from None
    if out[0] < 1:
        raise SeqattnError(f"panel size k={out[0]} must be at least 1")
    if n_features is not None and out[-1] > n_features:
        raise SeqattnError(
            f"panel size k={out[-1]} exceeds the {n_features} features available; "
            f"use ks <= {n_features}"
        )
    return out


def panel_block(
    panel_k: int,
    order: np.ndarray,
    scores: np.ndarray,
    features: np.ndarray,
    constraints: Any = None,
) -> pd.DataFrame:
    """One block of a panel table from a selector's ``(order, scores)``.

    ``rank`` is the pick of the feature's block (``group``): the members of a block share
    it, so the k-panel (ranks ``<= k``) is the first k blocks, as ``n_features_to_select``
    counts them. Without blocks every feature is its own. ``scores`` may hold one score per
    column of ``order`` or one per block. ``constraints`` (a
    :class:`~seqattn.evaluate.constraints.PanelConstraints`) gives the blocks and costs.
    """
    names = np.asarray(features).astype(str)[np.asarray(order, dtype=np.int64)]
    if constraints is None:  # every feature its own block, no costs
        constraints = PanelConstraints()
    groups = [constraints.group_of(n) for n in names]
    costs = np.array([constraints.cost_of(n) for n in names], dtype=np.float64)
    rank = constraints.block_ranks(names)
    scores = np.asarray(scores, dtype=np.float64)
    if len(scores) != len(names) and len(scores) == len(set(groups)):
        scores = scores[rank - 1]  # one score per block: each member shows its block's
    return pd.DataFrame(
        {
            "panel_k": int(panel_k),
            "rank": rank,
            "feature": names,
            "score": scores,
            "group": groups,
            "cost": costs,
        }
    )


def panel_cost(panel: pd.DataFrame, k: int) -> float:
    """The total cost of the k-panel (NaN when the table has no costs)."""
    if "cost" not in panel.columns:
        return float("nan")
    sizes = sorted(int(s) for s in panel["panel_k"].unique())
    fitting = [s for s in sizes if s >= k]
    if not fitting:
        return float("nan")
    block = panel[(panel["panel_k"] == fitting[0]) & (panel["rank"] <= k)]
    return float(block["cost"].sum(min_count=1))


def panel_for_k(panel: pd.DataFrame, k: int) -> list[str]:
    """The feature names of the k-panel (the smallest block with ``panel_k >= k``).

    Examples
    --------
    A fixed-k method's table, fitted once at k = 2 and once at k = 4:

    >>> import pandas as pd
    >>> from seqattn.evaluate import panel_for_k
    >>> panel = pd.DataFrame({"panel_k": [2, 2, 4, 4, 4, 4], "rank": [1, 2, 1, 2, 3, 4],
    ...                       "feature": ["A", "B", "C", "A", "D", "E"], "score": 1.0})
    >>> panel_for_k(panel, 2)
    ['A', 'B']
    >>> panel_for_k(panel, 3)  # the first three of the k = 4 fit
    ['C', 'A', 'D']
    """
    sizes = sorted(int(s) for s in panel["panel_k"].unique())
    fitting = [s for s in sizes if s >= k]
    if not fitting:
        raise SeqattnError(
            f"the panel holds at most {max(sizes, default=0)} features; k={k} needs a panel "
            f"selected with --ks up to at least {k}"
        )
    block = panel[(panel["panel_k"] == fitting[0]) & (panel["rank"] <= k)]
    return block.sort_values("rank")["feature"].astype(str).tolist()


def read_panel(path: str | Path) -> pd.DataFrame:
    r"""Read a panel table (TSV or Parquet) and check its columns.

    A table without the ``group`` and ``cost`` columns reads as one block per feature with
    no costs.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> from seqattn.evaluate import read_panel
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "all.tsv"
    >>> pd.DataFrame({"panel_k": 3, "rank": [1, 2, 3], "feature": ["SOD1_N", "CaNA_N", "pERK_N"],
    ...               "score": [0.9, 0.7, 0.4]}).to_csv(path, sep="\t", index=False)
    >>> read_panel(path)
       panel_k  rank feature  score   group  cost
    0        3     1  SOD1_N    0.9  SOD1_N   NaN
    1        3     2  CaNA_N    0.7  CaNA_N   NaN
    2        3     3  pERK_N    0.4  pERK_N   NaN
    >>> tmp.cleanup()
    """
    path = str(path)
    try:
        panel = (
            pd.read_parquet(path)
            if path.endswith(".parquet")
            else pd.read_csv(
                path,
                sep="\t",
                dtype={"feature": str, "group": str},
                keep_default_na=False,
                na_values={c: ["", "nan", "NaN"] for c in ("score", "cost")},
            )
        )
    except FileNotFoundError:
        raise
    except Exception as err:  # any parser error means the same to the user
        raise SeqattnError(f"cannot read panel table {path}: {err}".splitlines()[0]) from None
    missing = [c for c in PANEL_COLUMNS if c not in panel.columns]
    if missing:
        raise SeqattnError(
            f"{path} is not a panel table (missing columns {missing}); make one with seqattn select"
        )
    panel["feature"] = panel["feature"].astype(str)
    if "group" not in panel.columns:  # a table from before blocks: one per feature
        panel["group"] = panel["feature"]
    if "cost" not in panel.columns:
        panel["cost"] = np.nan
    return panel


def sidecar_path(panel_path: str | Path, suffix: str = ".json") -> Path:
    """``results/.../r0_f1.tsv`` -> ``results/.../r0_f1.json`` (or ``.attention.tsv``)."""
    path = Path(panel_path)
    name = path.name
    for ext in (".tsv", ".parquet", ".csv"):
        if name.endswith(ext):
            name = name[: -len(ext)]
            break
    return path.with_name(name + suffix)


def read_sidecar(panel_path: str | Path) -> dict[str, Any]:
    """The JSON sidecar of a panel file; a clear error when it is missing or unreadable.

    ``seqattn select`` writes ``<panel>.json`` beside each panel table
    (:attr:`SelectedPanel.meta`).

    Examples
    --------
    >>> import json
    >>> import tempfile
    >>> from pathlib import Path
    >>> from seqattn.evaluate import read_sidecar
    >>> tmp = tempfile.TemporaryDirectory()
    >>> panel_path = Path(tmp.name) / "r0_f1.tsv"
    >>> meta = {"method": "anova", "repeat": 0, "fold": 1, "ks": [3, 5]}
    >>> _ = (Path(tmp.name) / "r0_f1.json").write_text(json.dumps(meta))
    >>> read_sidecar(panel_path)  # the panel table itself is not read
    {'method': 'anova', 'repeat': 0, 'fold': 1, 'ks': [3, 5]}
    >>> tmp.cleanup()
    """
    path = sidecar_path(panel_path)
    if not path.exists():
        raise SeqattnError(
            f"panel {panel_path} has no sidecar {path.name}; panels must come from seqattn select"
        )
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise SeqattnError(f"cannot parse {path}: {err}") from None


def to_json(meta: dict[str, Any]) -> str:
    """Sidecar text (sorted keys, numpy scalars made plain)."""

    def plain(obj: Any) -> Any:
        if isinstance(obj, np.generic):
            return obj.item()
        if isinstance(obj, np.ndarray):
            return obj.tolist()
        raise TypeError(f"cannot write {type(obj).__name__} to JSON")

    return json.dumps(meta, indent=2, sort_keys=True, default=plain) + "\n"


def attention_table(history: np.ndarray, order: np.ndarray, features: np.ndarray) -> pd.DataFrame:
    """Wide attention table: ``step, selected, <feature 1>, ..., <feature d>``.

    One row per selection step with each candidate's attention weight just before the pick;
    features already selected at earlier steps are NaN.
    """
    history = np.asarray(history, dtype=np.float64).copy()
    order = np.asarray(order)
    n_steps = min(history.shape[0], len(order))
    history = history[:n_steps]
    for step in range(1, n_steps):
        history[step, order[:step]] = np.nan
    table = pd.DataFrame(history, columns=np.asarray(features).astype(str))
    table.insert(0, "selected", np.asarray(features).astype(str)[order[:n_steps]])
    table.insert(0, "step", np.arange(1, n_steps + 1))
    return table
