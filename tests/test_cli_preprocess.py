"""``seqattn preprocess``: real files in, .h5ad out; bad input exits 2 and writes nothing."""

from __future__ import annotations

from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import pytest

from seqattn.cli import main

DATA = Path(__file__).parent / "data"
DIANN = str(DATA / "diann_report.pg_matrix.tsv")
SHEET = str(DATA / "nafld6_sample_sheet.csv")


def test_nafld_end_to_end(nafld_folder, tmp_path, capsys):
    folder = nafld_folder
    out = tmp_path / "nafld.h5ad"
    argv = ["preprocess", str(folder / "proteinGroups.txt.gz"), "--label", "disease"]
    argv += ["--sample-sheet", str(folder / "metadata.xlsx"), "--sample-column", "sample"]
    argv += ["--option", "min_valid=0.5", "--option", "completeness=any_group", "--out", str(out)]
    assert main(argv) == 0
    captured = capsys.readouterr()
    line = captured.out.strip()
    assert len(line.splitlines()) == 1
    assert "48 samples x 956 features, 5 classes of 'disease'" in line
    assert (
        "202 flagged rows (Reverse 37, Potential contaminant 81, Only identified by site 112)"
        in line
    )
    assert "1453 features without values" in line
    assert "warning: " in captured.err and "dropped 1453 features" in captured.err
    a = ad.read_h5ad(out)
    rec = a.uns["seqattn_preprocessing"]
    assert rec["label"] == "disease" and rec["mode"] == "fold_safe"
    assert rec["fold"]["options"]["completeness"] == "any_group"
    assert rec["fold"]["options"]["min_valid"] == 0.5
    assert isinstance(a.obs["disease"].dtype, pd.CategoricalDtype) and np.isnan(a.X).any()


def test_diann_with_group_batch_and_reader_option(tmp_path, capsys):
    out = tmp_path / "d.h5ad"
    argv = ["preprocess", DIANN, "--label", "disease", "--sample-sheet", SHEET]
    argv += ["--sample-column", "sample", "--group", "subject", "--batch", "batch"]
    argv += ["--option", "sample_names=stem", "--option", "impute=knn", "--threads", "1"]
    assert main([*argv, "--out", str(out)]) == 0
    a = ad.read_h5ad(out)
    rec = a.uns["seqattn_preprocessing"]
    assert (rec["label"], rec["group"], rec["batch"]) == ("disease", "subject", "batch")
    assert rec["fold"]["options"]["impute"] == "knn"
    assert all(
        isinstance(a.obs[c].dtype, pd.CategoricalDtype) for c in ("disease", "subject", "batch")
    )
    assert "6 samples x 8 features, 3 classes" in capsys.readouterr().out


def test_full_mode_and_samples_as(tmp_path, mice):
    sub = mice[::27]
    table = sub.to_df().T  # features as rows, samples as columns
    table.index.name = "protein"
    table.to_csv(tmp_path / "m.csv")
    sheet = pd.DataFrame({"id": sub.obs_names, "class": sub.obs["class"].to_numpy()})
    sheet.to_csv(tmp_path / "s.tsv", sep="\t", index=False)
    out = tmp_path / "m.h5ad"
    argv = ["preprocess", str(tmp_path / "m.csv"), "--label", "class", "--samples-as", "columns"]
    argv += [
        "--sample-sheet",
        str(tmp_path / "s.tsv"),
        "--sample-column",
        "id",
        "--preset",
        "zscore",
    ]
    argv += ["--option", "impute=median", "--full", "--out", str(out)]
    assert main(argv) == 0
    a = ad.read_h5ad(out)
    assert a.shape == (40, 77) and np.isfinite(a.X).all()
    assert a.uns["seqattn_preprocessing"]["mode"] == "full"
    np.testing.assert_allclose(a.X.mean(axis=0), 0, atol=1e-4)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--label", "diagnosis"], "label column 'diagnosis' not found"),
        (["--label", "disease", "--option", "nonsense=1"], "--option nonsense is neither"),
        (["--label", "disease", "--option", "min_valid=3"], "must be a fraction"),
        (["--label", "disease", "--option", "intensity=iBAQ"], "does not apply to format diann"),
        (
            ["--label", "disease", "--sample-column", "id"],
            "sample column 'id' not in the sample sheet",
        ),
    ],
)
def test_bad_input_exits_2_without_output(tmp_path, capsys, extra, message):
    out = tmp_path / "x.h5ad"
    argv = ["preprocess", DIANN, "--sample-sheet", SHEET, *extra, "--out", str(out)]
    if "--sample-column" not in extra:
        argv += ["--sample-column", "sample"]
    assert main(argv) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if "error:" in line]
    assert len(err) == 1 and message in err[0] and err[0].startswith("seqattn preprocess: error:")
    assert not out.exists() and not any(tmp_path.iterdir())


def test_missing_input_and_bad_out(tmp_path, capsys):
    assert (
        main(
            [
                "preprocess",
                str(tmp_path / "no.tsv"),
                "--label",
                "y",
                "--out",
                str(tmp_path / "o.h5ad"),
            ]
        )
        == 2
    )
    assert "no.tsv: input file not found" in capsys.readouterr().err
    assert main(["preprocess", DIANN, "--label", "y", "--out", str(tmp_path / "o.csv")]) == 2
    assert "must end in .h5ad" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())
