"""AnnData ``.h5ad`` files, in backed mode when they are large."""

from __future__ import annotations

import os

import anndata as ad
import numpy as np

from seqattn._errors import SeqattnError
from seqattn.io._checks import check_file, check_unique_samples

#: Files larger than this are opened backed (``X`` stays on disk until needed).
BACKED_ABOVE_BYTES = 2 * 1024**3


def read_h5ad(path: str | os.PathLike[str], *, backed: bool | str = "auto") -> ad.AnnData:
    """Read an ``.h5ad`` file.

    Parameters
    ----------
    path
        The file.
    backed
        ``True`` (or ``"r"``) keeps ``X`` on disk (``anndata.read_h5ad(backed="r")``): obs
        and var are in memory, so sample sheets can be joined and labels checked before
        the matrix is loaded; ``seqattn.pp.preprocess`` loads it (``to_memory``).
        ``False`` reads everything. ``"auto"`` (default) is backed above 2 GiB.

    Returns
    -------
    AnnData
        As stored; ``uns["seqattn_io"]`` records the source.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import anndata as ad
    >>> import numpy as np
    >>> import pandas as pd
    >>> import seqattn
    >>> tmp = tempfile.TemporaryDirectory()
    >>> path = Path(tmp.name) / "data.h5ad"
    >>> ad.AnnData(np.arange(6, dtype=np.float32).reshape(3, 2),
    ...            obs=pd.DataFrame({"disease": ["a", "a", "b"]}, index=["s1", "s2", "s3"]),
    ...            var=pd.DataFrame(index=["ALB", "C3"])).write_h5ad(path)
    >>> adata = seqattn.io.read_h5ad(path)
    >>> adata.shape, adata.obs["disease"].tolist(), adata.uns["seqattn_io"]["backed"]
    ((3, 2), ['a', 'a', 'b'], False)

    Backed, ``X`` stays on disk until it is needed:

    >>> backed = seqattn.io.read_h5ad(path, backed=True)
    >>> backed.isbacked, backed.obs_names.tolist()
    (True, ['s1', 's2', 's3'])
    >>> backed.to_memory().X.tolist()
    [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    >>> backed.file.close()
    >>> tmp.cleanup()
    """
    p = check_file(path)
    if backed == "auto":
        backed = p.stat().st_size > BACKED_ABOVE_BYTES
    mode = "r" if backed in (True, "r") else None
    try:
        adata = ad.read_h5ad(p, backed=mode)
    except Exception as err:  # h5py/anndata raise many types for a damaged file
        msg = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise SeqattnError(
            f"{p}: cannot read as .h5ad ({msg}); check the file was written completely"
        ) from None
    check_unique_samples(adata.obs_names, source=p, where="obs_names")
    if adata.n_obs == 0 or adata.n_vars == 0:
        raise SeqattnError(
            f"{p}: the AnnData is empty ({adata.n_obs} x {adata.n_vars}); check the file"
        )
    if not adata.isbacked:
        dtype = getattr(adata.X, "dtype", None)
        if dtype is None or not np.issubdtype(dtype, np.number):
            raise SeqattnError(
                f"{p}: X is not numeric (dtype {dtype}); store a numeric matrix in X"
            )
    uns = dict(adata.uns.get("seqattn_io", {}))
    uns.update({"path": str(p), "format": "h5ad", "backed": bool(adata.isbacked)})
    adata.uns["seqattn_io"] = uns
    return adata
