"""Scanpy-style tools on AnnData: ``seqattn.tl.select`` (any registered method, as
``sc.tl.rank_genes_groups(method=...)``) and its shortcut ``seqattn.tl.sequential_attention``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError

__all__ = ["select", "sequential_attention"]

_SEQUENTIAL_ATTENTION = "sequential_attention"
#: Fitted records copied to ``uns`` when the method has them (``<name>_`` attributes).
_RECORDS = ("attention_history", "loss_curve", "pick_steps")


def _matrix_and_names(adata: Any, layer: str | None, use_raw: bool) -> tuple[Any, pd.Index]:
    """The matrix to select from and its feature names."""
    if use_raw and layer is not None:
        raise SeqattnError("use_raw=True and layer are exclusive; pass one of them")
    if use_raw:
        if adata.raw is None:
            raise SeqattnError("use_raw=True but adata.raw is empty; use layer= or adata.X")
        return adata.raw.X, pd.Index(adata.raw.var_names)
    if layer is not None:
        if layer not in adata.layers:
            raise SeqattnError(
                f"layer {layer!r} is not in adata.layers ({', '.join(adata.layers) or 'none'})"
            )
        return adata.layers[layer], pd.Index(adata.var_names)
    return adata.X, pd.Index(adata.var_names)


def _labels(adata: Any, groupby: str) -> np.ndarray:
    if groupby not in adata.obs.columns:
        raise SeqattnError(
            f"groupby={groupby!r} is not a column of adata.obs; pick one of "
            f"{', '.join(map(str, adata.obs.columns)) or '(none)'}"
        )
    labels = adata.obs[groupby]
    if labels.isna().any():
        raise SeqattnError(
            f"adata.obs[{groupby!r}] has {int(labels.isna().sum())} missing labels; "
            "subset the AnnData to labelled observations first"
        )
    return labels.to_numpy()


def _group_names(adata: Any, groupby: str) -> list[str]:
    labels = adata.obs[groupby]
    if isinstance(labels.dtype, pd.CategoricalDtype):
        present = set(labels.astype(str))
        return [str(c) for c in labels.cat.categories if str(c) in present]
    return sorted({str(v) for v in labels})


def _every_group(groups: Any) -> bool:
    """Whether ``groups`` means all of them (``"all"`` or None), as in scanpy."""
    return groups is None or (isinstance(groups, str) and groups == "all")


def _chosen_groups(
    adata: Any, groupby: str, groups: Any, reference: str, per_group: bool
) -> list[str]:
    """The groups named by ``groups`` (all present ones for ``"all"``), checked.

    ``reference`` is checked too: ``"rest"`` or a present group, and only with
    ``per_group`` (a joint panel has no reference group).
    """
    values = adata.obs[groupby]
    if per_group and pd.api.types.is_float_dtype(values) and not np.all(np.mod(values, 1) == 0):
        raise SeqattnError(
            f"adata.obs[{groupby!r}] holds continuous values, so there are no groups to give a "
            "panel each; use per_group=False (a regression panel) or a categorical column"
        )
    present = _group_names(adata, groupby)
    if _every_group(groups):
        chosen = list(present)
    elif isinstance(groups, str | bytes) or not hasattr(groups, "__iter__"):
        raise SeqattnError(
            f"groups={groups!r} must be 'all' or a list of group names, e.g. groups=[{groups!r}]"
        )
    else:
        chosen = list(dict.fromkeys(str(g) for g in groups))
        unknown = [g for g in chosen if g not in present]
        if unknown:
            raise SeqattnError(
                f"groups {unknown} are not values of adata.obs[{groupby!r}]; pick from "
                f"{', '.join(present)}"
            )
    if reference != "rest":
        if not per_group:
            raise SeqattnError(
                f"reference={reference!r} needs per_group=True (a joint panel separates all "
                "chosen groups at once); drop reference or set per_group=True"
            )
        if reference not in present:
            raise SeqattnError(
                f"reference={reference!r} is not a value of adata.obs[{groupby!r}]; use 'rest' "
                f"or one of {', '.join(present)}"
            )
        chosen = [g for g in chosen if g != reference]
        if not chosen:
            raise SeqattnError(
                f"groups name only the reference {reference!r}; add the groups to compare with it"
            )
    elif not per_group and len(chosen) < 2:
        raise SeqattnError(
            f"groups={chosen} leaves one group; a joint panel needs at least two "
            "(or use per_group=True for one group against the rest)"
        )
    return chosen


def _write_var(
    adata: Any,
    key: str,
    names: pd.Index,
    order: np.ndarray,
    scores: np.ndarray,
    constraints: Any,
):
    """``{key}_selected`` / ``_rank`` / ``_score`` over ``adata.var`` (by feature name)."""
    rank = pd.Series(np.nan, index=names)
    score = pd.Series(np.nan, index=names)
    rank.iloc[order] = constraints.block_ranks(names[order])
    score.iloc[order] = scores
    rank = rank.reindex(adata.var_names)
    adata.var[f"{key}_selected"] = rank.notna().to_numpy()
    adata.var[f"{key}_rank"] = rank.to_numpy()
    adata.var[f"{key}_score"] = score.reindex(adata.var_names).to_numpy()


def _note_feature_names(adata: Any, key: str, names: pd.Index) -> None:
    """Name the attention history's columns in ``uns[key]`` when they are not ``var_names``
    (``use_raw`` with a subset ``var``), so plots can label them."""
    if not names.equals(pd.Index(adata.var_names)):
        adata.uns[key]["feature_names"] = np.asarray(names, dtype=str)


def _storable(options: dict[str, Any]) -> dict[str, Any]:
    """Options in a form ``.h5ad`` can hold (sequences as arrays, a dict as its ``keys``
    (as text) and ``values``, None left out)."""
    out: dict[str, Any] = {}
    for name, value in options.items():
        if value is None:
            continue
        if isinstance(value, list | tuple):
            value = np.asarray(value)
        elif isinstance(value, dict):  # e.g. class_weight; its keys may be ints or hold '/'
            value = {
                "keys": np.asarray([str(k) for k in value], dtype=str),
                "values": np.asarray(list(value.values())),
            }
        out[name] = value
    return out


def _h5ad_safe(record: dict[str, Any]) -> dict[str, Any]:
    """A record ``.h5ad`` can hold: lists as arrays (text as str arrays)."""
    out: dict[str, Any] = {}
    for name, value in record.items():
        if isinstance(value, list | tuple):
            value = np.asarray([str(v) for v in value], dtype=str)
        out[name] = value
    return out


def _panel_record(selector: Any, names: pd.Index, constraints: Any) -> dict[str, Any]:
    """``blocks`` (labels of the picked blocks in pick order) and ``panel_cost`` (with
    costs or a budget) of a constrained fit."""
    picked = [str(n) for n in names[selector.selected_features_]]
    blocks = list(dict.fromkeys(constraints.group_of(n) for n in picked))
    out: dict[str, Any] = {"blocks": np.asarray(blocks, dtype=str)}
    if constraints.costs is not None:
        out["panel_cost"] = float(sum(constraints.cost_of(n) for n in picked))
    elif constraints.budget is not None:  # one per feature
        out["panel_cost"] = float(getattr(selector, "panel_cost_", len(picked)))
    return out


def _padded(values: np.ndarray, n: int) -> np.ndarray:
    """``values`` extended to length ``n`` with "" (text) or NaN."""
    values = np.asarray(values)
    if len(values) == n:
        return values
    fill = "" if values.dtype.kind in "US" else np.nan
    kind = values.dtype if values.dtype.kind in "US" else float
    pad = np.full(n - len(values), fill, dtype=kind)
    return np.concatenate([values, pad])


def _rec(columns: dict[str, np.ndarray], dtype: Any) -> np.recarray:
    """A record array with one field per group (the ``rank_genes_groups`` layout)."""
    return np.rec.fromarrays(
        [np.asarray(v, dtype=dtype) for v in columns.values()], names=list(columns)
    )


def _fold_change_rule(adata: Any, layer: str | None, use_raw: bool) -> str:
    """How ``logfoldchanges`` are computed for the matrix in use.

    ``"log2_difference"`` when seqattn's own preprocessing record says ``X`` holds log2
    intensities (the proteomics preset, not z-scored): the fold change is then the
    difference of mean log2 values, as proteomics tools report it. ``"none"`` when that
    record says ``X`` was z-scored (a difference in SD units is no fold change).
    ``"scanpy"`` otherwise: ``sc.tl.rank_genes_groups``'s formula for log1p data.
    """
    record = adata.uns.get("seqattn_preprocessing")
    if layer is not None or use_raw or not isinstance(record, dict):
        return "scanpy"  # the record describes X only
    steps = [str(s) for s in np.asarray(record.get("steps", [])).ravel()]
    if "zscore" in steps:
        return "none"
    return "log2_difference" if "log2" in steps else "scanpy"


def _log_fold_changes(
    adata: Any,
    X: Any,
    in_group: np.ndarray,
    in_rest: np.ndarray,
    columns: np.ndarray,
    rule: str = "scanpy",
) -> np.ndarray:
    """log2 fold change of the group's mean over the rest's (or the reference group's)
    for ``columns`` of ``X``, by ``rule`` (see :func:`_fold_change_rule`).

    ``"scanpy"`` computes it as ``sc.tl.rank_genes_groups`` does (the data read as log1p
    values, base ``adata.uns["log1p"]["base"]`` or e), so the two tools' tables agree;
    on centred data a negative mean gives NaN there and here.
    """
    sub = X[:, columns]

    def mean(rows: np.ndarray) -> np.ndarray:
        part = sub[rows]
        if hasattr(part, "toarray"):
            return np.asarray(part.astype(np.float64).mean(axis=0)).ravel()
        return np.asarray(part, dtype=np.float64).mean(axis=0)

    if rule == "none":
        return np.full(len(columns), np.nan, dtype=np.float32)
    if rule == "log2_difference":
        return (mean(in_group) - mean(in_rest)).astype(np.float32)
    base = adata.uns.get("log1p", {}).get("base")
    expm1 = np.expm1 if base is None else (lambda v: np.expm1(v * np.log(base)))
    change = (expm1(mean(in_group)) + 1e-9) / (expm1(mean(in_rest)) + 1e-9)
    with np.errstate(invalid="ignore", divide="ignore"):  # NaN where scanpy has NaN
        return np.log2(change).astype(np.float32)


def _records(selector: Any) -> dict[str, np.ndarray]:
    """The fitted records of :data:`_RECORDS` that ``selector`` has, as arrays."""
    return {
        name: np.asarray(getattr(selector, f"{name}_"))
        for name in _RECORDS
        if hasattr(selector, f"{name}_")
    }


def select(
    adata: Any,
    groupby: str,
    method: str = _SEQUENTIAL_ATTENTION,
    *,
    n_features: int | None = None,
    feature_groups: Any = None,
    feature_costs: Any = None,
    budget: float | None = None,
    exclude: str | Sequence[str] | None = None,
    preselected: Sequence[str] | None = None,
    layer: str | None = None,
    use_raw: bool = False,
    key_added: str | None = None,
    per_group: bool = False,
    groups: str | Sequence[str] = "all",
    reference: str = "rest",
    all_features: bool = False,
    subject_key: str | None = None,
    random_state: int = 0,
    copy: bool = False,
    **options: Any,
) -> Any:
    """Select a marker panel of ``n_features`` for ``adata.obs[groupby]`` with any registered
    method (``seqattn.methods.available_methods()``), as ``sc.tl.rank_genes_groups(method=)``.

    Parameters
    ----------
    adata : AnnData
        Observations x features; ``X`` (or the layer, or ``raw``) dense or sparse,
        without NaN.
    groupby : str
        Column of ``adata.obs`` with the labels to separate.
    method : str
        Registered method name (default Sequential Attention).
    n_features : int, optional
        Panel size (per group when ``per_group``); with ``feature_groups`` it counts blocks,
        with a ``budget`` it is a cap (None: the budget alone). Required without a budget.
    feature_groups : str or array-like, optional
        Blocks of features: a column of ``adata.var`` (of ``adata.raw.var`` with
        ``use_raw``), a mapping by feature name or one label per feature; None, NaN or ""
        = a block of its own. One candidate per block; a picked block brings all its
        features. Needs a method with ``supports_blocks``.
    feature_costs : str, Series, dict or array-like, optional
        Cost of each feature (finite, >= 0): a ``var`` column, a Series/dict by feature
        name (every feature not excluded needs one; extra names are ignored) or one value
        per feature. A block costs the sum.
    budget : float, optional
        Most the panel may cost (each feature costs 1 without ``feature_costs``); the pick
        maximises gain per unit cost among what still fits. Needs ``supports_budget``.
    exclude : str or sequence of str, optional
        Features never to select: names, or one regular expression (``re.search`` on
        each name, e.g. ``"^KRT|^IG[HKL]"``).
    preselected : sequence of str, optional
        Feature names forced into the panel first (with their blocks).
    layer : str, optional
        Use ``adata.layers[layer]`` instead of ``adata.X``.
    use_raw : bool
        Use ``adata.raw``. Its features missing from ``adata.var`` appear only in
        ``adata.uns[key_added]``.
    key_added : str, optional
        Prefix of the ``adata.var`` columns and key in ``adata.uns``; default ``"seqattn"``
        for Sequential Attention, ``"seqattn_<method>"`` for the others.
    per_group : bool
        Select one one-vs-rest panel per group and store them in the layout of
        ``sc.tl.rank_genes_groups`` (so ``sc.get.rank_genes_groups_df`` and
        ``sc.pl.rank_genes_groups_dotplot`` read them with ``key=key_added``).
    groups : "all" or sequence of str
        Restrict to these groups, as in ``sc.tl.rank_genes_groups``: with ``per_group``
        only these groups get a panel (each still against all other observations when
        ``reference="rest"``); without it the joint panel separates just these groups,
        fitted on their observations only.
    reference : str
        With ``per_group``: ``"rest"`` (each group against all other observations) or a
        group name (each group against that group's observations only; the reference
        itself gets no panel), as in ``sc.tl.rank_genes_groups``.
    all_features : bool
        With ``per_group``: list every feature in each group's table, the panel first
        (in selection order) and then the others in the method's ``ranking_`` (for
        Sequential Attention: by their attention in the last phase), with scores NaN
        beyond the panel. scanpy's ``values_to_plot=`` (e.g. ``"logfoldchanges"``) needs
        every feature listed, like ``sc.tl.rank_genes_groups`` with all genes; pass
        ``n_genes=n_features`` to scanpy's plots so they show only the panels. False lists
        the ``n_features`` panel features only.
    subject_key : str, optional
        Column of ``adata.obs`` naming each observation's subject (patient, mouse,
        donor), passed to the method's ``fit`` as ``groups``: Sequential Attention then
        resamples and counts subjects rather than replicates.
    random_state : int
        Seed; CPU fits are exactly reproducible.
    copy : bool
        Work on and return a copy instead of modifying ``adata``.
    **options
        The method's options (its constructor parameters,
        ``seqattn.methods.method_parameters(method)``), e.g. ``device``, ``hidden``,
        ``epochs``, ``n_restarts`` for Sequential Attention.

    Returns
    -------
    AnnData or None
        The copy when ``copy=True``; otherwise ``adata`` is updated in place with

        - ``var[f"{key_added}_selected"]`` (bool): in the panel (in any group's panel);
        - ``var[f"{key_added}_rank"]`` (float): 1 = first pick, NaN outside the panel
          (best rank over groups when ``per_group``);
        - ``var[f"{key_added}_score"]`` (float): the method's score at the pick (for
          Sequential Attention the attention weight; highest over groups when
          ``per_group``), NaN outside the panel;
        - ``uns[key_added]``: ``params`` (with ``method``); ``order`` (names in selection
          order), ``scores``, ``ranking`` and the method's records among
          ``attention_history`` (k x d), ``loss_curve``, ``pick_steps`` (per group under
          ``per_group`` when ``per_group``); with ``per_group`` also ``names``, ``scores``,
          ``logfoldchanges``, ``pvals``, ``pvals_adj`` record arrays (one field per group):
          the log2 fold change of group over rest (or the reference) is computed as
          ``sc.tl.rank_genes_groups`` does (log1p data assumed, base
          ``uns["log1p"]["base"]`` or e), so a marker's direction is visible, except when
          seqattn's preprocessing record says ``X`` holds log2 intensities (the proteomics
          preset): then it is the difference of the mean log2 values, and NaN when the
          record says ``X`` was z-scored (``params["logfoldchanges"]`` names the rule
          used); there is no test, so ``pvals`` and ``pvals_adj`` are NaN;
          ``feature_names`` (the columns of ``attention_history``) when they are not
          ``var_names`` (``use_raw`` with fewer features in ``var``).
          ``seqattn.pl.attention_trajectory`` reads all of it (``group=`` for one group's
          panel). With constraints, ``params["constraints"]`` records them (the excluded
          names, the sources of blocks and costs, the budget, the preselected names) and
          ``params["blocks"]`` (block labels in pick order) and ``params["panel_cost"]``
          (with ``feature_costs`` or a ``budget``) describe the panel (per group under
          ``per_group`` when ``per_group``); members of a block share its rank.

    Examples
    --------
    >>> import seqattn
    >>> adata = seqattn.datasets.mice_protein()
    >>> adata = seqattn.pp.preprocess(adata, "zscore", fold_safe=False)
    >>> seqattn.tl.select(adata, "class", "anova", n_features=3)
    >>> adata.uns["seqattn_anova"]["order"].tolist()
    ['SOD1_N', 'CaNA_N', 'Ubiquitin_N']
    >>> int(adata.var["seqattn_anova_selected"].sum())
    3
    """
    from sklearn.base import clone

    from seqattn.evaluate.constraints import resolve_constraints
    from seqattn.methods import make_selector

    for reserved in ("n_features_to_select",):
        if reserved in options:
            raise SeqattnError(f"pass the panel size as n_features, not {reserved}")
    # Checks the method name and its options before any data is looked at.
    template = make_selector(method, None, options, random_state)
    if n_features is None and budget is None:
        raise SeqattnError("n_features is required without a budget; pass n_features=")
    if key_added is None:
        key_added = "seqattn" if method == _SEQUENTIAL_ATTENTION else f"seqattn_{method}"
    X, names = _matrix_and_names(adata, layer, use_raw)
    labels = _labels(adata, groupby)
    reference = str(reference)  # group names are compared as text throughout
    chosen = _chosen_groups(adata, groupby, groups, reference, per_group)
    if all_features and not per_group:
        raise SeqattnError(
            "all_features=True lists every feature in per-group tables; set per_group=True "
            "(a joint panel's full ranking is in uns[key_added]['ranking'])"
        )
    as_text = np.asarray([str(v) for v in labels])
    if n_features is not None and not 1 <= int(n_features) <= len(names):
        raise SeqattnError(f"n_features={n_features} must be between 1 and {len(names)}")
    constraints = resolve_constraints(
        names,
        exclude=exclude,
        feature_groups=feature_groups,
        feature_costs=feature_costs,
        budget=budget,
        preselected=preselected,
        var=adata.raw.var if use_raw else adata.var,
    )
    if constraints.active:  # the selector checks what it can honour, before any fit
        template = make_selector(
            method, None, options, random_state, constraints=constraints.for_features(names)
        )
    template.set_params(n_features_to_select=None if n_features is None else int(n_features))

    subjects = None
    if subject_key is not None:
        if subject_key not in adata.obs.columns:
            raise SeqattnError(
                f"subject_key={subject_key!r} is not a column of adata.obs; "
                f"choose one of: {', '.join(map(str, adata.obs.columns[:20]))}"
            )
        subjects = adata.obs[subject_key].astype(str).to_numpy()

    def fit(rows: np.ndarray | None, y: np.ndarray) -> Any:
        index = slice(None) if rows is None else np.flatnonzero(rows)
        groups = None if subjects is None else subjects[index]
        return clone(template).fit(X[index], y, groups=groups)

    every_group = _every_group(groups)
    params = {
        "groupby": groupby,
        "n_features": -1 if n_features is None else int(n_features),  # -1: the budget alone
        "method": method,
        "reference": reference,
        "groups": "all" if every_group else np.asarray(chosen, dtype=str),
        "use_raw": bool(use_raw),
        "layer": layer if layer is not None else "",
        "per_group": bool(per_group),
        "all_features": bool(all_features),
        "subject_key": subject_key or "",
        "random_state": int(random_state),
        "options": _storable({k: v for k, v in options.items() if k != "device"}),
    }
    if "device" in template.get_params():
        params["device"] = template.get_params()["device"]
    if constraints.active:
        params["constraints"] = _h5ad_safe(constraints.record())
    adata = adata.copy() if copy else adata
    if not per_group:
        rows = None if every_group else np.isin(as_text, chosen)
        sel = fit(rows, labels if rows is None else labels[rows])
        if hasattr(sel, "device_"):
            params["device_used"] = sel.device_
        params["task"] = getattr(sel, "task_", "classification")  # float column: regression
        if constraints.active:
            params.update(_panel_record(sel, names, constraints))
        _write_var(
            adata, key_added, names, sel.selected_features_, sel.selection_scores_, constraints
        )
        adata.uns[key_added] = {
            "params": params,
            "order": np.asarray(names[sel.selected_features_], dtype=str),
            "scores": sel.selection_scores_,
            "ranking": sel.ranking_,
            **_records(sel),
        }
        _note_feature_names(adata, key_added, names)
        return adata if copy else None

    rule = _fold_change_rule(adata, layer, use_raw)
    params["logfoldchanges"] = rule
    columns: dict[str, dict[str, np.ndarray]] = {"names": {}, "scores": {}, "lfc": {}}
    extras: dict[str, dict[str, Any]] = {}
    best_rank = pd.Series(np.inf, index=names)
    best_score = pd.Series(np.nan, index=names)
    for group in chosen:
        in_group = as_text == group
        if reference == "rest":
            sel = fit(None, in_group)
            in_rest = ~in_group
        else:
            in_rest = as_text == reference
            rows = in_group | in_rest
            sel = fit(rows, in_group[rows])
        order = sel.selected_features_
        # The panel in selection order, then (all_features) the rest in the method's ranking.
        listed = np.argsort(sel.ranking_, kind="stable") if all_features else order
        scores = np.full(len(listed), np.nan, dtype=np.float32)
        scores[: len(order)] = sel.selection_scores_
        columns["names"][group] = np.asarray(names[listed], dtype=str)
        columns["scores"][group] = scores
        columns["lfc"][group] = _log_fold_changes(adata, X, in_group, in_rest, listed, rule)
        ranks = pd.Series(constraints.block_ranks(names[order]), index=names[order])
        best_rank.loc[ranks.index] = np.minimum(best_rank.loc[ranks.index], ranks)
        picked = pd.Series(sel.selection_scores_, index=names[order])
        best_score.loc[picked.index] = np.fmax(best_score.loc[picked.index], picked)
        if hasattr(sel, "device_"):
            params["device_used"] = sel.device_
        extras[group] = {
            "order": np.asarray(names[order], dtype=str),
            "scores": sel.selection_scores_,
            **_records(sel),
            **(_panel_record(sel, names, constraints) if constraints.active else {}),
        }
    lengths = {g: len(columns["names"][g]) for g in chosen}
    if len(set(lengths.values())) > 1:  # blocks or a budget: panels of different lengths
        for field_ in columns:
            columns[field_] = {
                g: _padded(v, max(lengths.values())) for g, v in columns[field_].items()
            }
    n_listed = max(lengths.values())
    nan = {g: np.full(n_listed, np.nan, dtype=np.float32) for g in chosen}
    best_rank[np.isinf(best_rank)] = np.nan
    adata.var[f"{key_added}_selected"] = best_rank.reindex(adata.var_names).notna().to_numpy()
    adata.var[f"{key_added}_rank"] = best_rank.reindex(adata.var_names).to_numpy()
    adata.var[f"{key_added}_score"] = best_score.reindex(adata.var_names).to_numpy()
    adata.uns[key_added] = {
        "params": params,
        "names": _rec(columns["names"], str),
        "scores": _rec(columns["scores"], np.float32),
        "logfoldchanges": _rec(columns["lfc"], np.float32),
        # Not a test: no p-values (NaN keeps scanpy's readers working).
        "pvals": _rec(nan, np.float64),
        "pvals_adj": _rec(nan, np.float64),
        "per_group": extras,
    }
    _note_feature_names(adata, key_added, names)
    return adata if copy else None


def sequential_attention(
    adata: Any,
    groupby: str,
    n_features: int | None = None,
    *,
    feature_groups: Any = None,
    feature_costs: Any = None,
    budget: float | None = None,
    exclude: str | Sequence[str] | None = None,
    preselected: Sequence[str] | None = None,
    layer: str | None = None,
    use_raw: bool = False,
    key_added: str = "seqattn",
    per_group: bool = False,
    groups: str | Sequence[str] = "all",
    reference: str = "rest",
    all_features: bool = False,
    device: str = "auto",
    random_state: int = 0,
    copy: bool = False,
    **kwargs: Any,
) -> Any:
    """Select a marker panel of ``n_features`` for ``adata.obs[groupby]`` with Sequential
    Attention: ``select(adata, groupby, "sequential_attention", n_features=n_features, ...)``.

    Parameters and results are those of :func:`select` (the constraints
    ``feature_groups``, ``feature_costs``, ``budget``, ``exclude``, ``preselected`` too);
    ``device`` is ``"auto"``, ``"cpu"``, ``"cuda"`` or ``"cuda:<index>"``, and ``**kwargs``
    are further options of :class:`seqattn.SequentialAttentionSelector` (``hidden``,
    ``epochs``, ``n_restarts`` ...). Scores are the attention weight of each feature at its pick;
    ``uns[key_added]`` also holds ``attention_history`` (k x d), ``loss_curve`` and
    ``pick_steps``, which ``seqattn.pl.attention_trajectory`` reads.

    Examples
    --------
    Ten features, two of which decide the label; a short fit on the CPU (``epochs=20``,
    one network) is enough here:

    >>> import anndata as ad
    >>> import numpy as np
    >>> import pandas as pd
    >>> import seqattn
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(200, 10)).astype(np.float32)
    >>> state = np.where(X[:, 3] + X[:, 7] > 0, "up", "down")
    >>> obs = pd.DataFrame({"state": state}, index=[f"c{i}" for i in range(200)])
    >>> adata = ad.AnnData(X, obs=obs, var=pd.DataFrame(index=[f"g{j}" for j in range(10)]))
    >>> seqattn.tl.sequential_attention(adata, "state", 2, device="cpu", epochs=20, n_restarts=1)
    >>> sorted(adata.uns["seqattn"]["order"].tolist())
    ['g3', 'g7']
    >>> adata.var.columns.tolist()
    ['seqattn_selected', 'seqattn_rank', 'seqattn_score']
    >>> adata.uns["seqattn"]["attention_history"].shape  # one row per pick
    (2, 10)
    """
    return select(
        adata,
        groupby,
        _SEQUENTIAL_ATTENTION,
        n_features=n_features,
        feature_groups=feature_groups,
        feature_costs=feature_costs,
        budget=budget,
        exclude=exclude,
        preselected=preselected,
        layer=layer,
        use_raw=use_raw,
        key_added=key_added,
        per_group=per_group,
        groups=groups,
        reference=reference,
        all_features=all_features,
        random_state=random_state,
        copy=copy,
        device=device,
        **kwargs,
    )
