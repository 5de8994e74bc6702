"""Every bad input gives one SeqattnError line naming the file, the problem and the fix."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import seqattn.io as sio
from seqattn._errors import SeqattnError

DATA = Path(__file__).parent / "data"
DIANN = DATA / "diann_report.pg_matrix.tsv"
SHEET = DATA / "nafld6_sample_sheet.csv"


def _raises(match: str, fn, *args, **kwargs) -> str:
    with pytest.raises(SeqattnError, match=match) as err:
        fn(*args, **kwargs)
    msg = str(err.value)
    assert "\n" not in msg
    return msg


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_missing_file(tmp_path):
    msg = _raises("not found", sio.read, tmp_path / "nope.csv")
    assert "nope.csv" in msg


def test_empty_file_and_header_only(tmp_path):
    assert "empty" in _raises("empty", sio.read, _write(tmp_path / "e.csv", ""))
    msg = _raises("no data rows", sio.read, _write(tmp_path / "h.csv", "sample,a,b\n"))
    assert "h.csv" in msg


def test_no_numeric_columns(tmp_path):
    path = _write(tmp_path / "t.csv", "sample,kind\ns1,x\ns2,y\n")
    assert "t.csv" in _raises("no numeric columns", sio.read, path)


def test_unknown_format(tmp_path):
    _raises("cannot tell the format", sio.read, _write(tmp_path / "x.foo", "a,b\n1,2\n"))
    _raises("unknown format 'excel'", sio.read, DIANN, format="excel")
    _raises(
        "spreadsheets are read only as sample sheets", sio.read, _write(tmp_path / "m.xlsx", "x")
    )


def test_label_column_missing():
    msg = _raises(
        "label column 'diagnosis' not found",
        sio.read,
        DIANN,
        sample_sheet=SHEET,
        sample_column="sample",
        label="diagnosis",
    )
    assert "nafld6_sample_sheet.csv" in msg and "'disease'" in msg


def test_samples_without_label(tmp_path):
    sheet = pd.read_csv(SHEET)
    sheet.loc[2, "disease"] = np.nan
    sheet.to_csv(tmp_path / "s.csv", index=False)
    msg = _raises(
        "1 samples have no label",
        sio.read,
        DIANN,
        sample_sheet=tmp_path / "s.csv",
        sample_column="sample",
        label="disease",
    )
    assert "'1_69_F8'" in msg


def test_single_class(tmp_path):
    sheet = pd.read_csv(SHEET).assign(disease="healthy")
    sheet.to_csv(tmp_path / "s.csv", index=False)
    _raises(
        "single class",
        sio.read,
        DIANN,
        sample_sheet=tmp_path / "s.csv",
        sample_column="sample",
        label="disease",
    )


def test_duplicate_sample_names(tmp_path):
    rows = _write(tmp_path / "r.csv", "sample,a,b\ns1,1,2\ns1,3,4\ns2,5,6\n")
    assert "'s1'" in _raises("duplicate sample names", sio.read, rows)
    cols = _write(tmp_path / "c.csv", "gene,s1,s1,s2\ng1,1,2,3\ng2,4,5,6\n")
    _raises("duplicate sample names", sio.read, cols, samples_as="columns")
    header = DIANN.read_text().splitlines()
    header[0] = header[0].replace("1_32_C7", "1_31_C6")
    dup = _write(tmp_path / "report.pg_matrix.tsv", "\n".join(header) + "\n")
    _raises("duplicate sample names", sio.read, dup)
    sheet = _write(tmp_path / "s.csv", "sample,disease\n1_31_C6,a\n1_31_C6,b\n")
    _raises("more than once", sio.read, DIANN, sample_sheet=sheet, sample_column="sample")


def test_non_numeric_cells(tmp_path):
    path = _write(
        tmp_path / "t.csv", "sample,a,b,label\ns1,1,2,x\ns2,oops,4,y\ns3,5,6,x\ns4,7,8,y\n"
    )
    msg = _raises("non-numeric value 'oops' in column 'a'", sio.read, path, label="label")
    assert "'s2'" in msg and "t.csv" in msg


def test_inf_values(tmp_path):
    path = _write(tmp_path / "t.csv", "sample,a,b\ns1,1,inf\ns2,3,4\n")
    msg = _raises("infinite values", sio.read, path)
    assert "'s1'" in msg and "'b'" in msg


def test_sheet_matches_no_sample(tmp_path):
    sheet = _write(tmp_path / "s.csv", "sample,disease\nx1,a\nx2,b\n")
    msg = _raises("matches no sample", sio.read, DIANN, sample_sheet=sheet, sample_column="sample")
    assert "'x1'" in msg and "'1_31_C6'" in msg


def test_data_sample_missing_from_sheet(tmp_path):
    pd.read_csv(SHEET).iloc[:4].to_csv(tmp_path / "s.csv", index=False)
    msg = _raises(
        "2 samples of .* are not in the sample sheet",
        sio.read,
        DIANN,
        sample_sheet=tmp_path / "s.csv",
        sample_column="sample",
        label="disease",
    )
    assert "'1_41_D4'" in msg


def test_sheet_problems(tmp_path):
    _raises(
        "sample column 'id' not in the sample sheet",
        sio.read,
        DIANN,
        sample_sheet=SHEET,
        sample_column="id",
    )
    matrix = _write(tmp_path / "m.csv", "sample,a,b\n1_31_C6,1,2\n1_32_C7,3,4\n")
    _raises("a sample sheet for a csv matrix needs --sample-column", sio.read, matrix, sample_sheet=SHEET)
    twice = pd.read_csv(SHEET).assign(copy=lambda df: df["sample"])
    twice.to_csv(tmp_path / "twice.csv", index=False)
    msg = _raises(
        "columns 'sample', 'copy' all hold 6 of", sio.read, DIANN, sample_sheet=tmp_path / "twice.csv"
    )
    assert "pass --sample-column" in msg
    _raises(
        "no sample-sheet column holds the data's sample names",
        sio.read,
        DIANN,
        sample_sheet=_write(tmp_path / "none.csv", "id,disease\nx1,a\nx2,b\n"),
    )
    _raises(
        "must be .csv",
        sio.read,
        DIANN,
        sample_sheet=_write(tmp_path / "s.json", "{}"),
        sample_column="sample",
    )


def test_options_that_do_not_apply():
    _raises("option samples_as does not apply to format diann", sio.read, DIANN, samples_as="rows")
    _raises(
        "samples_as='sideways'", sio.read, DATA / "nafld6_sample_sheet.csv", samples_as="sideways"
    )
    _raises(
        "intensity='Area'",
        sio.read_fragpipe,
        DATA / "fragpipe_combined_protein.tsv",
        intensity="Area",
    )


def test_wrong_reader_for_file():
    _raises("expected a DIA-NN pg_matrix.*--format tsv", sio.read, SHEET, format="diann")
    _raises("expected MaxQuant proteinGroups columns.*--format tsv", sio.read, DIANN,
            format="maxquant")
    _raises("expected a FragPipe combined_protein.tsv.*--format tsv", sio.read, SHEET,
            format="fragpipe")


@pytest.mark.parametrize(
    ("name", "columns", "message"),
    [
        # DIA-NN 2.x writes its long report as Parquet; 1.x as TSV.
        ("report.parquet", ["File.Name", "Run", "Protein.Group", "Precursor.Id", "PG.MaxLFQ"],
         "DIA-NN's precursor-level output .* report.pg_matrix.tsv"),
        ("report.tsv", ["File.Name", "Run", "Protein.Group", "Precursor.Id", "PG.MaxLFQ"],
         "DIA-NN's precursor-level output"),
        ("report.pr_matrix.tsv", ["Protein.Group", "Protein.Ids", "Genes", "Proteotypic",
                                  "Precursor.Charge", "Precursor.Id", "D:\\S1.raw"],
         "DIA-NN's precursor-level output"),
        ("evidence.txt", ["Sequence", "Proteins", "Leading razor protein", "Raw file",
                          "Intensity"], "MaxQuant peptide-level table .* proteinGroups.txt"),
        ("peptides.txt", ["Sequence", "Length", "Leading razor protein", "Intensity S1"],
         "MaxQuant peptide-level table"),
        ("psm.tsv", ["Spectrum", "Peptide", "Charge", "Protein ID", "Intensity"],
         "FragPipe peptide-, ion- or PSM-level table.* combined_protein.tsv"),
        ("combined_peptide.tsv", ["Peptide Sequence", "Protein ID", "Gene", "S1 Intensity",
                                  "S1 MaxLFQ Intensity"], "FragPipe peptide-, ion- or PSM"),
    ],
)
def test_peptide_level_tables_are_named(tmp_path, name, columns, message):
    rows = [[1.0 if i % 2 else f"x{i}" for i, _ in enumerate(columns)] for _ in range(4)]
    df = pd.DataFrame(rows, columns=columns)
    path = tmp_path / name
    if name.endswith(".parquet"):
        df.astype(str).to_parquet(path, index=False)
    else:
        df.to_csv(path, sep="\t", index=False)
    msg = _raises(message, sio.read, path)
    assert name in msg
    if not name.endswith(".parquet"):  # also when the user names a plain-table format
        _raises(message, sio.read, path, format="tsv")
