"""seqattn.io on real public protein-level exports (tests/data/exports, see PROVENANCE.md).

Each export is read with the documented command (``format="auto"``, no options); the
refusals are one line that names the file and the flag to fix it; a fuzz test checks that
no input, however malformed, gives anything but AnnData or one SeqattnError line.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import seqattn.io as sio
from seqattn._errors import SeqattnError
from seqattn.cli import main
from seqattn.cli.preprocess import _FORMATS
from seqattn.io.formats import FORMATS

DATA = Path(__file__).parent / "data"
EXPORTS = DATA / "exports"
SHEET = DATA / "nafld6_sample_sheet.csv"


def _read(path, **kwargs):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        adata = sio.read(path, **kwargs)
    return adata, [str(w.message) for w in caught if w.category is UserWarning]


def _raises(match, fn, *args, **kwargs) -> str:
    with pytest.raises(SeqattnError, match=match) as err:
        fn(*args, **kwargs)
    msg = str(err.value)
    assert "\n" not in msg
    return msg


def _value(adata, sample, feature) -> float:
    return float(adata[sample, feature].X[0, 0])


@pytest.mark.parametrize(
    ("path", "fmt", "shape"),
    [
        ("alphapept/results_proteins.csv", "alphapept", (2, 17)),
        ("diann/report_final.pg_matrix.tsv", "diann", (20, 10)),
        ("fragpipe/combined_protein.tsv", "fragpipe", (9, 5)),
        ("maxquant/1356_proteinGroups.txt", "maxquant", (9, 2)),
        ("spectronaut/SN_unit_test_subset.tsv", "spectronaut", (6, 5)),
        ("spectronaut/results_non_european_comma.tsv", "spectronaut", (1, 1)),
        ("mztab/labelfree_SQI.mzTab", "mztab", (2, 5)),
        ("alphadia/AlphaDIA_pg.matrix.tsv", "alphadia", (6, 30)),
    ],
)
def test_real_export_reads_with_no_options(path, fmt, shape):
    adata, caught = _read(EXPORTS / path)
    assert adata.uns["seqattn_io"]["format"] == fmt
    assert adata.shape == shape
    assert adata.X.dtype == np.float32
    assert not caught  # MaxLFQ / LFQ present: no fallback warning


def test_real_export_values():
    ap, _ = _read(EXPORTS / "alphapept/results_proteins.csv")
    assert _value(ap, "A", "P36578") == pytest.approx(466932936.27, rel=1e-6)
    assert ap.uns["seqattn_io"]["dropped"] == {"decoy": 1}  # REV__sp|Q13085|ACACA_HUMAN
    assert np.isnan(_value(ap, "B", "P06454"))  # empty cell
    raw, _ = _read(EXPORTS / "alphapept/results_proteins.csv", intensity="raw")
    assert _value(raw, "A", "P36578") == pytest.approx(445273477.03, rel=1e-6)

    dn, _ = _read(EXPORTS / "diann/report_final.pg_matrix.tsv")
    assert _value(dn, "S1", "HDLBP") == pytest.approx(380503.0)
    assert np.isnan(dn[:, "IGLV4-69"].X).all()  # a row with no values at all

    fp, _ = _read(EXPORTS / "fragpipe/combined_protein.tsv")
    assert fp.uns["seqattn_io"]["intensity"] == "MaxLFQ Intensity"
    assert fp.uns["seqattn_io"]["dropped"]["contaminant"] == 2
    assert _value(fp, "Adnp_IP04", "Adnp") == pytest.approx(2.28773581e9, rel=1e-6)

    mq, _ = _read(EXPORTS / "maxquant/1356_proteinGroups.txt")
    assert mq.uns["seqattn_io"]["intensity"] == "LFQ intensity"
    assert _value(mq, "Adnp_IP05", "RBM8") == pytest.approx(5584800)

    sn, _ = _read(EXPORTS / "spectronaut/SN_unit_test_subset.tsv")
    assert sn.obs_names[0] == "LFQ_24min_500ng_2Th_3ms_A_01"
    assert _value(sn, "LFQ_24min_500ng_2Th_3ms_A_01", "OCA5") == pytest.approx(496.656433)
    ibaq, _ = _read(EXPORTS / "spectronaut/SN_unit_test_subset.tsv", intensity="PG.IBAQ")
    assert _value(ibaq, "LFQ_24min_500ng_2Th_3ms_A_01", "OCA5") == pytest.approx(45.2)

    long, _ = _read(EXPORTS / "spectronaut/results_non_european_comma.tsv")
    assert long.obs["R.Condition"].iloc[0] == "Not Defined"
    assert float(long.X[0, 0]) == pytest.approx(1449.7798)

    mz, _ = _read(EXPORTS / "mztab/labelfree_SQI.mzTab")
    assert list(mz.obs_names) == ["study_variable[1]", "study_variable[2]"]
    assert mz.obs["description"].iloc[0] == "heat shock response of control"
    assert _value(mz, "study_variable[2]", "P07901") == pytest.approx(734432.1524)


def test_maxquant_saved_as_csv_reads_like_the_txt(tmp_path):
    txt = EXPORTS / "maxquant/1356_proteinGroups.txt"
    csv = tmp_path / "proteinGroups.csv"
    pd.read_csv(txt, sep="\t", dtype=str, keep_default_na=False).to_csv(csv, index=False)
    a, _ = _read(txt)
    b, _ = _read(csv)
    assert b.uns["seqattn_io"]["format"] == "maxquant"
    np.testing.assert_array_equal(a.X, b.X)
    # a .txt that holds commas (saved from Excel as CSV under the old name) too
    comma_txt = tmp_path / "proteinGroups.txt"
    comma_txt.write_text(csv.read_text())
    c, _ = _read(comma_txt)
    np.testing.assert_array_equal(a.X, c.X)


def test_fragpipe_without_maxlfq_falls_back_in_one_line(tmp_path):
    df = pd.read_csv(EXPORTS / "fragpipe/combined_protein.tsv", sep="\t", dtype=str,
                     keep_default_na=False)
    df = df[[c for c in df.columns if not c.endswith("MaxLFQ Intensity")]]
    path = tmp_path / "combined_protein.tsv"
    df.to_csv(path, sep="\t", index=False)
    adata, caught = _read(path)
    assert adata.uns["seqattn_io"]["intensity"] == "Intensity"
    assert len(caught) == 1 and "\n" not in caught[0]
    assert "no '<sample> MaxLFQ Intensity' columns, so 'Intensity' is read" in caught[0]
    assert "--option intensity=" in caught[0]
    msg = _raises("no '<sample> MaxLFQ Intensity' columns", sio.read, path,
                  intensity="MaxLFQ Intensity")
    assert "--option intensity=<kind>" in msg and "'Intensity'" in msg


def _philosopher(path: Path, *, empty_indistinguishable: bool = True) -> Path:
    """The older Philosopher layout, column for column as in two real exports.

    Header as in MonashProteomics/FragPipe-Analyst ``www/data/combined_protein.tsv``
    (commit 01982061807f0519a636e5410e1ebf502fcda609) and, without the ``Ion Count``
    columns, xc017/proteomics_c_elegans ``combined_protein.tsv`` (c4fd58f3f8df): no licence
    was found for either repository, so the files are not kept here (PROVENANCE.md); the
    reader was checked by hand against trimmed copies of both. The values below are made up.
    """
    samples = ["ctrl_1", "ctrl_2", "treat_1", "treat_2"]
    head = ["Protein Group", "SubGroup", "Protein", "Protein ID", "Entry Name", "Gene Names",
            "Protein Length", "Coverage", "Organism", "Protein Existence", "Description",
            "Protein Probability", "Top Peptide Probability", "Unique Stripped Peptides",
            "Summarized Total Spectral Count", "Summarized Unique Spectral Count",
            "Summarized Razor Spectral Count"]
    for s in samples:
        head += [f"{s} Total Spectral Count ", f"{s} Unique Spectral Count",
                 f"{s} Razor Spectral Count", f"{s} Total Ion Count", f"{s} Unique Ion Count",
                 f"{s} Razor Ion Count", f"{s} Total Intensity", f"{s} Unique Intensity",
                 f"{s} Razor Intensity"]
    head.append("Indistinguishable Proteins")
    rows = []
    for i, (acc, gene) in enumerate([("P02768", "ALB"), ("P01009", "SERPINA1"),
                                     ("P00738", "HP"), ("Q9ZZZ9", "")]):
        row = [str(i + 1), "a", f"sp|{acc}|{gene or acc}_HUMAN", acc, f"{gene or acc}_HUMAN",
               gene, "600", "40", "Homo sapiens", "1", "d", "1.0", "0.99", "5", "10", "8", "9"]
        for j, _ in enumerate(samples):
            row += ["3", "2", "2", "2", "1", "2", f"{(i + 1) * 1e6 + j:.1f}",
                    f"{(i + 1) * 5e5 + j:.1f}", "0"]
        row.append("" if empty_indistinguishable else "sp|X|Y")
        rows.append(row)
    path.write_text("\n".join("\t".join(r) for r in [head, *rows]) + "\n")
    return path


def test_fragpipe_philosopher_layout(tmp_path):
    path = _philosopher(tmp_path / "combined_protein.tsv")
    adata, caught = _read(path)
    assert adata.uns["seqattn_io"]["format"] == "fragpipe"
    assert list(adata.obs_names) == ["ctrl_1", "ctrl_2", "treat_1", "treat_2"]  # no "Summarized"
    assert list(adata.var_names) == ["ALB", "SERPINA1", "HP", "Q9ZZZ9"]  # Gene Names, else id
    assert adata.uns["seqattn_io"]["intensity"] == "Total Intensity"
    assert len(caught) == 1
    counts, _ = _read(path, intensity="Total Spectral Count")  # header had a trailing space
    assert counts.n_obs == 4
    unique, _ = _read(path, intensity="Unique Intensity")
    unique.write_h5ad(tmp_path / "out.h5ad")  # all-empty Indistinguishable Proteins column
    assert _value(adata, "treat_2", "HP") == pytest.approx(3e6 + 3)  # '<s> Total Intensity'
    assert list(adata.var["Protein ID"]) == ["P02768", "P01009", "P00738", "Q9ZZZ9"]
    # '<s> Total Ion Count' is not an intensity kind and names no sample
    _raises("not a FragPipe quantity", sio.read, path, intensity="Total Ion Count")


def test_cli_writes_fragpipe_unique_intensity(tmp_path, capsys):
    path = _philosopher(tmp_path / "combined_protein.tsv")
    sheet = tmp_path / "s.csv"
    sheet.write_text("sample,group\nctrl_1,c\nctrl_2,c\ntreat_1,t\ntreat_2,t\n")
    out = tmp_path / "o.h5ad"
    rc = main(["preprocess", str(path), "--sample-sheet", str(sheet), "--label", "group",
               "--option", "intensity=Unique Intensity", "--out", str(out)])
    assert rc == 0 and out.exists()


def test_alphadia_pg_matrix(tmp_path):
    for first in ("pg", "pg.name"):
        path = tmp_path / f"{first}.pg.matrix.tsv"
        path.write_text(
            f"{first}\t20231017_HeLa_01\t20231017_HeLa_02\n"
            "P12345;P12346\t1000.5\t0\nQ99999\t\t2000\n"
        )
        adata, _ = _read(path)
        assert adata.uns["seqattn_io"]["format"] == "alphadia"
        assert list(adata.obs_names) == ["20231017_HeLa_01", "20231017_HeLa_02"]
        assert list(adata.var_names) == ["P12345", "Q99999"]
        assert np.isnan(_value(adata, "20231017_HeLa_02", "P12345"))  # 0 = missing


def test_real_alphadia_pg_matrix():
    """ProteoBench's AlphaDIA pg.matrix.tsv (6 Astral runs; PROVENANCE.md)."""
    path = EXPORTS / "alphadia/AlphaDIA_pg.matrix.tsv"
    adata, caught = _read(path)
    assert not caught
    runs = [f"LFQ_Astral_DIA_15min_50ng_Condition_{c}_REP{r}" for c in "AB" for r in (1, 2, 3)]
    assert list(adata.obs_names) == runs and list(adata.obs["run"]) == runs
    assert not np.isnan(adata.X).all(axis=1).any()  # every run has values
    # named by the group's leading accession, made unique; the group as written stays in var
    names = list(adata.var_names)
    assert names[:3] == ["A0A024RBG1", "A0A024RBG1-1", "A0A096LP01"]
    assert names[-6:] == ["A5A3E0", "A5A3E0-1", "A5A3E0-2", "A5A3E0-3", "A5D8V6", "A5PLN9"]
    assert adata.var.loc["A0A024RBG1-1", "pg"] == "A0A024RBG1;Q9NZJ9"
    assert adata.var.loc["A5A3E0-3", "pg"] == "A5A3E0;Cont_P60712;P63261;Q9BYX7"
    assert _value(adata, runs[0], "A0AVT1") == pytest.approx(2069934.216386, rel=1e-6)
    assert _value(adata, runs[5], "A5PLN9") == pytest.approx(80133.572250, rel=1e-6)
    assert np.isnan(_value(adata, runs[1], "A0JNW5"))  # the file's 0.000000 = not quantified
    assert adata.uns["seqattn_io"]["n_zeros_to_nan"] == 1
    assert int(np.isnan(adata.X).sum()) == 1


