"""Example and benchmark data sets.

Bundled, offline: the Mice Protein table ships inside the package (``seqattn/datasets/data``,
CC BY 4.0, see ``ATTRIBUTION.md`` there) and ``pbmc68k_reduced`` is the copy that scanpy
itself ships.

Fetched by name: ``nafld_plasma``, ``cbmc_citeseq`` and ``glioma`` read files that each have
a recorded source URL and sha256 (``REGISTRY``). A file is looked up in a local mirror folder
named by the environment variable ``SEQATTN_DATA`` (layout ``$SEQATTN_DATA/<folder>/<file>``,
e.g. ``$SEQATTN_DATA/glioma_microarray/GLIOMA.mat``), then in the cache (``$SEQATTN_CACHE``,
default ``~/.cache/seqattn``, same layout). Nothing is downloaded unless the caller passes
``download=True`` (then the file goes to the cache); a file whose sha256 differs from the
recorded one is refused, and a missing file without ``download=True`` is a one-line
``SeqattnError`` naming ``SEQATTN_DATA`` and ``download=True``. The repository's
``data/`` folder is such a mirror for ``nafld_plasma`` (it holds ``proteinGroups.txt.gz``).
"""

from __future__ import annotations

from importlib import resources

import anndata as ad
import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn.datasets._fetch import CACHE_ENV, DATA_ENV, REGISTRY, Remote, cache_dir, fetch

__all__ = [
    "CACHE_ENV",
    "DATA_ENV",
    "REGISTRY",
    "Remote",
    "cache_dir",
    "cbmc_citeseq",
    "fetch",
    "glioma",
    "mice_protein",
    "mice_protein_path",
    "nafld_plasma",
    "pbmc68k_reduced",
]

_MICE_META = ["MouseID", "Genotype", "Treatment", "Behavior", "class"]


