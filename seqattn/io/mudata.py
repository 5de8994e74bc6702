"""MuData (``.h5mu``): several modalities of the same cells as one AnnData.

A CITE-seq study measures RNA and surface protein (ADT) of each cell; a panel may take
markers from either. :func:`from_mudata` puts the modalities side by side in one AnnData
(``var["modality"]`` says where each feature comes from), so every selector sees one
matrix; an AnnData that already has a ``var["modality"]`` column needs nothing.
Needs the ``mudata`` package (``pip install 'seqattn[multimodal]'``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import anndata as ad
import numpy as np
import pandas as pd
import scipy.sparse as sp

from seqattn._errors import SeqattnError
from seqattn.io._checks import (
    check_file,
    check_unique_samples,
    make_unique,
    preview,
    sanitize_frame,
)

#: The ``var`` column naming each feature's modality.
MODALITY = "modality"
#: Put between a modality and a feature name that occurs in several modalities.
SEPARATOR = ":"


def import_mudata() -> Any:
    """The ``mudata`` module, or one line naming the extra that installs it."""
    try:
        import mudata
    except ImportError:
        raise SeqattnError(
            "reading MuData (.h5mu) needs the mudata package: pip install 'seqattn[multimodal]' "
            "(or pip install mudata)"
        ) from None
    return mudata


def _choose(available: list[str], modalities: str | Sequence[str] | None, source: str) -> list[str]:
    """The chosen modalities in the given order (all, in the file's order, when None)."""
    if modalities is None:
        return list(available)
    chosen = (
        [m.strip() for m in modalities.split(",")]
        if isinstance(modalities, str)
        else [str(m) for m in modalities]
    )
    unknown = [m for m in chosen if m not in available]
    if unknown or not chosen or len(set(chosen)) != len(chosen):
        what = f"unknown modality {preview(unknown)}" if unknown else "no or repeated modality"
        raise SeqattnError(
            f"{source}: {what} in modalities={modalities!r}; choose from {', '.join(available)}"
        )
    return chosen


def _names(mods: dict[str, ad.AnnData]) -> tuple[list[pd.Index], int]:
    """Feature names per modality: a name found in several modalities is prefixed
    ``<modality>:`` in each of them; repeats inside one modality get ``-1``, ``-2``."""
    seen: dict[str, int] = {}
    for adata in mods.values():
        for name in set(map(str, adata.var_names)):
            seen[name] = seen.get(name, 0) + 1
    out, renamed = [], 0
    for mod, adata in mods.items():
        names = [str(x) for x in adata.var_names]
        new = [f"{mod}{SEPARATOR}{n}" if seen[n] > 1 else n for n in names]
        renamed += sum(a != b for a, b in zip(names, new, strict=True))
        out.append(pd.Index(new))
    flat = pd.Index([n for idx in out for n in idx])
    if flat.has_duplicates:  # a repeat inside one modality (or a clash with a prefixed name)
        warnings.warn(
            f"repeated feature names {preview(flat[flat.duplicated()].unique())} made unique "
            "with -1, -2 suffixes (anndata's var_names_make_unique)",
            UserWarning,
            stacklevel=3,
        )
        flat = make_unique(flat)
        sizes = np.cumsum([0, *(len(idx) for idx in out)])
        out = [flat[a:b] for a, b in pairwise(sizes)]
    return out, renamed


def _nullable(frames: list[pd.DataFrame]) -> list[pd.DataFrame]:
    """Boolean and integer columns some frames lack become nullable (``boolean``, ``Int64``),
    so the missing cells stay missing and keep the column's type in ``.h5ad``."""
    out = []
    for df in frames:
        df = df.copy()
        for col in df.columns:
            if all(col in other.columns for other in frames):
                continue
            if pd.api.types.is_bool_dtype(df[col]):
                df[col] = df[col].astype("boolean")
            elif pd.api.types.is_integer_dtype(df[col]):
                df[col] = df[col].astype("Int64")
        out.append(df)
    return out


def _matrix(adata: ad.AnnData, mod: str, source: str):
    X = adata.X
    if X is None:
        raise SeqattnError(f"{source}: modality {mod!r} has no X; store its matrix in .X")
    if not sp.issparse(X):
        X = np.asarray(X)
    if not np.issubdtype(X.dtype, np.number):
        raise SeqattnError(
            f"{source}: X of modality {mod!r} is not numeric (dtype {X.dtype}); store numbers in .X"
        )
    return X.astype(np.float32, copy=False)


def _from_anndata(adata: ad.AnnData, modalities, source: str) -> ad.AnnData:
    if MODALITY not in adata.var.columns:
        raise SeqattnError(
            f"{source}: an AnnData needs a var[{MODALITY!r}] column naming each feature's "
            "modality; add one, or pass a MuData"
        )
    present = list(dict.fromkeys(adata.var[MODALITY].astype(str)))
    chosen = _choose(present, modalities, source)
    if chosen == present:
        return adata
    return adata[:, adata.var[MODALITY].astype(str).isin(chosen).to_numpy()].copy()


def from_mudata(
    mdata: Any, modalities: str | Sequence[str] | None = None, *, source: str | None = None
) -> ad.AnnData:
    """One AnnData with the features of several modalities side by side.

    The observations are those shared by every chosen modality, in the MuData's order
    (cells missing from some modality are dropped, with a warning counting them); ``obs``
    is the MuData's global ``obs``, plus each modality's ``obs`` columns that it lacks, as
    ``<modality>:<column>`` (mudata's own naming when it pulls them). The features are the chosen modalities' in the order
    given, ``var["modality"]`` naming each one's modality; a feature name found in more
    than one chosen modality is prefixed ``<modality>:`` (``rna:CD4``, ``adt:CD4``), every
    other name is kept as is. ``X`` is float32, sparse (CSR) when any modality's is.
    Layers, ``obsm`` and ``varm`` are not carried over.

    Parameters
    ----------
    mdata
        A :class:`mudata.MuData` with shared observations (``axis=0``, the default), or an
        AnnData that already has a ``var["modality"]`` column (returned as is, or its
        chosen modalities' columns).
    modalities
        The modalities to keep, e.g. ``["rna", "adt"]`` or ``"rna,adt"`` (default: all, in
        the MuData's order).
    source
        How messages name the input (default: ``"MuData"``).

    Returns
    -------
    AnnData
        ``uns["seqattn_io"]`` records the modalities, their feature counts, the renamed
        names and the dropped cells; the MuData's ``uns`` is kept.

    Examples
    --------
    >>> import anndata as ad, mudata, numpy as np, pandas as pd
    >>> import seqattn
    >>> cells = [f"c{i}" for i in range(4)]
    >>> rna = ad.AnnData(np.ones((4, 3), dtype=np.float32), obs=pd.DataFrame(index=cells),
    ...                  var=pd.DataFrame(index=["CD3E", "CD4", "MS4A1"]))
    >>> adt = ad.AnnData(np.ones((4, 2), dtype=np.float32), obs=pd.DataFrame(index=cells),
    ...                  var=pd.DataFrame(index=["CD3", "CD4"]))
    >>> adata = seqattn.io.from_mudata(mudata.MuData({"rna": rna, "adt": adt}))
    >>> adata.var_names.tolist()
    ['CD3E', 'rna:CD4', 'MS4A1', 'CD3', 'adt:CD4']
    >>> adata.var["modality"].tolist()
    ['rna', 'rna', 'rna', 'adt', 'adt']
    """
    source = source or "MuData"
    if isinstance(mdata, ad.AnnData):
        return _from_anndata(mdata, modalities, source)
    mu = import_mudata()
    if not isinstance(mdata, mu.MuData):
        raise SeqattnError(
            f"{source}: expected a MuData or an AnnData, got {type(mdata).__name__}; read the "
            "file with mudata.read_h5mu or seqattn.io.read"
        )
    if getattr(mdata, "axis", 0) != 0:
        raise SeqattnError(
            f"{source}: this MuData shares features, not observations (axis={mdata.axis}); "
            "give a MuData whose modalities measure the same cells (axis=0)"
        )
    if not mdata.mod:
        raise SeqattnError(f"{source}: the MuData has no modality; add one (mdata.mod)")
    chosen = _choose(list(mdata.mod), modalities, source)
    mods: dict[str, ad.AnnData] = {}
    for m in chosen:
        mod = mdata.mod[m]
        if not isinstance(mod, ad.AnnData) or isinstance(mod, mu.MuData):
            raise SeqattnError(
                f"{source}: modality {m!r} is a nested MuData; give its modalities one level "
                "deep (mdata.mod holding AnnData)"
            )
        check_unique_samples(mod.obs_names, source=source, where=f"obs_names of {m!r}")
        if mod.n_vars == 0:
            raise SeqattnError(
                f"{source}: modality {m!r} has no features; leave it out (modalities=)"
            )
        mods[m] = mod
    check_unique_samples(mdata.obs_names, source=source, where="the MuData's obs_names")
    shared = pd.Index(mdata.obs_names.astype(str))
    for mod in mods.values():
        shared = shared[shared.isin(mod.obs_names.astype(str))]
    n_dropped = mdata.n_obs - len(shared)
    if len(shared) == 0:
        raise SeqattnError(
            f"{source}: no cell is in every chosen modality ({', '.join(chosen)}); check the "
            "modalities' obs_names match, or choose fewer (modalities=)"
        )
    if n_dropped:
        warnings.warn(
            f"{source}: {n_dropped} of {mdata.n_obs} cells are not in every chosen modality "
            f"({', '.join(chosen)}) and were dropped",
            UserWarning,
            stacklevel=2,
        )
    blocks, var_frames = [], []
    names, renamed = _names(mods)
    for (m, mod), idx in zip(mods.items(), names, strict=True):
        rows = mod.obs_names.astype(str).get_indexer(shared)
        blocks.append(_matrix(mod, m, source)[rows])
        var = mod.var.copy()
        var.index = idx
        var[MODALITY] = m
        var_frames.append(var)
    if any(sp.issparse(b) for b in blocks):
        X = sp.hstack([sp.csr_matrix(b) for b in blocks], format="csr", dtype=np.float32)
    else:
        X = np.hstack(blocks).astype(np.float32, copy=False)
    var = pd.concat(_nullable(var_frames), axis=0, join="outer")
    var[MODALITY] = pd.Categorical(var[MODALITY], categories=chosen)
    obs = mdata.obs.copy()
    obs.index = obs.index.astype(str)
    obs = obs.loc[shared]
    for m, mod in mods.items():  # what mdata.update() did not pull (mudata >= 0.4 does not)
        rows = mod.obs_names.astype(str).get_indexer(shared)
        for col in mod.obs.columns:
            if col not in obs.columns and f"{m}{SEPARATOR}{col}" not in obs.columns:
                obs[f"{m}{SEPARATOR}{col}"] = pd.Series(
                    mod.obs[col].iloc[rows].array, index=obs.index
                )
    adata = ad.AnnData(X=X, obs=sanitize_frame(obs), var=sanitize_frame(var), uns=dict(mdata.uns))
    uns = dict(adata.uns.get("seqattn_io", {}))
    uns.update(
        {
            "modalities": chosen,
            "n_features": {m: int(mod.n_vars) for m, mod in mods.items()},
            "n_renamed_features": int(renamed),
            "n_dropped_obs": int(n_dropped),
        }
    )
    adata.uns["seqattn_io"] = uns
    return adata


def read_h5mu(
    path: str | os.PathLike[str], *, modalities: str | Sequence[str] | None = None
) -> ad.AnnData:
    """Read a MuData ``.h5mu`` file as one AnnData over its shared cells (see :func:`from_mudata`).

    Parameters
    ----------
    path
        The file, as written by ``mudata.MuData.write`` / ``write_h5mu``.
    modalities
        The modalities to keep (a list, or comma-separated: ``--option modalities=rna,adt``);
        default: all.

    Returns
    -------
    AnnData
        ``var["modality"]`` names each feature's modality; ``uns["seqattn_io"]`` records the
        source and format.

    Examples
    --------
    >>> import tempfile, warnings
    >>> from pathlib import Path
    >>> import anndata as ad, mudata, numpy as np, pandas as pd
    >>> import seqattn
    >>> cells = pd.DataFrame(index=["c1", "c2", "c3"])
    >>> rna = ad.AnnData(np.ones((3, 2), dtype=np.float32), obs=cells,
    ...                  var=pd.DataFrame(index=["CD3E", "MS4A1"]))
    >>> adt = ad.AnnData(np.ones((3, 1), dtype=np.float32), obs=cells,
    ...                  var=pd.DataFrame(index=["CD3"]))
    >>> path = Path(tempfile.mkdtemp()) / "citeseq.h5mu"
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     mudata.MuData({"rna": rna, "adt": adt}).write(path)
    >>> adata = seqattn.io.read(path, modalities="adt,rna")
    >>> adata.var["modality"].tolist(), adata.var_names.tolist()
    (['adt', 'rna', 'rna'], ['CD3', 'CD3E', 'MS4A1'])
    """
    p = check_file(path)
    mu = import_mudata()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # mudata warns about repeated names; we say it
            mdata = mu.read_h5mu(p)
    except Exception as err:  # h5py/mudata raise many types for a damaged or foreign file
        msg = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise SeqattnError(
            f"{p}: cannot read as .h5mu ({msg[:200]}); check the file was written by mudata "
            "(an .h5ad needs --format h5ad)"
        ) from None
    adata = from_mudata(mdata, modalities, source=str(p))
    if adata.n_vars == 0:
        raise SeqattnError(f"{p}: the chosen modalities have no features; check the file")
    adata.uns["seqattn_io"] = {**adata.uns["seqattn_io"], "path": str(p), "format": "h5mu"}
    return adata


__all__ = ["MODALITY", "SEPARATOR", "from_mudata", "import_mudata", "read_h5mu"]