def test_spectronaut_long_report_summarised_per_run(tmp_path):
    path = tmp_path / "Report.tsv"
    path.write_text(
        "R.Condition\tR.FileName\tR.Replicate\tPG.ProteinGroups\tPG.Genes\tPG.Quantity\t"
        "EG.IsDecoy\tF.FrgIon\n"
        "ctrl\tS1\t1\tP1\tGENE1\t100,5\tFalse\ty3\n"
        "ctrl\tS1\t1\tP1\tGENE1\t100,5\tFalse\ty4\n"
        "ctrl\tS1\t1\tP2\tGENE2\t7\tFalse\ty3\n"
        "treat\tS2\t1\tP1\tGENE1\t200\tFalse\ty3\n"
        "treat\tS2\t1\tREV_P9\t\t9\tTrue\ty3\n"
    )
    adata, _ = _read(path)
    assert list(adata.obs_names) == ["S1", "S2"]
    assert list(adata.var_names) == ["GENE1", "GENE2"]
    assert _value(adata, "S1", "GENE1") == pytest.approx(100.5)
    assert np.isnan(_value(adata, "S2", "GENE2"))
    assert list(adata.obs["R.Condition"]) == ["ctrl", "treat"]


def test_mztab_identification_only_is_refused(tmp_path):
    path = tmp_path / "ident.mzTab"
    path.write_text(
        "MTD\tmzTab-version\t1.0.0\nMTD\tmzTab-type\tIdentification\n\n"
        "PRH\taccession\tdescription\tsearch_engine\tbest_search_engine_score[1]\n"
        "PRT\tP1\tx\t[MS, MS:1002337, Andromeda, 1.6.3.4]\t6.0\n"
    )
    msg = _raises("expected protein_abundance_study_variable", sio.read, path)
    assert "ident.mzTab" in msg and "--option abundance=" in msg and "Identification" in msg


