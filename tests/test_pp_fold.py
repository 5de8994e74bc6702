"""FoldTransformer: fitted on the training fold only, no NaN out, support_ over the input."""

from __future__ import annotations

from pathlib import Path

import anndata as ad
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

import seqattn.pp as spp
from seqattn._errors import SeqattnError


@pytest.fixture(scope="module")
def logged(mice):
    """Real values with real missingness: log2 Mice Protein (non-positive cells as NaN)."""
    X = np.array(mice.X, dtype=np.float64)
    X[X <= 0] = np.nan
    return np.log2(X), mice.obs["class"].to_numpy()


def test_completeness_modes():
    nan = np.nan
    X = np.array(
        [
            [1.0, 1.0, nan, 1.0],
            [1.0, 2.0, nan, nan],
            [1.0, nan, 3.0, nan],
            [1.0, nan, 4.0, nan],
        ]
    )
    y = np.array(["a", "a", "b", "b"])
    keep = {
        mode: spp.make_fold_transformer("none", min_valid=1.0, completeness=mode, impute="min")
        .fit(X, y)
        .support_.tolist()
        for mode in ("overall", "any_group", "all_groups")
    }
    assert keep["overall"] == [True, False, False, False]
    assert keep["any_group"] == [True, True, True, False]
    assert keep["all_groups"] == [True, False, False, False]
    half = spp.make_fold_transformer("none", min_valid=0.5, impute="min").fit(X).support_
    assert half.tolist() == [True, True, True, False]
    with pytest.raises(SeqattnError, match="needs class labels"):
        spp.make_fold_transformer("none", min_valid=0.5, completeness="any_group").fit(X)


def test_downshift_is_perseus_per_sample(logged):
    X, _ = logged
    row = X[:1, :].copy()
    obs = row[~np.isnan(row)]
    row = np.repeat(np.hstack([obs, np.full(4000, np.nan)])[None, :], 2, axis=0)
    imp = spp.Imputer("downshift").fit(row)
    filled = imp.transform(row)[0, obs.size :]
    mu, sd = obs.mean(), obs.std(ddof=1)
    assert filled.mean() == pytest.approx(mu - 1.8 * sd, abs=0.05 * sd)
    assert filled.std() == pytest.approx(0.3 * sd, rel=0.1)
    # The same sample gets the same draws whatever batch it is transformed in.
    np.testing.assert_array_equal(imp.transform(row[:1]), imp.transform(row)[:1])


def test_fitted_on_training_rows_only(logged):
    X, y = logged
    train, test = X[:800], X[800:]
    ft = spp.make_fold_transformer("proteomics", impute="min", min_valid=0.0).fit(train, y[:800])
    out = ft.transform(test)
    cols = np.flatnonzero(ft.support_)
    miss = np.isnan(test[:, cols])
    expected_fill = np.nanmin(train[:, cols], axis=0)
    np.testing.assert_allclose(
        out[miss], np.broadcast_to(expected_fill, miss.shape)[miss], rtol=1e-6
    )
    # Refitting on different rows changes what is learned (it is not a whole-data constant).
    other = spp.make_fold_transformer("proteomics", impute="min", min_valid=0.0).fit(test)
    assert not np.allclose(other.transform(test), out)


@pytest.mark.parametrize("impute", ["downshift", "knn", "min", "mean", "median"])
def test_no_nan_out_and_constant_or_empty_training_columns(logged, impute):
    X, y = logged
    train, test = X[:200, :20].copy(), X[200:260, :20].copy()
    train[:, 3] = np.nan  # no value in the training fold: must not be kept
    train[:, 5] = 7.0  # constant in the training fold
    ft = spp.make_fold_transformer("proteomics", impute=impute, zscore=True, min_valid=0.0)
    Z = ft.fit_transform(train, y[:200])
    assert not ft.support_[3] and ft.support_[5] and ft.support_.sum() == 19
    out = ft.transform(test)
    assert out.dtype == np.float32 and np.isfinite(out).all() and np.isfinite(Z).all()
    kept = Z[:, : ft.support_.sum()]
    np.testing.assert_allclose(kept.mean(axis=0), 0, atol=1e-4)


def test_identity_checks_nan_and_shape():
    ft = spp.fold_transformer_from_adata(ad.AnnData(np.ones((3, 2), dtype=np.float32)))
    assert ft.preset == "none"
    X = np.array([[1.0, np.nan], [2.0, 3.0], [3.0, 4.0]])
    with pytest.raises(SeqattnError, match="impute=none"):
        ft.fit(X)
    ok = ft.fit(X[1:])
    with pytest.raises(SeqattnError, match="missing values remain"):
        ok.transform(X)
    with pytest.raises(SeqattnError, match="fitted on 2"):
        ok.transform(np.ones((2, 3)))
    with pytest.raises(SeqattnError, match="not fitted"):
        spp.FoldTransformer("none").transform(X)
    with pytest.raises(SeqattnError, match="infinite"):
        ok.transform(np.array([[np.inf, 1.0]]))


def test_sklearn_clone_and_pipeline(logged):
    X, y = logged
    ft = spp.make_fold_transformer("proteomics", impute="median", zscore=True)
    assert clone(ft).get_params() == ft.get_params()
    pipe = make_pipeline(ft, LogisticRegression(max_iter=200)).fit(X[::5], y[::5])
    assert pipe.score(X[1::5], y[1::5]) > 0.5


def test_scrna_hvg_on_sparse_training_fold():
    import h5py
    import scanpy as sc

    with h5py.File(Path(__file__).parent / "data" / "cbmc_citeseq_subset.h5") as f:
        every72 = f["rows"][:] % 72 == 0  # 120 cells x 2000 genes, raw counts
        cells = ad.AnnData(sp.csr_matrix(f["X"][:][every72]))
    sc.pp.normalize_total(cells, target_sum=1e4)
    sc.pp.log1p(cells)
    X = cells.X.tolil()
    X[:, 7] = 0.0  # a gene never detected
    X = X.tocsr()
    X.eliminate_zeros()
    ft = spp.make_fold_transformer("scrna", n_top_genes=50, scale=True, max_value=5.0)
    Z = ft.fit_transform(X[:80])
    assert ft.support_.sum() == 50 and not ft.support_[7] and Z.dtype == np.float32
    out = ft.transform(X[80:])
    assert (
        out.shape == (X.shape[0] - 80, 50) and np.isfinite(out).all() and np.abs(out).max() <= 5.0
    )
    with pytest.raises(SeqattnError, match="NaN"):
        ft.transform(np.full((2, 2000), np.nan))
