"""Shared test fixtures: CPU-only, few threads, no network."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def nafld_folder() -> Path:
    """The NAFLD plasma MaxQuant files kept in the repository (data/nafld_plasma_maxquant:
    proteinGroups.txt.gz and metadata.xlsx, the AlphaPeptStats originals; see its README)."""
    return REPO / "data" / "nafld_plasma_maxquant"


@pytest.fixture(scope="session")
def mice():
    """The bundled Mice Protein AnnData (read once per session; copy before mutating)."""
    from seqattn.datasets import mice_protein

    return mice_protein()