@pytest.mark.parametrize("form", ["stem", "file", "path"])
def test_sheet_column_called_run_matches_stem_file_or_path(tmp_path, form):
    pg = DATA / "diann_report.pg_matrix.tsv"
    sheet = pd.read_csv(SHEET)
    run = {"stem": sheet["sample"], "file": sheet["sample"] + ".raw",
           "path": "D:\\nafld\\raw\\" + sheet["sample"] + ".raw"}[form]
    sheet = sheet.drop(columns=["sample"]).assign(run=run)
    path = tmp_path / "sheet.csv"
    sheet.to_csv(path, index=False)
    for column in ("run", None):  # given, and found from the data
        adata = sio.read(pg, sample_sheet=path, sample_column=column, label="disease")
        assert adata.uns["seqattn_io"]["sample_column"] == "run"
        assert adata.obs.loc["1_31_C6", "disease"] == "healthy"
        assert adata.obs.loc["1_31_C6", "run"].endswith("1_31_C6.raw")  # the reader's own column


def test_sheet_joins_on_any_column_name(tmp_path):
    sheet = pd.read_csv(SHEET).rename(columns={"sample": "Raw file name (LIMS)"})
    path = tmp_path / "sheet.csv"
    sheet.to_csv(path, index=False)
    adata = sio.read(DATA / "diann_report.pg_matrix.tsv", sample_sheet=path, label="disease")
    assert adata.uns["seqattn_io"]["sample_column"] == "Raw file name (LIMS)"


