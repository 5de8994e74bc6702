"""``seqattn.pp.preprocess``: run a preset's per-sample steps and record the rest."""

from __future__ import annotations

import anndata as ad
import numpy as np
import scipy.sparse as sp

from seqattn._errors import SeqattnError
from seqattn._version import __version__
from seqattn.io._checks import preview
from seqattn.io.samplesheet import check_annotations
from seqattn.pp import per_sample
from seqattn.pp.fold import FoldTransformer, rna_columns
from seqattn.pp.presets import resolve_options

KEY = "seqattn_preprocessing"

#: The cross-sample steps each preset leaves to the fold transformer, in order.
FOLD_STEPS = {
    "proteomics": ["completeness_filter", "impute", "zscore"],
    "zscore": ["completeness_filter", "impute", "zscore"],
    "none": ["completeness_filter", "impute", "zscore"],
    "scrna": ["filter_genes", "highly_variable_genes", "scale"],
    "cite": ["highly_variable_genes", "completeness_filter", "impute", "zscore"],
}


def preprocess(
    adata: ad.AnnData,
    preset: str = "proteomics",
    *,
    fold_safe: bool = True,
    label: str | None = None,
    group: str | None = None,
    batch: str | None = None,
    **options,
) -> ad.AnnData:
    """Prepare ``adata`` with a preset; returns a new AnnData (the input is not changed).

    Parameters
    ----------
    adata
        Samples (cells) x features, e.g. from :func:`seqattn.io.read`; a backed AnnData is
        loaded into memory.
    preset
        ``proteomics``: zeros to NaN, drop empty features/samples, log2, per-sample median
        centring | completeness filter, imputation (``downshift`` default), optional z-score.
        ``scrna``: scanpy ``filter_cells``, ``normalize_total``, ``log1p`` |
        ``filter_genes``, ``highly_variable_genes``, optional ``scale``.
        ``zscore``: drop empty | median imputation (a no-op on clean data), z-score.
        ``none``: drop empty | nothing (NaN must not remain).
        ``cite`` (RNA + antibody columns, ``var["modality"]``): RNA columns
        ``filter_cells``, ``normalize_total``, ``log1p`` over the RNA columns only; protein
        columns per-cell CLR | HVG among the RNA columns (``n_top_genes``; protein
        columns always kept), completeness filter, median imputation, z-score.
        The steps before ``|`` look at one sample at a time; those after it learn across
        samples.
    fold_safe
        ``True`` (default, what the workflow uses): run only the per-sample steps and
        record the cross-sample ones under ``uns["seqattn_preprocessing"]["fold"]``, to be
        fitted on each training fold (:func:`seqattn.pp.fold_transformer_from_adata`).
        ``False``: "full" mode, every step on all samples at once (X without NaN, features
        filtered). Fine for exploration and plots; **leaky** as input to cross-validation.
    label, group, batch
        obs column names; default: those recorded by :func:`seqattn.io.read`. ``label``
        feeds the group-wise completeness filters in full mode.
    **options
        Preset options (``min_valid=0.5``, ``impute="knn"``, ``n_top_genes=1000``, ...);
        unknown names raise, listing the preset's options.

    Returns
    -------
    AnnData
        With ``uns["seqattn_preprocessing"]``: ``preset``, ``mode`` (``fold_safe`` or
        ``full``), ``steps`` (names, in order), ``details`` (per-step counts),
        ``options`` (per-sample options), ``fold`` (``{"preset", "options", "steps"}``, only
        in fold-safe mode), and ``label`` / ``group`` / ``batch`` (only those given).

    Examples
    --------
    Fold-safe (the default): the per-sample steps now, the rest recorded for each training
    fold.

    >>> import numpy as np
    >>> import seqattn
    >>> raw = seqattn.datasets.mice_protein()
    >>> adata = seqattn.pp.preprocess(raw, "zscore", label="class", group="mouse")
    >>> record = adata.uns["seqattn_preprocessing"]
    >>> record["steps"], record["fold"]["steps"]
    (['drop_empty'], ['impute', 'zscore'])
    >>> bool(np.isnan(adata.X).any())  # imputation waits for the training folds
    True

    ``fold_safe=False`` runs every step on all samples (for plots, not for validation):

    >>> full = seqattn.pp.preprocess(raw, "zscore", fold_safe=False)
    >>> full.uns["seqattn_preprocessing"]["steps"]
    ['drop_empty', 'impute', 'zscore']
    >>> full.shape, bool(np.isnan(full.X).any())
    ((1080, 77), False)
    """
    sample_opts, fold_opts = resolve_options(preset, options)
    io_info = dict(adata.uns.get("seqattn_io", {})) if "seqattn_io" in adata.uns else {}
    label = label or io_info.get("label")
    group = group or io_info.get("group")
    batch = batch or io_info.get("batch")
    adata = adata.to_memory() if adata.isbacked else adata.copy()
    source = str(io_info.get("path", "the data"))
    _check_matrix(adata, source)
    n_obs_in = adata.n_obs

    steps: list[str] = []
    details: dict[str, dict] = {}
    if preset in ("scrna", "cite"):
        per_cell = per_sample.scrna_per_cell if preset == "scrna" else per_sample.cite_per_cell
        adata, cell_details = per_cell(adata, **sample_opts)
        steps += list(cell_details)
        details.update(cell_details)
    else:
        if sample_opts.get("zeros_to_nan"):
            details["zeros_to_nan"] = per_sample.zeros_to_nan(adata)
            steps.append("zeros_to_nan")
        adata, details["drop_empty"] = per_sample.drop_empty(adata)
        steps.append("drop_empty")
        if sample_opts.get("log2"):
            details["log2"] = per_sample.log2(adata)
            steps.append("log2")
        if sample_opts.get("median_center"):
            details["median_center"] = per_sample.median_center(adata)
            steps.append("median_center")
        if preset in ("zscore", "none") and fold_opts["impute"] == "none":
            n_nan = int(np.isnan(adata.X).sum())
            if n_nan:
                raise SeqattnError(
                    f"{source}: {n_nan} missing values and preset {preset!r} does not impute; pass "
                    "--option impute=knn|min|mean|median|downshift or use --preset proteomics"
                )

    if label and adata.n_obs < n_obs_in:
        # Dropped samples may have emptied a class; re-check before anything is written.
        check_annotations(adata, label=label, group=group, batch=batch, source=source)

    fold_steps = [s for s in FOLD_STEPS[preset] if _step_on(s, fold_opts)]
    record: dict = {
        "preset": preset,
        "mode": "fold_safe" if fold_safe else "full",
        "options": sample_opts,
        "seqattn_version": __version__,
    }
    if fold_safe:
        record["fold"] = {"preset": preset, "options": fold_opts, "steps": fold_steps}
    else:
        y = adata.obs[label].to_numpy() if label else None
        rna = None
        if preset == "cite" and fold_opts["n_top_genes"]:
            rna = rna_columns(adata, sample_opts["rna_modality"])
        ft = FoldTransformer(preset, fold_opts, rna_columns=rna)
        X = ft.fit_transform(adata.X, y)
        adata = adata[:, ft.support_].copy()
        adata.X = X
        steps += fold_steps
        details["fold_steps_on_all_samples"] = {**ft.report_, "options": fold_opts}
    record["steps"] = steps
    record["details"] = details
    for role, col in (("label", label), ("group", group), ("batch", batch)):
        if col:
            record[role] = col
    adata.uns[KEY] = record
    return adata


