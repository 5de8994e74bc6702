"""seqattn.tl.sequential_attention on AnnData, including the rank_genes_groups layout."""

from __future__ import annotations

import anndata as ad
import matplotlib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import torch

import seqattn
from seqattn._errors import SeqattnError

matplotlib.use("Agg")
torch.set_num_threads(1)

FAST = {"hidden": (16,)}


@pytest.fixture
def adata():
    """Three groups, each marked by its own gene (g1, g4, g7), among 12 genes.

    ``X`` is dense log-expression (scanpy's automatic dendrogram in the dot plot cannot
    average a small sparse ``X``); the ``counts`` layer is sparse."""
    rng = np.random.default_rng(0)
    n, d = 180, 12
    groups = np.repeat(["A", "B", "C"], n // 3)
    X = rng.poisson(1.0, size=(n, d)).astype(np.float32)
    for group, gene in zip("ABC", (1, 4, 7), strict=True):
        X[groups == group, gene] += 4.0
    obs = pd.DataFrame({"cell_type": pd.Categorical(groups)}, index=[f"c{i}" for i in range(n)])
    var = pd.DataFrame(index=[f"g{j}" for j in range(d)])
    a = ad.AnnData(X=np.log1p(X), obs=obs, var=var)
    a.layers["counts"] = sp.csr_matrix(X)
    return a


def test_writes_var_and_uns(adata, tmp_path):
    # A class_weight dict is stored too: keys as text (labels may hold '/'), then values.
    weights = {"A": 2.0}
    seqattn.tl.sequential_attention(
        adata, "cell_type", 3, device="cpu", class_weight=weights, key_added="cw", **FAST
    )
    stored = adata.uns["cw"]["params"]["options"]["class_weight"]
    assert list(stored["keys"]) == ["A"] and list(stored["values"]) == [2.0]
    seqattn.tl.sequential_attention(adata, "cell_type", 3, device="cpu", **FAST)
    var = adata.var
    assert set(var.index[var["seqattn_selected"]]) == {"g1", "g4", "g7"}
    assert sorted(var["seqattn_rank"].dropna()) == [1.0, 2.0, 3.0]
    assert var["seqattn_score"].notna().sum() == 3
    uns = adata.uns["seqattn"]
    assert uns["params"]["groupby"] == "cell_type" and uns["params"]["n_features"] == 3
    assert uns["params"]["task"] == "classification"
    assert list(uns["order"]) == list(var["seqattn_rank"].dropna().sort_values().index)
    assert uns["attention_history"].shape == (3, 12)
    assert uns["loss_curve"].ndim == 1
    adata.write_h5ad(tmp_path / "out.h5ad")  # everything stored is serialisable


def test_layer_copy_and_bad_input(adata):
    out = seqattn.tl.sequential_attention(
        adata, "cell_type", 2, layer="counts", key_added="sa", copy=True, device="cpu", **FAST
    )
    assert "sa_selected" in out.var and "sa_selected" not in adata.var
    with pytest.raises(SeqattnError, match="obs"):
        seqattn.tl.sequential_attention(adata, "batch", 2)
    with pytest.raises(SeqattnError, match="layer"):
        seqattn.tl.sequential_attention(adata, "cell_type", 2, layer="spliced")


def test_per_group_panels_read_by_scanpy(adata, tmp_path):
    import matplotlib.pyplot as plt
    import scanpy as sc

    seqattn.tl.sequential_attention(
        adata, "cell_type", 2, per_group=True, key_added="markers", device="cpu", **FAST
    )
    table = sc.get.rank_genes_groups_df(adata, "B", key="markers")
    assert list(table.columns) == ["names", "scores", "logfoldchanges", "pvals", "pvals_adj"]
    assert table["names"].iloc[0] == "g4"
    assert table["pvals"].isna().all()
    everything = sc.get.rank_genes_groups_df(adata, None, key="markers")
    assert set(everything["group"]) == {"A", "B", "C"}
    assert adata.var.loc["g1", "markers_selected"]
    sc.pl.rank_genes_groups_dotplot(adata, key="markers", show=False)
    plt.close("all")
    adata.write_h5ad(tmp_path / "groups.h5ad")


@pytest.mark.parametrize(
    ("layer", "base"), [(None, None), ("counts", None), (None, 2.0)], ids=["X", "sparse", "log2"]
)
def test_per_group_fold_changes_are_scanpys(adata, layer, base):
    import scanpy as sc

    if base is not None:
        adata.uns["log1p"] = {"base": base}
    seqattn.tl.sequential_attention(
        adata, "cell_type", 3, per_group=True, layer=layer, key_added="sa", device="cpu", **FAST
    )
    sc.tl.rank_genes_groups(
        adata, "cell_type", method="t-test", layer=layer, use_raw=False, key_added="tt"
    )
    for group, marker in zip("ABC", ("g1", "g4", "g7"), strict=True):
        ours = sc.get.rank_genes_groups_df(adata, group, key="sa").set_index("names")
        theirs = sc.get.rank_genes_groups_df(adata, group, key="tt").set_index("names")
        np.testing.assert_allclose(
            ours["logfoldchanges"], theirs.loc[ours.index, "logfoldchanges"], rtol=1e-5
        )
        assert ours.loc[marker, "logfoldchanges"] > 1  # the group's own marker is up


def test_pbmc68k_reduced_raw(tmp_path):
    from seqattn.datasets import pbmc68k_reduced

    pbmc = pbmc68k_reduced()
    seqattn.tl.sequential_attention(
        pbmc, "bulk_labels", 5, use_raw=True, device="cpu", hidden=(16,), epochs=30
    )
    order = pbmc.uns["seqattn"]["order"]
    assert len(order) == 5 and set(order) <= set(pbmc.raw.var_names)


def test_groups_and_reference_as_in_scanpy(adata):
    import scanpy as sc

    # Joint panel restricted to two groups: fitted on their observations only, so the
    # third group's marker g7 has nothing to separate and is not picked.
    seqattn.tl.sequential_attention(
        adata, "cell_type", 2, groups=["A", "B"], key_added="ab", device="cpu", **FAST
    )
    assert set(adata.uns["ab"]["order"]) == {"g1", "g4"}
    assert list(adata.uns["ab"]["params"]["groups"]) == ["A", "B"]
    # Per group, only the named groups get a panel; each still against all the rest.
    seqattn.tl.sequential_attention(
        adata, "cell_type", 2, per_group=True, groups=["C"], key_added="c", device="cpu", **FAST
    )
    assert adata.uns["c"]["names"].dtype.names == ("C",)
    assert adata.uns["c"]["names"]["C"][0] == "g7"
    # Against a reference group: the reference gets no panel, and each group is told
    # apart from the reference's observations only; fold changes agree with scanpy's.
    seqattn.tl.sequential_attention(
        adata, "cell_type", 2, per_group=True, reference="A", key_added="vsA", device="cpu",
        **FAST,
    )
    assert adata.uns["vsA"]["names"].dtype.names == ("B", "C")
    assert adata.uns["vsA"]["params"]["reference"] == "A"
    sc.tl.rank_genes_groups(adata, "cell_type", method="t-test", reference="A", key_added="tt")
    for group in "BC":
        ours = sc.get.rank_genes_groups_df(adata, group, key="vsA").set_index("names")
        theirs = sc.get.rank_genes_groups_df(adata, group, key="tt").set_index("names")
        np.testing.assert_allclose(
            ours["logfoldchanges"], theirs.loc[ours.index, "logfoldchanges"], rtol=1e-5
        )
    # A marker of the reference group separates it from each group too: g1 is down there.
    assert {"g4", "g1"} <= set(adata.uns["vsA"]["names"]["B"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"groups": "A"}, "list of group names"),
        ({"groups": ["A", "Z"]}, "not values of"),
        ({"groups": ["A"]}, "at least two"),
        ({"reference": "A"}, "needs per_group=True"),
        ({"reference": "Z", "per_group": True}, "not a value of"),
        ({"reference": "A", "groups": ["A"], "per_group": True}, "only the reference"),
        ({"n_hidden": 8}, "unknown option"),
        ({"per_group": True, "groupby": "score"}, "continuous values"),
        ({"all_features": True}, "set per_group=True"),
    ],
)
def test_groups_reference_and_options_errors(adata, kwargs, message):
    adata.obs["score"] = np.linspace(0.0, 1.0, adata.n_obs)
    groupby = kwargs.pop("groupby", "cell_type")
    before = adata.copy()
    with pytest.raises(SeqattnError, match=message):
        seqattn.tl.sequential_attention(adata, groupby, 2, device="cpu", **kwargs)
    assert list(adata.var.columns) == list(before.var.columns) and "seqattn" not in adata.uns


