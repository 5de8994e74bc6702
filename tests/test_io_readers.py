"""seqattn.io readers on real files and on small files in each tool's column conventions."""

from __future__ import annotations

from pathlib import Path

import anndata as ad
import numpy as np
import pandas as pd
import pytest

import seqattn.io as sio

DATA = Path(__file__).parent / "data"
SIX = ["1_31_C6", "1_32_C7", "1_69_F8", "1_70_F9", "1_41_D4", "1_42_D5"]


@pytest.fixture(scope="module")
def nafld(nafld_folder):
    folder = nafld_folder
    return sio.read(
        folder / "proteinGroups.txt.gz",
        sample_sheet=folder / "metadata.xlsx",
        sample_column="sample",
        label="disease",
    )


def test_nafld_maxquant_with_sample_sheet(nafld):
    a = nafld
    info = a.uns["seqattn_io"]
    assert info["format"] == "maxquant" and info["intensity"] == "LFQ intensity"
    # 2611 protein groups minus the rows flagged Reverse / contaminant / only-by-site.
    assert a.shape == (48, 2409)
    assert info["n_rows_in_file"] == 2611 and info["n_dropped_rows"] == 202
    assert info["dropped"] == {
        "Reverse": 37,
        "Potential contaminant": 81,
        "Only identified by site": 112,
    }
    assert info["label"] == "disease" and info["n_classes"] == 5
    assert isinstance(a.obs["disease"].dtype, pd.CategoricalDtype)
    assert sorted(a.obs["disease"].value_counts().tolist()) == [8, 10, 10, 10, 10]
    assert a.X.dtype == np.float32 and not (a.X == 0).any() and np.isnan(a.X).any()
    assert a.var_names.is_unique and a.var_names[:3].tolist() == ["HLA-DRB1", "SERPINE1", "MFAP4"]
    assert a.var.loc["SERPINE1", "Protein IDs"].startswith("P05121;")
    assert "1_31_C6" in a.obs_names


def test_nafld_round_trips_through_h5ad(nafld, tmp_path):
    out = tmp_path / "n.h5ad"
    nafld.write_h5ad(out)  # sheet columns with mixed types and '/' names must be writable
    back = ad.read_h5ad(out)
    assert back.shape == nafld.shape and back.uns["seqattn_io"]["dropped"]["Reverse"] == 37


def _small_maxquant(path: Path) -> Path:
    cols = [
        "Protein IDs",
        "Majority protein IDs",
        "Gene names",
        "iBAQ",
        "iBAQ peptides",
        "Intensity",
        "Intensity S1",
        "Intensity S2",
        "iBAQ S1",
        "iBAQ S2",
        "LFQ intensity S1",
        "LFQ intensity S2",
        "Only identified by site",
        "Reverse",
        "Potential contaminant",
    ]
    rows = [
        ["P1;P1-2", "P1", "GENEA;GENEB", 5, 3, 30, 10, 20, 2, 3, 11, 21, "", "", ""],
        ["P2", "P2", "", 5, 2, 30, 0, 20, 2, 3, 0, 22, "", "", ""],
        ["P3", "P3", "GENEA", 5, 2, 30, 10, 20, 2, 3, 13, 23, "", "", ""],
        ["REV__P4", "REV__P4", "", 5, 2, 30, 10, 20, 2, 3, 14, 24, "", "+", ""],
        ["CON__P5", "CON__P5", "KRT1", 5, 2, 30, 10, 20, 2, 3, 15, 25, "", "", "+"],
        ["P6", "P6", "SITE", 5, 2, 30, 10, 20, 2, 3, 16, 26, "+", "", "+"],
    ]
    pd.DataFrame(rows, columns=cols).to_csv(path, sep="\t", index=False)
    return path


def test_maxquant_columns_flags_names(tmp_path):
    path = _small_maxquant(tmp_path / "proteinGroups.txt")
    assert sio.detect_format(path) == "maxquant"
    a = sio.read(path)
    assert (
        a.obs_names.tolist() == ["S1", "S2"] and a.uns["seqattn_io"]["intensity"] == "LFQ intensity"
    )
    # Gene names first entry, protein-id fallback for the empty one, repeats made unique.
    assert a.var_names.tolist() == ["GENEA", "P2", "GENEA-1"]
    assert a.var["Protein IDs"].tolist() == ["P1;P1-2", "P2", "P3"]
    assert np.isnan(a.X[0, 1]) and a.uns["seqattn_io"]["n_zeros_to_nan"] == 1
    assert a.uns["seqattn_io"]["dropped"] == {
        "Reverse": 1,
        "Potential contaminant": 2,
        "Only identified by site": 1,
    }
    assert a.uns["seqattn_io"]["n_dropped_rows"] == 3
    ibaq = sio.read(path, intensity="iBAQ")  # not the "iBAQ" total nor "iBAQ peptides"
    assert ibaq.obs_names.tolist() == ["S1", "S2"] and ibaq.X[:, 0].tolist() == [2, 3]
    kept = sio.read(path, drop_flagged=False)
    assert kept.n_vars == 6


