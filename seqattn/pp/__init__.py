"""Preprocessing presets, split into per-sample steps and fold-fitted steps.

- :func:`preprocess` (``adata, preset, *, fold_safe=True, **options``): the per-sample
  steps on the whole data, the cross-sample steps recorded in
  ``adata.uns["seqattn_preprocessing"]["fold"]`` (``fold_safe=False``: everything at once,
  leaky for validation).
- :func:`make_fold_transformer` / :func:`fold_transformer_from_adata` ->
  :class:`FoldTransformer`: ``fit(X, y, groups)`` on a training fold,
  ``transform(X) -> float32`` without NaN, ``support_``.
- Presets and their options: :data:`PRESETS`, :func:`available_presets`.
- :mod:`seqattn.pp.scale` (``mean_sd``, ``zscore``): the one column z-score, NaN-aware,
  constant columns centred only (also used by ``seqattn.methods`` and ``seqattn.pl``).

This package never imports ``seqattn.methods``, ``seqattn.core`` or ``seqattn.evaluate``.
"""

from seqattn.pp.fold import FoldTransformer, fold_transformer_from_adata, make_fold_transformer
from seqattn.pp.impute import Imputer
from seqattn.pp.per_sample import clr, drop_empty, log2, median_center, zeros_to_nan
from seqattn.pp.preprocess import KEY, preprocess
from seqattn.pp.presets import PRESETS, available_presets, resolve_options

__all__ = [
    "KEY",
    "PRESETS",
    "FoldTransformer",
    "Imputer",
    "available_presets",
    "clr",
    "drop_empty",
    "fold_transformer_from_adata",
    "log2",
    "make_fold_transformer",
    "median_center",
    "preprocess",
    "resolve_options",
    "zeros_to_nan",
]
