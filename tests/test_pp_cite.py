"""Preset ``cite``: RNA and antibody (ADT) columns of the same cells, each normalised as its
modality is (RNA: per-cell total-count normalisation over the RNA columns only and log1p;
ADT: per-cell centred log-ratio), then z-score (and HVG among the RNA columns) fitted on the
training fold only."""

from __future__ import annotations

import warnings

import anndata as ad
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import seqattn.pp as spp
from seqattn._errors import SeqattnError
from seqattn.cli import main
from seqattn.pp.scale import mean_sd


def _cite(rna: np.ndarray, adt: np.ndarray, *, sparse: bool = False, labels=None) -> ad.AnnData:
    n_rna, n_adt = rna.shape[1], adt.shape[1]
    var = pd.DataFrame(
        {"modality": ["rna"] * n_rna + ["adt"] * n_adt},
        index=[f"g{i}" for i in range(n_rna)] + [f"ab{i}" for i in range(n_adt)],
    )
    X = np.hstack([rna, adt]).astype(np.float32)
    obs = pd.DataFrame(index=[f"cell{i}" for i in range(X.shape[0])])
    if labels is not None:
        obs["cell_type"] = labels
    return ad.AnnData(sp.csr_matrix(X) if sparse else X, obs=obs, var=var)


@pytest.fixture(scope="module")
def counts():
    rng = np.random.default_rng(0)
    n = 80
    y = np.array(["T", "B"] * (n // 2))
    rate = rng.gamma(2.0, 1.0, size=200)
    rna = rng.poisson(rate * rng.uniform(0.5, 2.0, size=(n, 1))).astype(np.float32)
    adt = rng.poisson(np.where(y[:, None] == "T", [40, 5, 10, 20], [5, 40, 10, 20]))
    return rna, adt.astype(np.float32), y


def test_clr_by_hand():
    # Cell 1: log1p = ln2 each, g = exp(ln2) = 2, clr = log1p(1 / 2) = ln 1.5.
    # Cell 2: log1p = 0, ln4, ln16, mean = ln4, g = 4, clr = ln(1), ln(1.75), ln(4.75).
    adt = np.array([[1.0, 1.0, 1.0], [0.0, 3.0, 15.0]])
    expected = np.log([[1.5, 1.5, 1.5], [1.0, 1.75, 4.75]])
    np.testing.assert_allclose(spp.clr(adt), expected, rtol=1e-12)
    np.testing.assert_allclose(spp.clr(sp.csr_matrix(adt)), expected, rtol=1e-12)
    np.testing.assert_allclose(spp.clr(adt[1:]), expected[1:], rtol=1e-12)  # per cell only
    rna = np.array([[5.0, 5.0], [2.0, 8.0]])
    out = spp.preprocess(_cite(rna, adt), "cite", min_genes=0)
    np.testing.assert_allclose(out.X[:, 2:], expected, rtol=1e-6)
    rec = out.uns["seqattn_preprocessing"]
    assert rec["preset"] == "cite" and rec["mode"] == "fold_safe"
    assert rec["steps"] == ["filter_cells", "normalize_total", "log1p", "clr"]
    assert rec["details"]["clr"]["columns"] == "adt" and rec["details"]["clr"]["n_columns"] == 3
    assert rec["fold"]["steps"] == ["highly_variable_genes", "impute", "zscore"]
    assert rec["options"]["rna_modality"] == "rna" and rec["options"]["protein_modality"] == "adt"


@pytest.mark.parametrize("sparse", [False, True])
def test_rna_size_factors_ignore_the_antibody_counts(sparse):
    rna = np.array([[10.0, 30.0, 0.0], [10.0, 30.0, 0.0], [1.0, 1.0, 2.0]])
    adt = np.array([[1.0, 2.0], [500.0, 900.0], [3.0, 3.0]])  # cells 0 and 1 differ in ADT only
    a = _cite(rna, adt, sparse=sparse)[:, [0, 3, 1, 4, 2]].copy()  # interleaved columns
    assert list(a.var["modality"]) == ["rna", "adt", "rna", "adt", "rna"]
    out = spp.preprocess(a, "cite", min_genes=0, target_sum=100.0)
    X = out.X.toarray() if sp.issparse(out.X) else out.X
    assert list(out.var_names) == ["g0", "ab0", "g1", "ab1", "g2"]  # order kept
    rna_out = X[:, [0, 2, 4]]
    np.testing.assert_allclose(
        rna_out, np.log1p(rna / rna.sum(axis=1, keepdims=True) * 100), rtol=1e-6
    )
    np.testing.assert_array_equal(rna_out[0], rna_out[1])
    np.testing.assert_allclose(X[:, [1, 3]], spp.clr(adt), rtol=1e-6)
    assert sp.issparse(out.X) == sparse


def test_min_genes_counts_rna_columns_only():
    rna = np.array([[1.0, 0.0, 0.0], [1.0, 1.0, 1.0], [2.0, 2.0, 0.0]])
    adt = np.full((3, 4), 7.0)  # every antibody detected: would pass min_genes=2 if counted
    a = _cite(rna, adt, labels=["x", "y", "x"])
    with pytest.warns(UserWarning, match="dropped 1 cells with fewer than 2"):
        out = spp.preprocess(a, "cite", min_genes=2)
    assert list(out.obs_names) == ["cell1", "cell2"]
    np.testing.assert_allclose(out.X[:, 3:], np.log(1 + 7 / 8), rtol=1e-6)  # g = 1 + 7


def test_fold_steps_fitted_on_the_training_fold_only(counts):
    rna, adt, y = counts
    a = spp.preprocess(_cite(rna, adt, sparse=True, labels=y), "cite", min_genes=0, n_top_genes=30)
    ft = spp.fold_transformer_from_adata(a)
    assert ft.preset == "cite" and ft.options["n_top_genes"] == 30 and ft.options["zscore"]
    train, test = np.arange(60), np.arange(60, 80)
    Xtr, Xte = a.X[train], a.X[test]
    Z = ft.fit(Xtr, y[train]).transform(Xte)
    support = ft.support_
    assert support[-4:].all() and support[:-4].sum() == 30  # 30 HVGs + every antibody
    # The HVGs are those of the training rows alone.
    import scanpy as sc

    hvg = sc.pp.highly_variable_genes(ad.AnnData(Xtr[:, :200]), n_top_genes=30, inplace=False)
    np.testing.assert_array_equal(support[:200], hvg["highly_variable"].to_numpy())
    # z-score with the training mean and SD.
    dense = a.X.toarray()
    mean, sd = mean_sd(dense[train][:, support])
    np.testing.assert_allclose(Z, (dense[test][:, support] - mean) / sd, rtol=1e-5, atol=1e-5)
    assert Z.dtype == np.float32 and np.isfinite(Z).all()
    # Fitted on other rows, it learns something else.
    other = spp.fold_transformer_from_adata(a).fit(a.X[20:], y[20:])
    assert not np.array_equal(other.support_, support) or not np.allclose(other.transform(Xte), Z)
    # n_top_genes=0: no HVG selection, every column kept, var["modality"] not needed.
    plain = spp.make_fold_transformer("cite", n_top_genes=0).fit(Xtr)
    assert plain.support_.all() and plain.transform(Xte).shape == (20, 204)
    with pytest.raises(SeqattnError, match="pass rna_columns"):
        spp.make_fold_transformer("cite").fit(Xtr)


def test_cli_end_to_end_on_h5mu(tmp_path, capsys, counts):
    mudata = pytest.importorskip("mudata")
    rna, adt, y = counts
    cells = [f"cell{i}" for i in range(len(y))]
    rna_ad = ad.AnnData(
        sp.csr_matrix(rna),
        obs=pd.DataFrame({"cell_type": pd.Categorical(y)}, index=cells),
        var=pd.DataFrame(index=[f"G{i}" for i in range(rna.shape[1])]),
    )
    adt_ad = ad.AnnData(adt, obs=pd.DataFrame(index=cells), var=pd.DataFrame(index=list("ABCD")))
    path = tmp_path / "x.h5mu"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mudata.MuData({"rna": rna_ad, "adt": adt_ad}).write(path)
    out = tmp_path / "x.h5ad"
    argv = ["preprocess", str(path), "--preset", "cite", "--label", "rna:cell_type"]
    argv += ["--option", "min_genes=0", "--option", "n_top_genes=50", "--out", str(out)]
    assert main(argv) == 0
    assert "80 samples x 204 features, 2 classes of 'rna:cell_type' (preset cite, fold-safe)" in (
        capsys.readouterr().out
    )
    a = ad.read_h5ad(out)
    rec = a.uns["seqattn_preprocessing"]
    assert rec["preset"] == "cite" and rec["fold"]["options"]["n_top_genes"] == 50
    X = a.X.toarray() if sp.issparse(a.X) else a.X
    np.testing.assert_allclose(X[:, -4:], spp.clr(adt), rtol=1e-5)
    ft = spp.fold_transformer_from_adata(a)
    Z = ft.fit(a.X[:60], a.obs["rna:cell_type"].to_numpy()[:60]).transform(a.X[60:])
    assert Z.shape == (20, 54) and list(a.var_names[ft.support_][-4:]) == list("ABCD")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("drop", r"needs var\[\"modality\"\]"),
        ("rename_rna", "no feature has modality 'rna' .* set --option rna_modality=NAME"),
        ("rename_adt", "no feature has modality 'adt' .* set --option protein_modality=NAME"),
        ("third", "modality 'atac' is neither rna_modality 'rna' nor protein_modality 'adt'"),
        ("negative_adt", "protein columns .* negative values.* --option clr=false"),
        ("nan_rna", "RNA columns .* hold NaN"),
    ],
)
def test_one_line_refusals(change, message):
    a = _cite(np.ones((3, 2)), np.ones((3, 2)))
    mods = a.var["modality"].to_numpy().copy()
    if change == "drop":
        del a.var["modality"]
    elif change == "rename_rna":
        a.var["modality"] = np.where(mods == "rna", "gex", mods)
    elif change == "rename_adt":
        a.var["modality"] = np.where(mods == "adt", "prot", mods)
    elif change == "third":
        a.var["modality"] = ["rna", "atac", "adt", "adt"]
    elif change == "negative_adt":
        a.X[0, 3] = -1.0
    elif change == "nan_rna":
        a.X[0, 0] = np.nan
    with pytest.raises(SeqattnError, match=message) as err:
        spp.preprocess(a, "cite", min_genes=0)
    assert len(str(err.value).splitlines()) == 1


