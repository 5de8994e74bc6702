import subprocess
import sys

import anndata as ad
import pytest

import seqattn
from seqattn.cli import main


def test_help_and_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0
    assert seqattn.__version__ in capsys.readouterr().out
    assert main([]) == 0
    assert "datasets" in capsys.readouterr().out


def test_console_script_help():
    out = subprocess.run(
        [sys.executable, "-m", "seqattn", "--help"], capture_output=True, text=True, check=True
    )
    assert "usage: seqattn" in out.stdout


def test_datasets_command_writes_h5ad(tmp_path):
    out = tmp_path / "mice.h5ad"
    assert main(["datasets", "mice_protein", "--out", str(out)]) == 0
    assert ad.read_h5ad(out).shape == (1080, 77)


def test_datasets_command_bad_name_is_one_line_error(tmp_path, capsys):
    out = tmp_path / "x.h5ad"
    assert main(["datasets", "nope", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "unknown data set 'nope'" in err
    assert not out.exists()
