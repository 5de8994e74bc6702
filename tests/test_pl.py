"""seqattn.pl on the result tables: style, accuracy, stability, confusion, cost, errors."""

import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest
from _synthetic import synthetic_results

from seqattn import pl
from seqattn._errors import SeqattnError
from seqattn.pl.confusion import best_classifier

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def tables():
    return synthetic_results(
        methods=["sequential_attention", "anova", "variance", "my_new_method", "random"],
        ks=(2, 5, 10, 20),
        n_repeats=2,
        n_folds=3,
    )


def _is_image(path, magic=PNG):
    data = path.read_bytes()
    return len(data) > 1000 and data.startswith(magic)


def test_pl_imports_no_method_core_or_evaluate():
    code = (
        "import sys, seqattn.pl; "
        "bad = [m for m in sys.modules if m.split('.')[:2] in "
        "(['seqattn', 'methods'], ['seqattn', 'core'], ['seqattn', 'evaluate'])]; "
        "print(bad); assert not bad; assert 'scanpy' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_method_colors_are_fixed_distinct_and_stable():
    known = [
        "sequential_attention",
        "random",
        "variance",
        "anova",
        "mutual_info",
        "wilcoxon",
        "t-test",
        "logreg",
        "cosg",
        "l1_logistic",
        "mrmr",
        "lassonet",
        "forward_greedy",
        "stg",
        "concrete",
    ]
    colors = pl.method_colors(known)
    assert len(set(colors.values())) == len(known)
    assert colors == {m: pl.METHOD_COLORS[m] for m in known}
    # a method keeps its colour whatever else is drawn; unknown names are deterministic
    a = pl.method_colors(["anova", "zzz_custom"])
    b = pl.method_colors(["zzz_custom", "sequential_attention", "other_custom"])
    assert a["zzz_custom"] == b["zzz_custom"]
    assert a["zzz_custom"] not in pl.METHOD_COLORS.values()
    assert pl.method_colors(["t_test"])["t_test"] == pl.METHOD_COLORS["t-test"]
    many = pl.method_colors([f"custom_{i}" for i in range(12)])
    assert len(set(many.values())) == 12
    assert set(pl.method_markers(known)) == set(known)


def test_accuracy_vs_k_from_summary_writes_png_and_pdf(tmp_path, tables):
    png, pdf = tmp_path / "acc.png", tmp_path / "acc.pdf"
    fig = pl.accuracy_vs_k(tables["summary"], save=[png, pdf], chance=0.25)
    assert len([ax for ax in fig.axes if ax.get_visible() and ax.lines]) == 2  # one per classifier
    assert _is_image(png) and _is_image(pdf, b"%PDF")
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_accuracy_vs_k_from_metrics_path_matches_summary(tmp_path, tables):
    path = tmp_path / "metrics.tsv"
    tables["metrics"].to_csv(path, sep="\t", index=False)
    s1, _ = pl.accuracy.score_summary(path)
    s2, _ = pl.accuracy.score_summary(tables["summary"])
    merged = s1.merge(s2, on=["method", "k", "classifier"])
    assert len(merged) == len(s2)
    assert (merged["mean_x"] - merged["mean_y"]).abs().max() < 1e-12
    pl.accuracy_vs_k(path, metric="f1_macro", band="sem", save=tmp_path / "f1.svg")
    assert (tmp_path / "f1.svg").stat().st_size > 1000


def test_accuracy_all_features_reference_line(tables, tmp_path):
    s = tables["summary"]
    extra = s[s["method"] == "anova"].assign(method="all_features", k=24, mean=0.99)
    fig = pl.accuracy_vs_k(pd.concat([s, extra]), save=tmp_path / "a.png")
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "all features" in labels and labels[0] == "Sequential Attention"


def test_stability_figures(tmp_path, tables):
    pl.selection_frequency(tables["selection_frequency"], k=5, save=tmp_path / "sf.png")
    pl.stability(tables["stability"], save=tmp_path / "st.png")
    pl.method_similarity(tables["method_similarity"], save=tmp_path / "sim.png")
    pl.method_similarity(tables["method_similarity"], measure="kuncheva", save=tmp_path / "k.png")
    for name in ("sf", "st", "sim", "k"):
        assert _is_image(tmp_path / f"{name}.png")


def test_confusion_picks_best_classifier(tmp_path, tables):
    fig = pl.confusion(tables["predictions"], k=10, save=tmp_path / "c.png")
    assert _is_image(tmp_path / "c.png")
    best, means = best_classifier(
        tables["predictions"].query("method == 'sequential_attention' and k == 10")
    )
    assert best in fig._suptitle.get_text() and means[best] == max(means.values())
    pl.confusion(
        tables["predictions"],
        method="anova",
        classifier="random_forest",
        normalize="none",
        save=tmp_path / "c2.png",
    )


def test_cost(tmp_path, tables):
    pl.cost(tables["cost"], save=tmp_path / "cost.png")
    assert _is_image(tmp_path / "cost.png")
    summary = (
        tables["cost"]
        .groupby(["dataset", "method", "k", "metric"])["value"]
        .agg(mean="mean", sd="std", n="count")
        .reset_index()
    )
    pl.cost(summary, k=5, save=tmp_path / "cost2.png")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda t: pl.accuracy_vs_k(t["summary"].drop(columns="mean")), "as summary it lacks mean"),
        (lambda t: pl.accuracy_vs_k(t["summary"].iloc[:0]), "is empty"),
        (lambda t: pl.accuracy_vs_k(t["summary"], metric="nope"), "no rows for metric 'nope'"),
        (lambda t: pl.selection_frequency(t["selection_frequency"], k=7), "no rows for k=7"),
        (lambda t: pl.confusion(t["predictions"], method="nope"), "no method 'nope'"),
        (lambda t: pl.cost(t["summary"]), "no selector_time_s"),
        (lambda t: pl.stability(t["metrics"]), "lacks column(s) jaccard_mean"),
        (lambda t: pl.method_similarity(pd.DataFrame()), "is empty"),
    ],
)
def test_bad_input_is_one_line_seqattn_error(tables, call, message):
    with pytest.raises(SeqattnError) as err:
        call(tables)
    assert message in str(err.value) and "\n" not in str(err.value)


def test_missing_file_and_bad_suffix(tmp_path, tables):
    with pytest.raises(SeqattnError, match="does not exist"):
        pl.stability(tmp_path / "nope.tsv")
    with pytest.raises(SeqattnError, match=r"use a \.png, \.pdf or \.svg"):
        pl.stability(tables["stability"], save=tmp_path / "fig.jpeg")
    assert not (tmp_path / "fig.jpeg").exists()
    two = pd.concat([tables["stability"], tables["stability"].assign(dataset="other")])
    with pytest.raises(SeqattnError, match="pass dataset="):
        pl.stability(two)
    pl.stability(two, dataset="other", save=tmp_path / "ok.png")