def test_refusals_name_file_and_flag(tmp_path):
    binary = tmp_path / "data.tsv"
    binary.write_bytes(b"PK\x03\x04\x00\x00garbage\x00")
    msg = _raises("zip archive or an Excel workbook, not a text table", sio.read, binary)
    assert "data.tsv" in msg and "--format" in msg
    header_only = tmp_path / "combined_protein.tsv"
    header_only.write_text("Protein\tProtein ID\tGene\tProtein Probability\tS1 MaxLFQ Intensity\n")
    msg = _raises("has a header .* but no data rows", sio.read, header_only)
    assert "combined_protein.tsv" in msg
    msg = _raises("--option intensity=<kind>", sio.read, EXPORTS / "maxquant/1356_proteinGroups.txt",
                  intensity="Area")
    msg = _raises("--option intensity=PG.Quantity", sio.read,
                  EXPORTS / "spectronaut/SN_unit_test_subset.tsv", intensity="Area")
    msg = _raises("--option intensity=LFQ or --option intensity=raw", sio.read,
                  EXPORTS / "alphapept/results_proteins.csv", intensity="Area")
    assert "results_proteins.csv" in msg
    _raises("drop that --option", sio.read, EXPORTS / "mztab/labelfree_SQI.mzTab", intensity="x")
    _raises("unknown format 'excel'; pass --format", sio.read, SHEET, format="excel")


