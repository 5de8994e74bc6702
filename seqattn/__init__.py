"""seqattn: Sequential Attention marker-panel selection for omics data.

Submodules (imported on first use, so ``import seqattn`` stays light):

- ``seqattn.SequentialAttentionSelector``: the scikit-learn selector.
- ``seqattn.tl``: scanpy-style tools on AnnData (``seqattn.tl.select`` for any method,
  ``seqattn.tl.sequential_attention``).
- ``seqattn.io`` / ``seqattn.pp``: readers for omics files and preprocessing presets.
- ``seqattn.methods``: the registry of selection methods (Sequential Attention and peers),
  each a scikit-learn selector.
- ``seqattn.evaluate``: leak-free nested cross-validation of any registered method.
- ``seqattn.pl``: figures from AnnData and result tables.
- ``seqattn.report``: ``summary.md`` from the result tables (``write_summary``).
- ``seqattn.datasets``: bundled, offline example data, and the benchmark sets by name
  (local mirror ``$SEQATTN_DATA``, cache, or ``download=True``; sha256-checked).
"""

from __future__ import annotations

import importlib
from typing import Any

from seqattn._version import __version__

_SUBMODULES = {"datasets", "evaluate", "io", "methods", "pl", "pp", "report", "tl", "core"}

__all__ = ["SequentialAttentionSelector", "__version__", *sorted(_SUBMODULES)]


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"seqattn.{name}")
    if name == "SequentialAttentionSelector":
        from seqattn.core import SequentialAttentionSelector

        return SequentialAttentionSelector
    raise AttributeError(f"module 'seqattn' has no attribute {name!r}")
