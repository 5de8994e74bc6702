"""seqattn.pp.preprocess: per-sample steps, the fold record, full mode, scRNA via scanpy."""

from __future__ import annotations

import warnings
from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import seqattn.io as sio
import seqattn.pp as spp
from seqattn._errors import SeqattnError

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def nafld(nafld_folder):
    folder = nafld_folder
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return sio.read(
            folder / "proteinGroups.txt.gz",
            sample_sheet=folder / "metadata.xlsx",
            sample_column="sample",
            label="disease",
        )


@pytest.fixture
def six():
    return sio.read(
        DATA / "diann_report.pg_matrix.tsv",
        sample_sheet=DATA / "nafld6_sample_sheet.csv",
        sample_column="sample",
        label="disease",
        group="subject",
    )


def test_proteomics_fold_safe_on_nafld(nafld, tmp_path):
    with pytest.warns(UserWarning, match=r"dropped 1453 features with no value"):
        b = spp.preprocess(nafld, "proteomics")
    rec = b.uns["seqattn_preprocessing"]
    assert b.shape == (48, 956) and nafld.shape == (48, 2409)  # input untouched
    assert rec["mode"] == "fold_safe" and rec["label"] == "disease"
    assert rec["steps"] == ["zeros_to_nan", "drop_empty", "log2", "median_center"]
    assert rec["details"]["drop_empty"] == {"n_features_dropped": 1453, "n_samples_dropped": 0}
    assert rec["fold"]["preset"] == "proteomics"
    assert (
        rec["fold"]["options"]["impute"] == "downshift"
        and rec["fold"]["options"]["min_valid"] == 0.7
    )
    assert rec["fold"]["steps"] == ["completeness_filter", "impute"]
    assert np.isnan(b.X).any()  # NaN kept: imputation happens in the fold
    np.testing.assert_allclose(np.nanmedian(b.X, axis=1), 0, atol=1e-5)
    # per-sample only: a sample's values do not depend on the other samples
    alone = spp.preprocess(nafld[:5], "proteomics")
    common = b.var_names.intersection(alone.var_names)
    np.testing.assert_array_equal(alone[:, common].X, b[:5, common].X)
    out = tmp_path / "b.h5ad"
    b.write_h5ad(out)
    ft = spp.fold_transformer_from_adata(ad.read_h5ad(out))
    assert ft.preset == "proteomics" and ft.options["impute"] == "downshift"


def test_full_mode_runs_everything_and_is_marked(six):
    full = spp.preprocess(
        six, "proteomics", fold_safe=False, impute="min", zscore=True, min_valid=0.6
    )
    rec = full.uns["seqattn_preprocessing"]
    assert rec["mode"] == "full" and "fold" not in rec
    assert rec["steps"][-3:] == ["completeness_filter", "impute", "zscore"]
    assert np.isfinite(full.X).all() and full.X.dtype == np.float32
    assert full.n_vars == 6  # ALDOB and IGFBP5 have values in 3 of 6 samples only
    with pytest.warns(UserWarning, match="optimistic"):
        ft = spp.fold_transformer_from_adata(full)
    assert ft.preset == "none"


def test_group_wise_completeness_in_full_mode(six):
    any_group = spp.preprocess(six, fold_safe=False, min_valid=1.0, completeness="any_group")
    overall = spp.preprocess(six, fold_safe=False, min_valid=1.0)
    # IGFBP5 is in both NAFLD samples but not in every sample.
    assert "P24593" in any_group.var_names and "P24593" not in overall.var_names


def test_all_nan_sample_dropped_and_named(six):
    six.X[2] = 0  # every value of 1_69_F8 "not quantified"
    with pytest.warns(UserWarning, match=r"dropped 1 samples .*'1_69_F8'"):
        b = spp.preprocess(six)
    assert b.n_obs == 5 and b.uns["seqattn_preprocessing"]["details"]["drop_empty"][
        "samples_dropped"
    ] == ["1_69_F8"]


def test_dropping_samples_can_leave_one_class(six):
    six.X[2:] = 0
    with pytest.raises(SeqattnError, match="single class"), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        spp.preprocess(six)


