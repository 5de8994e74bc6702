"""Shared test fixtures: CPU-only, few threads, no network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real data sets beside the repository (../shared/data); skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not available on this machine")
    return SHARED_DATA


@pytest.fixture(scope="session")
def mice():
    """The bundled Mice Protein AnnData (read once per session; copy before mutating)."""
    from seqattn.datasets import mice_protein

    return mice_protein()