def test_mice_protein_csv(tmp_path, mice):
    import gzip

    from seqattn.datasets import mice_protein_path

    # the original UCI file (the bundled copy is it, gzip-compressed; see test_datasets)
    csv = tmp_path / "Data_Cortex_Nuclear.csv"
    csv.write_bytes(gzip.decompress(Path(mice_protein_path()).read_bytes()))
    a = sio.read(csv, sample_column="MouseID", label="class")
    assert a.shape == (1080, 77) and a.uns["seqattn_io"]["samples_as"] == "rows"
    assert int(np.isnan(a.X).sum()) == 1396 and a.obs["class"].nunique() == 8
    assert {"Genotype", "Treatment", "Behavior"} <= set(a.obs.columns)
    np.testing.assert_array_equal(a.X, mice.X)
    assert a.obs_names.tolist() == mice.obs_names.tolist()


def test_bundled_mice_csv_gz():
    from seqattn.datasets import mice_protein_path

    a = sio.read(mice_protein_path(), sample_column="MouseID", label="class")
    assert a.shape == (1080, 77) and a.uns["seqattn_io"]["format"] == "csv"


def test_diann_pg_matrix_with_sheet():
    path = DATA / "diann_report.pg_matrix.tsv"
    assert sio.detect_format(path) == "diann"
    a = sio.read(
        path,
        sample_sheet=DATA / "nafld6_sample_sheet.csv",
        sample_column="sample",
        label="disease",
        group="subject",
        batch="batch",
    )
    assert a.obs_names.tolist() == SIX
    assert a.obs["run"].iloc[0] == "D:\\nafld\\raw\\1_31_C6.raw"
    assert a.var_names.tolist()[-1] == "P24593"  # empty Genes -> leading protein group id
    assert a.var_names[0] == "VCL" and a.var["Protein.Ids"].iloc[0] == "P18206;V9HWK2"
    assert np.isnan(a.X[1, a.var_names.get_loc("ALDOB")])
    assert a.X[0, a.var_names.get_loc("APOA1")] == pytest.approx(2.5019e11, rel=1e-6)
    for col in ("disease", "subject", "batch"):
        assert isinstance(a.obs[col].dtype, pd.CategoricalDtype)
    assert {a.uns["seqattn_io"][k] for k in ("label", "group", "batch")} == {
        "disease",
        "subject",
        "batch",
    }
    full = sio.read_diann(path, sample_names="path")
    assert full.obs_names[0] == "D:\\nafld\\raw\\1_31_C6.raw"


def test_fragpipe_maxlfq_and_contaminants():
    path = DATA / "fragpipe_combined_protein.tsv"
    assert sio.detect_format(path) == "fragpipe"
    a = sio.read(
        path, sample_sheet=DATA / "nafld6_sample_sheet.csv", sample_column="sample", label="disease"
    )
    assert a.obs_names.tolist() == SIX and a.n_vars == 8
    assert a.uns["seqattn_io"]["dropped"] == {"contaminant": 1, "decoy": 0}
    assert "KRT2" not in a.var_names and a.var_names[-1] == "P24593"
    assert np.isnan(a.X[1, a.var_names.get_loc("ALDOB")])
    spc = sio.read_fragpipe(path, intensity="Spectral Count")
    assert set(np.unique(spc.X[~np.isnan(spc.X)])) == {5.0}


def test_csv_samples_as_columns_found_from_sheet(tmp_path):
    diann = sio.read_diann(DATA / "diann_report.pg_matrix.tsv")
    table = pd.DataFrame(diann.X.T, columns=SIX)
    table.insert(0, "description", ["protein"] * diann.n_vars)
    table.insert(0, "gene", diann.var_names)
    path = tmp_path / "matrix.csv"
    table.to_csv(path, index=False)
    a = sio.read(
        path, sample_sheet=DATA / "nafld6_sample_sheet.csv", sample_column="sample", label="disease"
    )
    assert a.uns["seqattn_io"]["samples_as"] == "columns"
    assert a.obs_names.tolist() == SIX and a.var_names.tolist() == diann.var_names.tolist()
    assert a.var["description"].iloc[0] == "protein"
    np.testing.assert_array_equal(a.X, diann.X)
    explicit = sio.read(path, samples_as="columns")
    assert explicit.shape == (6, 8)


def test_tsv_and_parquet_rows(tmp_path, mice):
    sub = mice[::27, :10]  # 40 samples of every class
    df = sub.to_df()
    df.insert(0, "sample", df.index)
    df["class"] = sub.obs["class"].to_numpy()
    df.to_csv(tmp_path / "m.tsv", sep="\t", index=False)
    df.to_parquet(tmp_path / "m.parquet", index=False)
    for name in ("m.tsv", "m.parquet"):
        a = sio.read(tmp_path / name, label="class", sample_column="sample")
        assert a.shape == (40, 10) and a.obs_names.tolist() == sub.obs_names.tolist()
        np.testing.assert_allclose(a.X, sub.X)