def test_log2_refuses_logged_data_and_zscore_refuses_nan(six):
    logged = six.copy()
    logged.X = np.log2(logged.X) - 30
    with pytest.raises(SeqattnError, match="log2=false"):
        spp.preprocess(logged)
    with pytest.raises(SeqattnError, match="does not impute"):
        spp.preprocess(six, "none")
    with pytest.raises(SeqattnError, match="does not impute"):
        spp.preprocess(six, "zscore", impute="none")
    z = spp.preprocess(six, "zscore")  # median imputation in the fold by default
    assert z.uns["seqattn_preprocessing"]["fold"]["options"]["zscore"] is True
    assert z.uns["seqattn_preprocessing"]["fold"]["options"]["impute"] == "median"


def test_options_are_checked(six):
    with pytest.raises(SeqattnError, match="not an option of preset 'proteomics'"):
        spp.preprocess(six, n_top_genes=10)
    with pytest.raises(SeqattnError, match=r"min_valid=2 .* must be a fraction"):
        spp.preprocess(six, min_valid=2)
    with pytest.raises(SeqattnError, match="impute='zero'"):
        spp.preprocess(six, impute="zero")
    with pytest.raises(SeqattnError, match="unknown preprocessing preset 'limma'"):
        spp.preprocess(six, "limma")
    assert spp.available_presets() == ["cite", "none", "proteomics", "scrna", "zscore"]


def test_inf_in_h5ad_is_refused(six):
    six.X[0, 0] = np.inf
    with pytest.raises(SeqattnError, match=r"infinite values .*'1_31_C6'"):
        spp.preprocess(six)


@pytest.fixture(scope="module")
def cbmc():
    import h5py

    with h5py.File(DATA / "cbmc_citeseq_subset.h5") as f:  # see tests/data/README.md
        every29 = f["rows"][:] % 29 == 0
        X, y = f["X"][:][every29], f["Y"][:][every29]  # 298 cells of all 15 types
    obs = pd.DataFrame({"cell_type": pd.Categorical(y.astype(int).astype(str))})
    obs.index = [f"cell{i}" for i in range(X.shape[0])]
    var = pd.DataFrame(index=[f"gene{j}" for j in range(X.shape[1])])
    return ad.AnnData(sp.csr_matrix(X), obs=obs, var=var)


def test_scrna_calls_scanpy_per_cell_steps(cbmc):
    import scanpy as sc

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        b = spp.preprocess(cbmc, "scrna", label="cell_type", min_genes=100, n_top_genes=200)
    rec = b.uns["seqattn_preprocessing"]
    assert rec["steps"] == ["filter_cells", "normalize_total", "log1p"]
    assert rec["fold"]["steps"] == ["filter_genes", "highly_variable_genes"]
    assert sp.issparse(b.X) and b.n_vars == 2000  # genes are selected per fold, not here
    ref = cbmc[b.obs_names].copy()
    sc.pp.normalize_total(ref, target_sum=1e4)
    sc.pp.log1p(ref)
    np.testing.assert_allclose(b.X.toarray(), ref.X.toarray(), rtol=1e-5)
    ft = spp.fold_transformer_from_adata(b)
    Xt = ft.fit_transform(b.X[:150])
    assert Xt.shape == (150, 200) and ft.support_.sum() == 200
    assert ft.transform(b.X[150:]).shape == (b.n_obs - 150, 200)


def test_scrna_refuses_non_counts(cbmc):
    scaled = cbmc.copy()
    scaled.X = scaled.X.toarray() - 1.0
    with pytest.raises(SeqattnError, match="not raw counts"):
        spp.preprocess(scaled, "scrna")


def test_backed_h5ad_is_loaded(six, tmp_path):
    six.write_h5ad(tmp_path / "s.h5ad")
    a = sio.read(tmp_path / "s.h5ad", backed=True, label="disease")
    b = spp.preprocess(a)
    assert not b.isbacked and b.uns["seqattn_preprocessing"]["label"] == "disease"
