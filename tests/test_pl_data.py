"""seqattn.pl on AnnData: panel heatmap/dotplot/violins, embedding, trajectory, QC."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from _synthetic import synthetic_adata, synthetic_results

from seqattn import pl
from seqattn._errors import SeqattnError

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def adata():
    return synthetic_adata(n_obs=96, n_vars=20, n_classes=4, nan_fraction=0.03, raw_layer=True)


@pytest.fixture(scope="module")
def panel(adata):
    r = synthetic_results(
        labels=list(adata.obs["label"]),
        features=list(adata.var_names),
        ks=(4, 8),
        n_repeats=1,
        n_folds=2,
        classifiers=("logistic",),
    )
    return r["panel"], r["attention"]


def _is_png(path):
    data = path.read_bytes()
    return len(data) > 1000 and data.startswith(PNG)


def test_panel_figures_from_names_and_table(tmp_path, adata, panel):
    table, _ = panel
    feats = list(table["feature"])[:5]
    pl.panel_heatmap(adata, feats, "label", save=tmp_path / "h.png")
    pl.panel_dotplot(adata, table, "label", k=6, save=tmp_path / "d.png")
    pl.marker_violins(adata, table, "label", n=4, save=tmp_path / "v.png")
    pl.marker_violins(adata, feats, "batch", n=2, kind="box", save=tmp_path / "b.png")
    for name in ("h", "d", "v", "b"):
        assert _is_png(tmp_path / f"{name}.png")


def test_panel_errors(adata):
    with pytest.raises(SeqattnError, match="not in the data: NOPE"):
        pl.panel_heatmap(adata, ["P01", "NOPE"], "label")
    with pytest.raises(SeqattnError, match="obs column 'nope' not in the data"):
        pl.panel_dotplot(adata, ["P01"], "nope")
    with pytest.raises(SeqattnError, match="the panel has no features"):
        pl.marker_violins(adata, [], "label")


def test_embedding_imputes_nan_and_says_so(tmp_path, adata, panel):
    fig = pl.embedding(adata, panel[0], "label", group="batch", save=tmp_path / "e.png")
    assert _is_png(tmp_path / "e.png")
    n_nan = int(np.isnan(adata.X).sum())
    assert n_nan > 0 and f"{n_nan} missing values imputed by the feature median" in (
        fig._suptitle.get_text()
    )
    assert len([ax for ax in fig.axes if ax.collections]) == 4  # 2 rows x (all, panel)
    fig = pl.embedding(adata, ["P03"], "label")  # a one-feature panel still draws
    assert "P03" in fig.axes[1].get_xlabel()


def test_trajectory_from_table_adata_and_array(tmp_path, adata, panel):
    _, attention = panel
    path = tmp_path / "all.attention.tsv"
    attention.to_csv(path, sep="\t", index=False)
    fig = pl.attention_trajectory(path, save=tmp_path / "t.png")
    assert _is_png(tmp_path / "t.png")
    order = list(attention["selected"])
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert labels[: len(order)] == [f"{i + 1}. {f}" for i, f in enumerate(order)]

    w = attention.drop(columns=["step", "selected"]).to_numpy()
    names = list(attention.columns[2:])
    a = adata.copy()
    a.uns["seqattn"] = {
        "attention_history": w,
        "order": [names.index(f) for f in order],
    }
    pl.attention_trajectory(a, scale="raw", save=tmp_path / "t2.png")
    w2, n2, o2 = pl.attention_matrix(w, feature_names=names)  # order inferred from argmax
    assert o2 == order and n2 == names and w2.shape == w.shape
    with pytest.raises(SeqattnError, match=r"run seqattn\.tl\.sequential_attention"):
        pl.attention_trajectory(adata)


def test_qc_on_bundled_mice_protein(tmp_path, mice):
    assert int(np.isnan(mice.X).sum()) == 1396
    fig = pl.qc(mice, save=tmp_path / "qc.png")
    assert _is_png(tmp_path / "qc.png")
    text = " ".join(ax.get_title() for ax in fig.axes)
    assert "1396 missing values" in text and "no raw-intensity layer" in text


def test_qc_with_raw_layer_and_without_nan(tmp_path, adata):
    fig = pl.qc(adata, save=tmp_path / "qc.png")
    titles = " ".join(ax.get_title() for ax in fig.axes)
    assert "before normalisation: layer 'raw' (log2)" in titles and "after normalisation" in titles
    full = adata.copy()
    full.X = np.nan_to_num(full.X, nan=20.0)
    fig = pl.qc(full, raw_layer=None, groupby="batch", save=tmp_path / "qc2.png")
    assert any("no missing values" in t.get_text() for ax in fig.axes for t in ax.texts)
    with pytest.raises(SeqattnError, match="layer 'nope' not in the data"):
        pl.qc(adata, raw_layer="nope")