def test_options_name_the_modalities():
    a = _cite(np.ones((3, 2)), np.full((3, 2), 4.0))
    a.var["modality"] = ["gex", "gex", "prot", "prot"]
    out = spp.preprocess(a, "cite", min_genes=0, rna_modality="gex", protein_modality="prot")
    np.testing.assert_allclose(out.X[:, 2:], np.log(1.8))  # 1 + 4 / exp(log1p(4)) = 1.8
    with pytest.raises(SeqattnError, match="rna_modality='' of preset 'cite' must be"):
        spp.preprocess(a, "cite", rna_modality="")
    # Already-normalised antibody levels: clr=false leaves them as they are.
    b = _cite(np.ones((3, 2)), np.array([[-1.0, 2.0]] * 3))
    kept = spp.preprocess(b, "cite", min_genes=0, clr=False)
    np.testing.assert_allclose(kept.X[:, 2:], [[-1.0, 2.0]] * 3)
    assert "clr" not in kept.uns["seqattn_preprocessing"]["steps"]


def test_cli_refuses_a_file_without_modalities_in_one_line(tmp_path, capsys):
    a = _cite(np.ones((4, 2)), np.ones((4, 2)), labels=["x", "y", "x", "y"])
    del a.var["modality"]
    a.write_h5ad(tmp_path / "plain.h5ad")
    out = tmp_path / "out.h5ad"
    argv = ["preprocess", str(tmp_path / "plain.h5ad"), "--preset", "cite", "--label", "cell_type"]
    assert main([*argv, "--out", str(out)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(err) == 1 and 'needs var["modality"]' in err[0] and "rna_modality" in err[0]
    assert not out.exists()