def mice_protein_path() -> str:
    """Path of the bundled Mice Protein CSV (gzip-compressed, original UCI values).

    Examples
    --------
    >>> import pandas as pd
    >>> import seqattn
    >>> table = pd.read_csv(seqattn.datasets.mice_protein_path())
    >>> table.shape, table.columns[:2].tolist()
    ((1080, 82), ['MouseID', 'DYRK1A_N'])
    """
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

    Examples
    --------
    >>> import numpy as np
    >>> import seqattn
    >>> adata = seqattn.datasets.mice_protein()
    >>> adata.shape, int(np.isnan(adata.X).sum())
    ((1080, 77), 1396)
    >>> adata.obs["class"].nunique(), adata.obs["mouse"].nunique()  # group CV by mouse
    (8, 72)
    >>> adata.uns["dataset"]["label"], adata.uns["dataset"]["group"]
    ('class', 'mouse')
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

    Examples
    --------
    >>> import seqattn
    >>> adata = seqattn.datasets.pbmc68k_reduced()
    >>> adata.shape, adata.obs["bulk_labels"].nunique()
    ((700, 765), 10)
    >>> adata.uns["dataset"]["label"]
    'bulk_labels'
    """
    import scanpy as sc

    adata = sc.datasets.pbmc68k_reduced()
    adata.uns["dataset"] = {
        "name": "pbmc68k_reduced",
        "citation": "Zheng GXY et al. (2017) Nat Commun 8:14049 (via scanpy.datasets)",
        "label": "bulk_labels",
    }
    return adata


def _labelled(X, y, name: str, prefix: str) -> ad.AnnData:
    """Unnamed features and numeric labels: ``obs["label"]`` (the number as text), ``s<i>``
    samples, ``<prefix><j>`` features."""
    y = np.ravel(y)
    adata = ad.AnnData(
        X=np.asarray(X, dtype=np.float32),
        obs=pd.DataFrame(
            {"label": pd.Categorical([str(int(v)) for v in y])},
            index=[f"s{i}" for i in range(len(y))],
        ),
        var=pd.DataFrame(index=[f"{prefix}{j}" for j in range(X.shape[1])]),
    )
    adata.uns["dataset"] = {"name": name, "label": "label"}
    return adata


def nafld_plasma(*, download: bool = False) -> ad.AnnData:
    """NAFLD plasma proteomics (MaxQuant): 48 samples, 5 diagnoses, as ``seqattn.io`` reads it.

    ``proteinGroups.txt`` (2611 protein groups; rows flagged Reverse, contaminant or
    only-by-site dropped, 2409 left) with the sample sheet ``metadata.xlsx``; label
    ``disease`` (healthy 10, NAFLD 10, T2D with NAFLD 10, cirrhosis 10, T2D 8). Raw LFQ
    intensities (0 = not quantified): preprocess with the ``proteomics`` preset. Files of
    folder ``nafld_plasma_maxquant`` (see the module docstring for where they are looked up).

    Niu L et al. (2019) Mol Syst Biol 15:e8793; the AlphaPeptStats example data, Apache-2.0.

    Examples
    --------
    The files it reads, each checked against its recorded sha256 (a clone of the
    repository has them in ``data/nafld_plasma_maxquant``: set ``SEQATTN_DATA`` to its
    ``data`` folder):

    >>> from seqattn.datasets import REGISTRY
    >>> sorted(REGISTRY["nafld_plasma_maxquant"])
    ['metadata.xlsx', 'proteinGroups.txt']

    With them in place (or with ``download=True`` once), ``nafld_plasma()`` is a 48 x 2409
    AnnData labelled by ``obs["disease"]``, to preprocess with the ``proteomics`` preset.
    """
    import seqattn.io as sio

    folder = "nafld_plasma_maxquant"
    adata = sio.read(
        fetch(folder, "proteinGroups.txt", download=download),
        "maxquant",
        sample_sheet=fetch(folder, "metadata.xlsx", download=download),
        sample_column="sample",
        label="disease",
    )
    adata.uns["dataset"] = {
        "name": "nafld_plasma",
        "citation": "Niu L et al. (2019) Mol Syst Biol 15(3): e8793",
        "licence": "Apache-2.0 (AlphaPeptStats example data)",
        "label": "disease",
    }
    return adata


def cbmc_citeseq(modality: str = "rna", *, download: bool = False) -> ad.AnnData:
    """CBMC CITE-seq: 8,617 cord-blood cells, 15 cell types (``obs["label"]``, ``"1"`` to ``"15"``).

    ``modality="rna"``: raw UMI counts of the top-2000 genes (``gene0``, ...; no gene names in
    the source); ``"adt"``: 10 normalised (CLR-like) antibody levels (``adt0``, ...). File
    ``cbmc_citeseq/CITE_CBMC_counts_top2000.h5``; needs ``h5py``.

    Stoeckius M et al. (2017) Nat Methods 14:865, labelled by Tian T et al. (2021) scDCC,
    Nat Commun 12:1873 (GitHub ttgump/scDCC, Apache-2.0).

    Examples
    --------
    The file it reads (not bundled; checked against its recorded sha256):

    >>> from seqattn.datasets import REGISTRY
    >>> sorted(REGISTRY["cbmc_citeseq"])
    ['CITE_CBMC_counts_top2000.h5']

    With it in ``$SEQATTN_DATA/cbmc_citeseq/`` (or with ``download=True`` once),
    ``cbmc_citeseq("adt")`` is 8617 cells x 10 antibodies and ``cbmc_citeseq()`` 8617 x
    2000 genes.
    """
    keys = {"rna": ("X", "gene"), "adt": ("ADT_X", "adt")}
    if modality not in keys:
        raise SeqattnError(f"modality={modality!r}: use 'rna' or 'adt'")
    path = fetch("cbmc_citeseq", "CITE_CBMC_counts_top2000.h5", download=download)
    try:
        import h5py
    except ImportError as err:
        raise SeqattnError("cbmc_citeseq needs h5py: pip install h5py") from err
    key, prefix = keys[modality]
    with h5py.File(path, "r") as f:
        X, y = f[key][()], f["Y"][()]
    adata = _labelled(X, y, f"cbmc_{modality}", prefix)
    adata.uns["dataset"]["citation"] = "Stoeckius M et al. (2017) Nat Methods 14:865"
    return adata


def glioma(*, download: bool = False) -> ad.AnnData:
    """GLIOMA microarray: 50 samples x 4434 probes (log10 scale), 4 classes (``obs["label"]``).

    File ``glioma_microarray/GLIOMA.mat`` of the scikit-feature collection; probes are
    unnamed (``probe0``..). Nutt CL et al. (2003) Cancer Res 63(7):1602-7.

    Examples
    --------
    The file it reads (not bundled; checked against its recorded sha256):

    >>> from seqattn.datasets import REGISTRY
    >>> sorted(REGISTRY["glioma_microarray"])
    ['GLIOMA.mat']

    With it in ``$SEQATTN_DATA/glioma_microarray/`` (or with ``download=True`` once),
    ``glioma()`` is 50 samples x 4434 probes labelled by ``obs["label"]``.
    """
    from scipy.io import loadmat

    mat = loadmat(fetch("glioma_microarray", "GLIOMA.mat", download=download))
    adata = _labelled(mat["X"], mat["Y"], "glioma", "probe")
    adata.uns["dataset"]["citation"] = "Nutt CL et al. (2003) Cancer Res 63(7): 1602-7"
    return adata