def test_h5ad_cells_joined_to_per_sample_sheet(tmp_path):
    obs = pd.DataFrame({"sample": ["1_31_C6", "1_31_C6", "1_69_F8", "1_70_F9"]}, index=list("abcd"))
    X = np.arange(12, dtype=np.float32).reshape(4, 3)
    ad.AnnData(X, obs=obs).write_h5ad(tmp_path / "cells.h5ad")
    a = sio.read(
        tmp_path / "cells.h5ad",
        sample_sheet=DATA / "nafld6_sample_sheet.csv",
        sample_column="sample",
        label="disease",
        backed=True,
    )
    assert a.isbacked and a.obs["disease"].tolist()[:3] == ["healthy", "healthy", "liver cirrhosis"]
    assert a.uns["seqattn_io"]["n_sheet_samples_not_in_data"] == 3  # named in a warning too
    assert a.to_memory().X.sum() == X.sum()


def test_sheet_column_found_from_the_file_sample_names(tmp_path):
    """Without sample_column the sheet column holding the file's sample names is used."""
    sheet = pd.read_csv(DATA / "nafld6_sample_sheet.csv")
    # The sample names in a later column, beside a numeric subject id, as sheets come.
    sheet = sheet[["subject", "disease", "batch", "sample"]]
    sheet.to_excel(tmp_path / "sheet.xlsx", index=False)
    for path in (DATA / "diann_report.pg_matrix.tsv", DATA / "fragpipe_combined_protein.tsv"):
        a = sio.read(path, sample_sheet=tmp_path / "sheet.xlsx", label="disease")
        info = a.uns["seqattn_io"]
        assert info["sample_column"] == "sample" and info["sample_column_detected"]
        assert a.obs_names.tolist() == SIX
        assert a.obs["disease"].tolist() == sheet.set_index("sample").loc[SIX, "disease"].tolist()
    given = sio.read(
        DATA / "diann_report.pg_matrix.tsv", sample_sheet=tmp_path / "sheet.xlsx",
        sample_column="sample",
    )
    assert not given.uns["seqattn_io"]["sample_column_detected"]
    # Cells of an .h5ad: the obs column naming each cell's sample is matched.
    obs = pd.DataFrame({"sample": ["1_31_C6", "1_31_C6", "1_69_F8"]}, index=list("abc"))
    ad.AnnData(np.ones((3, 2), dtype=np.float32), obs=obs).write_h5ad(tmp_path / "cells.h5ad")
    with pytest.warns(UserWarning, match="have no data"):
        cells = sio.read(tmp_path / "cells.h5ad", sample_sheet=tmp_path / "sheet.xlsx")
    assert cells.obs["disease"].tolist() == ["healthy", "healthy", "liver cirrhosis"]


def test_sheet_rows_without_data_are_named(tmp_path):
    sheet = pd.read_csv(DATA / "nafld6_sample_sheet.csv")
    extra = pd.concat([sheet, pd.DataFrame({"sample": ["ghost"], "disease": ["healthy"]})])
    extra.to_excel(tmp_path / "sheet.xlsx", index=False)
    with pytest.warns(UserWarning, match="'ghost'"):
        a = sio.read(
            DATA / "diann_report.pg_matrix.tsv",
            sample_sheet=tmp_path / "sheet.xlsx",
            sample_column="sample",
            label="disease",
        )
    assert a.uns["seqattn_io"]["sheet_samples_not_in_data"] == ["ghost"]


def test_sheet_numeric_ids_from_excel(tmp_path):
    pd.DataFrame({"id": [1, 2, 3], "g": ["x", "y", "x"], "d": ["a", "b", "a"]}).to_excel(
        tmp_path / "s.xlsx", index=False
    )
    pd.DataFrame({"1": [1.0, 2.0], "2": [3.0, 4.0], "3": [5.0, 6.0]}, index=["f1", "f2"]).to_csv(
        tmp_path / "m.csv", index_label="feature"
    )
    a = sio.read(
        tmp_path / "m.csv", sample_sheet=tmp_path / "s.xlsx", sample_column="id", label="d"
    )
    assert a.obs_names.tolist() == ["1", "2", "3"] and a.obs["g"].tolist() == ["x", "y", "x"]
    sheet = sio.read_sample_sheet(tmp_path / "s.xlsx", sample_column="id")
    assert sheet.index.tolist() == ["1", "2", "3"]


def test_pandas_row_index_column_is_not_data(tmp_path):
    pd.DataFrame({"gene": ["a", "b", "c"], "s1": [1.0, 2, 3], "s2": [4.0, 5, 6]}).to_csv(
        tmp_path / "c.csv"
    )
    a = sio.read(tmp_path / "c.csv", samples_as="columns")
    assert a.obs_names.tolist() == ["s1", "s2"] and a.var_names.tolist() == ["a", "b", "c"]
    pd.DataFrame({"sample": ["x", "y"], "f1": [1.0, 2], "f2": [3.0, 4]}).to_csv(tmp_path / "r.csv")
    b = sio.read(tmp_path / "r.csv", sample_column="sample")
    assert b.obs_names.tolist() == ["x", "y"] and b.var_names.tolist() == ["f1", "f2"]
