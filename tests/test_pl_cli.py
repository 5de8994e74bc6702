"""``seqattn plot`` and ``seqattn summary`` on a synthetic results folder."""

import matplotlib

matplotlib.use("Agg")

import pytest
from _synthetic import synthetic_adata, synthetic_results

from seqattn import pl
from seqattn._atomic import write_table
from seqattn.cli import main

EXPECTED = [
    "accuracy_vs_k",
    "attention_trajectory",
    "panel_heatmap",
    "panel_dotplot",
    "marker_violins",
    "selection_frequency",
    "stability",
    "method_similarity",
    "embedding",
    "confusion",
    "cost",
    "cost_accuracy",
    "qc",
]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    """results/<dataset>/ laid out as in CONTRIBUTING.md, with made-up tables."""
    root = tmp_path_factory.mktemp("results") / "synthetic"
    adata = synthetic_adata(n_obs=60, n_vars=16, n_classes=3)
    adata.write_h5ad(root / "data.h5ad") if root.mkdir(parents=True) is None else None
    r = synthetic_results(
        labels=list(adata.obs["label"]),
        features=list(adata.var_names),
        dataset="synthetic",
        ks=(3, 6),
        n_repeats=1,
        n_folds=2,
        methods=("sequential_attention", "anova", "random"),
        classifiers=("logistic",),
    )
    for name in (
        "metrics",
        "predictions",
        "summary",
        "paired",
        "selection_frequency",
        "stability",
        "method_similarity",
        "cost",
    ):
        write_table(r[name], root / "tables" / f"{name}.tsv")
    # what seqattn aggregate writes when the panels had costs: each fold panel costs 2 per
    # feature, 1 more in fold 1
    fits = r["metrics"][["dataset", "method", "k", "repeat", "fold"]].drop_duplicates()
    write_table(
        fits.assign(n_features=fits["k"], cost=2.0 * fits["k"] + fits["fold"], budget=None),
        root / "tables" / "panel_cost.tsv",
    )
    write_table(r["panel"], root / "panels" / "sequential_attention" / "all.tsv")
    write_table(r["attention"], root / "panels" / "sequential_attention" / "all.attention.tsv")
    return root


def test_figure_list_is_documented_and_fixed(tmp_path):
    assert list(pl.FIGURES) == EXPECTED
    files = pl.figure_files(tmp_path, formats=("png", "pdf"))
    assert [f.name for f in files][:2] == ["accuracy_vs_k.png", "accuracy_vs_k.pdf"]
    assert len(files) == 2 * len(EXPECTED)


def test_plot_all_writes_every_figure(results, capsys):
    out = results / "figures"
    rc = main(
        [
            "plot",
            "all",
            "--tables",
            str(results / "tables"),
            "--data",
            str(results / "data.h5ad"),
            "--out-dir",
            str(out),
            "--formats",
            "png",
        ]
    )
    assert rc == 0
    err = capsys.readouterr().err
    assert "placeholder" not in err, err
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(f"{n}.png" for n in EXPECTED)
    assert all(p.stat().st_size > 1000 for p in out.iterdir())


def test_plot_all_skips_what_it_cannot_draw_and_strict_fails(tmp_path, results, capsys):
    # data but no tables: the data's figures are drawn, the tables' figures are skipped
    # (no file, one line each saying why); --strict fails instead
    out = tmp_path / "figs"
    rc = main(
        [
            "plot",
            "all",
            "--tables",
            str(tmp_path / "none"),
            "--data",
            str(results / "data.h5ad"),
            "--out-dir",
            str(out),
            "--formats",
            "png,svg",
        ]
    )
    assert rc == 0
    assert sorted(p.name for p in out.iterdir()) == ["qc.png", "qc.svg"]
    captured = capsys.readouterr()
    assert "accuracy_vs_k: skipped (no summary or metrics table" in captured.err
    assert "qc: ok" in captured.err
    assert f"({len(EXPECTED) - 1} figures skipped: accuracy_vs_k," in captured.out
    rc = main(
        [
            "plot",
            "all",
            "--tables",
            str(tmp_path / "none"),
            "--data",
            str(results / "data.h5ad"),
            "--out-dir",
            str(tmp_path / "strict"),
            "--strict",
        ]
    )
    assert rc == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


def test_plot_all_draws_only_the_figures_named(tmp_path, results, capsys):
    """--figures: the workflow's figures rule draws its own list, strictly."""
    base = ["plot", "all", "--tables", str(results / "tables"), "--data", "none.h5ad"]
    out = tmp_path / "some"
    only = ["--formats", "png", "--strict", "--figures", "cost", "stability"]
    rc = main([*base, "--out-dir", str(out), *only])
    assert rc == 0
    assert sorted(p.name for p in out.iterdir()) == ["cost.png", "stability.png"]
    rc = main([*base, "--out-dir", str(out), "--figures", "costs"])
    assert rc == 2
    assert "unknown figure(s) costs" in capsys.readouterr().err


def test_plot_one_kind(tmp_path, results):
    t = results / "tables"
    assert (
        main(
            [
                "plot",
                "accuracy",
                str(t / "summary.tsv"),
                "--out",
                str(tmp_path / "a.png"),
                "--pdf",
                str(tmp_path / "a.pdf"),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "plot",
                "dotplot",
                "--data",
                str(results / "data.h5ad"),
                "--panel",
                str(results / "panels/sequential_attention/all.tsv"),
                "--out",
                str(tmp_path / "d.png"),
            ]
        )
        == 0
    )
    for name in ("a.png", "a.pdf", "d.png"):
        assert (tmp_path / name).stat().st_size > 1000


def test_plot_bad_input_exits_2(tmp_path, results, capsys):
    rc = main(
        [
            "plot",
            "stability",
            str(results / "tables" / "metrics.tsv"),
            "--out",
            str(tmp_path / "s.png"),
        ]
    )
    assert rc == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "lacks column(s) jaccard_mean" in err
    assert not (tmp_path / "s.png").exists()


def test_summary_command(results, tmp_path):
    out = results / "summary.md"
    assert (
        main(
            [
                "summary",
                "--tables",
                str(results / "tables"),
                "--data",
                str(results / "data.h5ad"),
                "--figures",
                str(results / "figures"),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    text = out.read_text()
    assert text.startswith("# synthetic: marker panel summary")
    assert "60 samples x 16 features, 3 classes (`label`)" in text
    assert "With **k = 6** features, Sequential Attention reaches balanced accuracy" in text
    assert "Best other method at k = 6: ANOVA F" in text and "paired across" in text
    assert "## Final panel (Sequential Attention, all samples, k = 6)" in text
    assert "| rank | feature | score | selection frequency |" in text
    if (results / "figures").is_dir():  # written by test_plot_all_writes_every_figure
        assert "(figures/accuracy_vs_k.png)" in text


def test_write_summary_needs_something(tmp_path):
    from seqattn._errors import SeqattnError
    from seqattn.report import write_summary

    with pytest.raises(SeqattnError, match="nothing to summarise"):
        write_summary(tmp_path / "s.md", tables=tmp_path)