def _step_on(step: str, opts: dict) -> bool:
    """Whether a fold step does anything with these options."""
    return {
        "completeness_filter": opts.get("min_valid", 0) > 0,
        "impute": opts.get("impute", "none") != "none",
        "zscore": bool(opts.get("zscore")),
        "filter_genes": opts.get("min_cells", 0) > 0,
        "highly_variable_genes": opts.get("n_top_genes", 0) > 0,
        "scale": bool(opts.get("scale")),
    }[step]


def _check_matrix(adata: ad.AnnData, source: str) -> None:
    X = adata.X
    if X is None:
        raise SeqattnError(f"{source}: the AnnData has no X matrix; store the values in X")
    dtype = X.dtype
    if not np.issubdtype(dtype, np.number) or np.issubdtype(dtype, np.complexfloating):
        raise SeqattnError(
            f"{source}: X is not a real numeric matrix (dtype {dtype}); store numbers in X"
        )
    values = X.data if sp.issparse(X) else np.asarray(X)
    if np.issubdtype(dtype, np.floating):
        inf = np.isinf(values)
        if inf.any():
            rows = np.nonzero(np.isinf(X.toarray() if sp.issparse(X) else values))[0]
            raise SeqattnError(
                f"{source}: X holds {int(inf.sum())} infinite values (samples "
                f"{preview(adata.obs_names[np.unique(rows)], 3)}); replace them with NaN or numbers"
            )
