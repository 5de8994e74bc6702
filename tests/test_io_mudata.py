"""MuData input: ``seqattn.io.read("x.h5mu")`` and ``seqattn.io.from_mudata``.

The CITE-seq fixture (``tests/data/cbmc_citeseq_subset.h5``) holds RNA only, so the
MuData here is small and synthetic: RNA counts and ADT levels of the same cells, with a
name in both modalities (``CD4``), a cell missing from the ADT modality and a label in the
RNA modality's obs.
"""

from __future__ import annotations

import sys
import warnings

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import seqattn.io as sio
from seqattn._errors import SeqattnError

mudata = pytest.importorskip("mudata")

CELLS = [f"cell{i}" for i in range(6)]
GENES = ["CD3E", "CD4", "MS4A1", "LYZ"]
ADTS = ["CD3", "CD4", "CD19"]


def _mdata(*, sparse_rna: bool = False, missing_adt_cell: bool = True):
    rng = np.random.default_rng(0)
    counts = rng.poisson(3, size=(6, 4)).astype(np.float32)
    rna = ad.AnnData(
        sp.csr_matrix(counts) if sparse_rna else counts,
        obs=pd.DataFrame({"cell_type": pd.Categorical(list("TTBBMM"))}, index=CELLS),
        var=pd.DataFrame({"gene_id": [f"ENSG{i}" for i in range(4)]}, index=GENES),
    )
    adt_cells = CELLS[:-1] if missing_adt_cell else CELLS
    adt = ad.AnnData(
        rng.normal(size=(len(adt_cells), 3)),  # float64, as CLR levels often are
        obs=pd.DataFrame(index=adt_cells),
        var=pd.DataFrame({"isotype_control": [False, False, False]}, index=ADTS),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return mudata.MuData({"rna": rna, "adt": adt}), counts, adt


def _write(tmp_path, **kw):
    mdata, counts, adt = _mdata(**kw)
    path = tmp_path / "citeseq.h5mu"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mdata.write(path)
    return path, counts, adt


def test_read_h5mu_round_trip_by_suffix_and_format(tmp_path):
    path, counts, adt = _write(tmp_path, missing_adt_cell=False)
    a = sio.read(path)
    b = sio.read(path, format="h5mu")
    assert sio.detect_format(path) == "h5mu"
    for x in (a, b):
        assert x.shape == (6, 7)
        assert x.X.dtype == np.float32
        assert list(x.obs_names) == CELLS
        np.testing.assert_allclose(x.X[:, :4], counts)
        np.testing.assert_allclose(x.X[:, 4:], adt.X.astype(np.float32))
        assert x.var["modality"].tolist() == ["rna"] * 4 + ["adt"] * 3
        assert x.uns["seqattn_io"]["format"] == "h5mu"
        assert x.uns["seqattn_io"]["modalities"] == ["rna", "adt"]
        assert x.uns["seqattn_io"]["n_features"] == {"rna": 4, "adt": 3}
    assert a.var["gene_id"].iloc[0] == "ENSG0" and a.var["gene_id"].isna().sum() == 3
    assert a.var["isotype_control"].dtype == "boolean"
    assert a.var["isotype_control"].isna().sum() == 4 and not a.var["isotype_control"].iloc[-1]


def test_only_colliding_names_are_prefixed(tmp_path):
    path, _, _ = _write(tmp_path, missing_adt_cell=False)
    a = sio.read(path)
    assert a.var_names.tolist() == ["CD3E", "rna:CD4", "MS4A1", "LYZ", "CD3", "adt:CD4", "CD19"]
    assert a.var_names.is_unique
    assert a.uns["seqattn_io"]["n_renamed_features"] == 2
    # with one modality nothing collides, so nothing is prefixed
    assert sio.read(path, modalities="adt").var_names.tolist() == ADTS


def test_repeat_inside_one_modality_is_made_unique():
    mdata, _, _ = _mdata(missing_adt_cell=False)
    mdata.mod["adt"].var_names = ["CD3", "CD3", "CD19"]
    with pytest.warns(UserWarning, match="repeated feature names"):
        a = sio.from_mudata(mdata, ["adt"])
    assert a.var_names.tolist() == ["CD3", "CD3-1", "CD19"]


def test_shared_cells_global_obs_and_modality_choice(tmp_path):
    path, counts, _ = _write(tmp_path, sparse_rna=True)
    with pytest.warns(UserWarning, match="1 of 6 cells are not in every chosen modality"):
        a = sio.read(path, label="rna:cell_type")
    assert list(a.obs_names) == CELLS[:-1]
    assert sp.issparse(a.X) and a.X.dtype == np.float32
    np.testing.assert_allclose(a.X[:, :4].toarray(), counts[:-1])
    assert a.obs["rna:cell_type"].tolist() == list("TTBBM")
    assert a.uns["seqattn_io"]["n_dropped_obs"] == 1
    # the RNA alone keeps every cell; order follows modalities=
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rna = sio.read(path, modalities=["rna"])
    assert rna.n_obs == 6 and rna.var_names.tolist() == GENES
    with pytest.warns(UserWarning, match="not in every chosen modality"):
        both = sio.read(path, modalities="adt,rna")
    assert both.var["modality"].tolist() == ["adt"] * 3 + ["rna"] * 4
    assert list(both.var["modality"].cat.categories) == ["adt", "rna"]
    # the result writes to .h5ad as it is
    both.write_h5ad(tmp_path / "both.h5ad")


def test_modality_obs_columns_are_pulled_when_the_global_obs_lacks_them():
    mdata, _, _ = _mdata(missing_adt_cell=False)
    mdata.obs = mdata.obs.drop(columns=list(mdata.obs.columns))  # as mudata >= 0.4 leaves it
    a = sio.from_mudata(mdata)
    assert a.obs["rna:cell_type"].tolist() == list("TTBBMM")


def test_anndata_with_a_modality_column_needs_nothing():
    mdata, _, _ = _mdata(missing_adt_cell=False)
    joint = sio.from_mudata(mdata)
    assert sio.from_mudata(joint) is joint
    adt = sio.from_mudata(joint, "adt")
    assert adt.var_names.tolist() == ["CD3", "adt:CD4", "CD19"]
    with pytest.raises(SeqattnError, match=r"needs a var\['modality'\] column"):
        sio.from_mudata(ad.AnnData(np.ones((2, 2), dtype=np.float32)))


@pytest.mark.parametrize(
    ("modalities", "match"),
    [("protein", "unknown modality 'protein'.*choose from rna, adt"), ([], "no or repeated")],
)
def test_unknown_modality_is_one_line(tmp_path, modalities, match):
    path, _, _ = _write(tmp_path)
    with pytest.raises(SeqattnError, match=match) as err:
        sio.read(path, modalities=modalities)
    assert "\n" not in str(err.value) and str(path) in str(err.value)


def test_not_a_mudata_file_is_one_line(tmp_path):
    path = tmp_path / "x.h5mu"
    ad.AnnData(np.ones((2, 2), dtype=np.float32)).write_h5ad(path)
    with pytest.raises(SeqattnError, match=r"cannot read as \.h5mu") as err:
        sio.read(path)
    assert "\n" not in str(err.value)
    text = tmp_path / "y.h5mu"
    text.write_text("not hdf5\n")
    with pytest.raises(SeqattnError, match=r"cannot read as \.h5mu"):
        sio.read(text)


def test_missing_mudata_package_names_the_extra(tmp_path, monkeypatch):
    path, _, _ = _write(tmp_path)
    mdata, _, _ = _mdata()
    monkeypatch.setitem(sys.modules, "mudata", None)  # import mudata now raises ImportError
    for call in (lambda: sio.read(path), lambda: sio.from_mudata(mdata)):
        with pytest.raises(SeqattnError, match=r"pip install 'seqattn\[multimodal\]'") as err:
            call()
        assert "\n" not in str(err.value)