def test_attention_plots_read_what_tl_writes(adata, tmp_path):
    import scanpy as sc

    from seqattn import pl

    # The defaults match: tl's key_added and pl's key are the same "seqattn".
    seqattn.tl.sequential_attention(adata, "cell_type", 3, device="cpu", **FAST)
    w, names, order = pl.attention_matrix(adata)
    assert w.shape == (3, 12) and names == list(adata.var_names)
    assert order == list(adata.uns["seqattn"]["order"])
    pl.attention_trajectory(adata, save=tmp_path / "joint.png")
    with pytest.raises(SeqattnError, match="drop group="):
        pl.attention_matrix(adata, group="A")
    # Per group: one group's history, chosen with group=.
    seqattn.tl.sequential_attention(
        adata, "cell_type", 2, per_group=True, key_added="pg", device="cpu", **FAST
    )
    with pytest.raises(SeqattnError, match="pass group= one of A, B, C"):
        pl.attention_matrix(adata, key="pg")
    _, _, order_b = pl.attention_matrix(adata, key="pg", group="B")
    assert order_b == list(adata.uns["pg"]["names"]["B"])
    # use_raw with fewer features in var: the history's columns are named in uns.
    small = adata[:, :6].copy()
    small.raw = adata
    seqattn.tl.sequential_attention(small, "cell_type", 3, use_raw=True, device="cpu", **FAST)
    assert list(small.uns["seqattn"]["feature_names"]) == list(adata.var_names)
    small.write_h5ad(tmp_path / "raw.h5ad")
    w, names, order = pl.attention_matrix(sc.read_h5ad(tmp_path / "raw.h5ad"))
    assert w.shape == (3, 12) and set(order) == {"g1", "g4", "g7"}


