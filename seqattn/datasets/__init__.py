"""Bundled, offline example data sets.

Nothing here touches the network: the Mice Protein table ships inside the package
(``seqattn/datasets/data``, CC BY 4.0, see ``ATTRIBUTION.md`` there) and
``pbmc68k_reduced`` is the copy that scanpy itself ships.
"""

from __future__ import annotations

from importlib import resources

import anndata as ad
import numpy as np
import pandas as pd

__all__ = ["mice_protein", "mice_protein_path", "pbmc68k_reduced"]

_MICE_META = ["MouseID", "Genotype", "Treatment", "Behavior", "class"]


def mice_protein_path() -> str:
    """Path of the bundled Mice Protein CSV (gzip-compressed, original UCI values)."""
    return str(resources.files("seqattn.datasets") / "data" / "mice_protein.csv.gz")


def mice_protein() -> ad.AnnData:
    """UCI Mice Protein Expression: 1080 samples x 77 proteins, 8 classes.

    Reverse-phase protein array levels of 77 proteins in the cortex nuclear
    fraction of 72 mice (control and Ts65Dn trisomic, with or without memantine,
    context-shock or shock-context learning), 15 technical replicates per mouse.

    Returns
    -------
    AnnData
        ``X``: float32, 1080 x 77, missing values kept as NaN (1396 cells).
        ``obs``: ``class`` (8 classes, categorical), ``Genotype``, ``Treatment``,
        ``Behavior`` and ``mouse`` (the mouse id; group cross-validation by it,
        since the 15 replicates of one mouse are near copies). ``obs_names`` are
        the original ``MouseID`` values (``<mouse>_<replicate>``).
        ``var_names``: protein names as in the source (e.g. ``DYRK1A_N``).

    Notes
    -----
    Licence CC BY 4.0. Cite Higuera, Gardiner & Cios (2015) PLoS ONE 10(6):
    e0129126 and the UCI Machine Learning Repository (dataset 342).
    """
    df = pd.read_csv(mice_protein_path())
    proteins = [c for c in df.columns if c not in _MICE_META]
    obs = df[_MICE_META].copy()
    obs.index = obs.pop("MouseID").astype(str).to_numpy()
    obs.index.name = None
    obs["mouse"] = [name.split("_")[0] for name in obs.index]
    for col in ["class", "Genotype", "Treatment", "Behavior", "mouse"]:
        obs[col] = obs[col].astype("category")
    var = pd.DataFrame(index=pd.Index(proteins, dtype=str))
    adata = ad.AnnData(X=df[proteins].to_numpy(dtype=np.float32), obs=obs, var=var)
    adata.uns["dataset"] = {
        "name": "mice_protein",
        "citation": "Higuera C, Gardiner KJ, Cios KJ (2015) PLoS ONE 10(6): e0129126",
        "licence": "CC BY 4.0",
        "label": "class",
        "group": "mouse",
    }
    return adata


def pbmc68k_reduced() -> ad.AnnData:
    """scanpy's bundled ``pbmc68k_reduced`` (700 cells x 765 genes, offline).

    The label is ``obs["bulk_labels"]`` (10 cell types). ``X`` holds scaled
    log-expression as shipped by scanpy; ``.raw`` holds log-normalised values.
    """
    import scanpy as sc

    adata = sc.datasets.pbmc68k_reduced()
    adata.uns["dataset"] = {
        "name": "pbmc68k_reduced",
        "citation": "Zheng GXY et al. (2017) Nat Commun 8:14049 (via scanpy.datasets)",
        "label": "bulk_labels",
    }
    return adata