def test_cli_refusal_is_one_line_and_writes_nothing(tmp_path, capsys):
    bad = tmp_path / "report.pg_matrix.tsv"
    bad.write_text("Protein.Group\tGenes\tS1\tS2\nP1\tA\t1\tx\nP2\tB\ty\tz\nP3\tC\t2\t3\n")
    out = tmp_path / "out.h5ad"
    rc = main(["preprocess", str(bad), "--label", "x", "--out", str(out)])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 2 and len(err) == 1 and str(bad) in err[0]
    assert not any(tmp_path.glob("*.h5ad")) and not any(tmp_path.glob(".out.h5ad*"))


def test_cli_format_choices_match_the_readers():
    assert set(_FORMATS) == {"auto", *FORMATS} == {"auto", *sio.READERS}


# ---- fuzz: no input gives a traceback ---------------------------------------------------

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

_HEADERS = {
    path.name: path.read_text(errors="replace").splitlines()[0]
    for path in EXPORTS.rglob("*") if path.is_file() and path.suffix != ".md"
}
_HEADERS["alphadia"] = "pg\trun_1\trun_2"
_HEADERS["mztab"] = "MTD\tmzTab-version\t1.0.0\nPRH\taccession\tprotein_abundance_assay[1]"
_CELLS = st.sampled_from(["", "0", "1", "-3.5", "1e9", "inf", "NaN", "null", "x", "A;B",
                          "contam_P1", "REV__P1", "+", "True", "1,5", '"', "\t", ",", "\r",
                          "Filtered", "PRT", "é"])
_NAMES = ["data.tsv", "data.csv", "data.txt", "proteinGroups.txt", "x.mzTab", "m.h5ad",
          "m.parquet", "report.pg_matrix.tsv", "noext"]


@st.composite
def _files(draw):
    if draw(st.booleans()):
        body = draw(st.binary(max_size=200))
    else:
        header = draw(st.sampled_from(sorted(_HEADERS.values())))
        sep = draw(st.sampled_from(["\t", ","]))
        n_cols = header.count("\t") + header.count(",") + 1
        rows = draw(st.lists(st.lists(_CELLS, min_size=0, max_size=min(n_cols + 2, 12)),
                             max_size=5))
        lines = [header, *(sep.join(r) for r in rows)]
        if draw(st.booleans()):
            lines = [ln[: draw(st.integers(0, 60))] for ln in lines]
        body = "\n".join(lines).encode("utf-8")
    return draw(st.sampled_from(_NAMES)), body, draw(st.sampled_from(["auto", *FORMATS]))


@hypothesis.settings(max_examples=150, deadline=None, derandomize=True,
                     suppress_health_check=list(hypothesis.HealthCheck))
@hypothesis.given(_files())
def test_fuzz_every_input_reads_or_is_refused_in_one_line(case):
    name, body, fmt = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(body)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                adata = sio.read(path, format=fmt)
        except SeqattnError as err:
            msg = str(err)
            assert msg and "\n" not in msg, msg
            assert name in msg or fmt in msg, msg
        else:
            assert adata.n_obs >= 1 and adata.n_vars >= 1