def test_continuous_obs_column_is_a_regression_target(adata):
    rng = np.random.default_rng(1)
    adata.obs["score"] = 2.0 * adata.X[:, 9] + 0.1 * rng.normal(size=adata.n_obs)
    seqattn.tl.sequential_attention(adata, "score", 1, device="cpu", **FAST)
    assert adata.uns["seqattn"]["params"]["task"] == "regression"
    assert list(adata.uns["seqattn"]["order"]) == ["g9"]


@pytest.mark.parametrize("zscore", [False, True], ids=["log2", "zscored"])
def test_per_group_fold_changes_on_proteomics_log2_intensities(zscore):
    """After the proteomics preset X holds log2 intensities (median-centred, so many
    values are negative and scanpy's log1p formula gives NaN): the fold change is the
    difference of mean log2 values, and NaN once the preset z-scores."""
    rng = np.random.default_rng(0)
    n, d = 60, 10
    disease = np.repeat(["healthy", "sick"], n // 2)
    log2 = rng.normal(25.0, 1.0, size=(n, d))
    log2[disease == "sick", 3] += 2.0  # protein 3 is four times as abundant when sick
    obs = pd.DataFrame({"disease": pd.Categorical(disease)}, index=[f"s{i}" for i in range(n)])
    raw = ad.AnnData(
        np.exp2(log2).astype(np.float32), obs=obs, var=pd.DataFrame(index=[f"P{j}" for j in range(d)])
    )
    prot = seqattn.pp.preprocess(raw, "proteomics", fold_safe=False, zscore=zscore)
    seqattn.tl.sequential_attention(
        prot, "disease", 2, per_group=True, key_added="sa", device="cpu", **FAST
    )
    table = pd.DataFrame(
        {"names": prot.uns["sa"]["names"]["sick"], "lfc": prot.uns["sa"]["logfoldchanges"]["sick"]}
    ).set_index("names")
    assert table.index[0] == "P3"
    if zscore:
        assert prot.uns["sa"]["params"]["logfoldchanges"] == "none"
        assert table["lfc"].isna().all()
    else:
        assert prot.uns["sa"]["params"]["logfoldchanges"] == "log2_difference"
        is_sick = (prot.obs["disease"] == "sick").to_numpy()
        X = prot[:, table.index].X
        expected = X[is_sick].mean(axis=0) - X[~is_sick].mean(axis=0)
        np.testing.assert_allclose(table["lfc"], expected, rtol=1e-5, atol=1e-6)
        assert table.loc["P3", "lfc"] == pytest.approx(2.0, abs=0.5)


def test_all_features_lets_scanpy_plot_fold_changes(adata):
    import matplotlib.pyplot as plt
    import scanpy as sc

    seqattn.tl.sequential_attention(
        adata, "cell_type", 2, per_group=True, all_features=True, key_added="sa",
        device="cpu", **FAST,
    )
    panel_only = seqattn.tl.sequential_attention(
        adata, "cell_type", 2, per_group=True, key_added="panel", device="cpu", copy=True,
        **FAST,
    )
    sc.tl.rank_genes_groups(adata, "cell_type", method="t-test", use_raw=False, key_added="tt")
    for group in "ABC":
        table = sc.get.rank_genes_groups_df(adata, group, key="sa")
        assert len(table) == adata.n_vars and set(table["names"]) == set(adata.var_names)
        # the panel first, exactly as without all_features, then NaN scores
        panel = sc.get.rank_genes_groups_df(panel_only, group, key="panel")
        assert table["names"].iloc[:2].tolist() == panel["names"].tolist()
        assert table["scores"].iloc[2:].isna().all() and table["scores"].iloc[:2].notna().all()
        theirs = sc.get.rank_genes_groups_df(adata, group, key="tt").set_index("names")
        np.testing.assert_allclose(
            table.set_index("names")["logfoldchanges"],
            theirs.loc[table["names"], "logfoldchanges"],
            rtol=1e-5,
        )
    # scanpy's values_to_plot needs every feature listed (it refuses the panel-only table)
    sc.pl.rank_genes_groups_dotplot(
        adata, key="sa", n_genes=2, values_to_plot="logfoldchanges", show=False
    )
    plt.close("all")


# ------------------------------------------------------- tl.select: any registered method


def test_select_dispatches_any_method_and_writes_the_same_layout(adata, tmp_path):
    import scanpy as sc

    seqattn.tl.select(adata, "cell_type", "anova", n_features=3)
    var = adata.var
    assert set(var.index[var["seqattn_anova_selected"]]) == {"g1", "g4", "g7"}
    assert sorted(var["seqattn_anova_rank"].dropna()) == [1.0, 2.0, 3.0]
    uns = adata.uns["seqattn_anova"]
    assert uns["params"]["method"] == "anova" and uns["params"]["task"] == "classification"
    assert "device" not in uns["params"]  # anova has no device
    assert sorted(uns["ranking"]) == list(range(1, 13)) and "attention_history" not in uns
    # per-group panels of a marker method in rank_genes_groups' layout
    seqattn.tl.select(
        adata, "cell_type", "t-test", n_features=2, per_group=True, all_features=True,
        key_added="tt",
    )  # fmt: skip
    table = sc.get.rank_genes_groups_df(adata, "B", key="tt")
    # round-robin over (rest, B): B's marker and the rest's best one come first
    assert "g4" in set(table["names"].iloc[:2]) and len(table) == adata.n_vars
    # a torch peer keeps its records (loss curve) and the device it ran on
    seqattn.tl.select(adata, "cell_type", "stg", n_features=3, epochs=20, device="cpu")
    assert adata.uns["seqattn_stg"]["params"]["device_used"] == "cpu"
    assert adata.uns["seqattn_stg"]["loss_curve"].shape == (20,)
    adata.write_h5ad(tmp_path / "peers.h5ad")


def test_select_is_what_the_shortcut_writes(adata):
    a = seqattn.tl.sequential_attention(adata, "cell_type", 2, device="cpu", copy=True, **FAST)
    b = seqattn.tl.select(adata, "cell_type", n_features=2, device="cpu", copy=True, **FAST)
    pd.testing.assert_frame_equal(a.var, b.var)
    for key in ("order", "scores", "ranking", "attention_history", "loss_curve"):
        np.testing.assert_array_equal(a.uns["seqattn"][key], b.uns["seqattn"][key])
    params_a, params_b = a.uns["seqattn"]["params"], b.uns["seqattn"]["params"]
    assert params_a.keys() == params_b.keys() and params_a["device"] == params_b["device"]


def test_select_refuses_unknown_methods_and_options_in_one_line(adata):
    with pytest.raises(SeqattnError, match=r"unknown method 'nope'; known methods: .*anova"):
        seqattn.tl.select(adata, "cell_type", "nope", n_features=2)
    with pytest.raises(SeqattnError, match=r"anova: unknown option\(s\) hidden"):
        seqattn.tl.select(adata, "cell_type", "anova", n_features=2, hidden=(8,))
    with pytest.raises(SeqattnError, match="n_features, not n_features_to_select"):
        seqattn.tl.select(adata, "cell_type", "anova", n_features=2, n_features_to_select=3)
    assert "seqattn_anova" not in adata.uns


def test_subject_key_passes_subjects_to_the_method(adata, monkeypatch):
    seen = []
    original = seqattn.SequentialAttentionSelector.fit

    def spy(self, X, y, groups=None):
        seen.append(None if groups is None else list(groups))
        return original(self, X, y, groups=groups)

    monkeypatch.setattr(seqattn.SequentialAttentionSelector, "fit", spy)
    adata.obs["donor"] = [f"d{i % 7}" for i in range(adata.n_obs)]
    seqattn.tl.sequential_attention(
        adata, "cell_type", n_features=2, subject_key="donor", device="cpu", epochs=5
    )
    assert seen[-1] == list(adata.obs["donor"])
    assert adata.uns["seqattn"]["params"]["subject_key"] == "donor"
    with pytest.raises(SeqattnError, match="subject_key='donr' is not a column"):
        seqattn.tl.sequential_attention(adata, "cell_type", n_features=2, subject_key="donr")
