"""Atomic writes: file modes follow the umask, and a killed writer's temporaries go away."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from seqattn._atomic import TMP_MARK, atomic_path, write_table, write_text


@pytest.fixture
def umask():
    """Set a umask for one test and restore the previous one after it."""
    old = os.umask(0o022)
    yield os.umask
    os.umask(old)


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_written_files_get_the_umask_mode(tmp_path, umask, mask, expected):
    umask(mask)
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.tsv")
    write_text("x", tmp_path / "t.txt")
    with atomic_path(tmp_path / "fig.pdf") as tmp:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig = plt.figure()
        fig.savefig(tmp)
        plt.close(fig)
    for name in ("t.tsv", "t.txt", "fig.pdf"):
        assert _mode(tmp_path / name) == expected, (name, oct(_mode(tmp_path / name)))


def test_h5ad_gets_the_umask_mode(tmp_path, umask):
    import anndata as ad
    import numpy as np

    umask(0o022)
    with atomic_path(tmp_path / "data.h5ad") as tmp:
        ad.AnnData(np.zeros((2, 3), dtype=np.float32)).write_h5ad(tmp)
    assert _mode(tmp_path / "data.h5ad") == 0o644


def _kill_while_writing(path) -> None:
    """A child process that dies by SIGKILL in the middle of an atomic write of ``path``."""
    code = textwrap.dedent(
        f"""
        import os, signal
        from seqattn._atomic import atomic_path
        with atomic_path({str(path)!r}) as tmp:
            tmp.write_text("half a fig")
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()


def test_temporaries_are_recognisable_and_the_next_write_removes_stale_ones(tmp_path):
    target = tmp_path / "figures" / "marker_violins.pdf"
    other = tmp_path / "figures" / "qc.pdf"
    _kill_while_writing(target)
    _kill_while_writing(other)
    left = sorted(p.name for p in target.parent.iterdir())
    assert len(left) == 2, left
    assert all(name.startswith(".") and TMP_MARK in name for name in left), left
    assert all(name.endswith(".pdf") for name in left), left  # writers dispatch on the suffix
    assert not target.exists()
    # the rerun writes the target: its own stale temporary goes, another target's stays
    # (that one may belong to a job still running; its own rerun removes it)
    write_text("a fig", target)
    left = sorted(p.name for p in target.parent.iterdir())
    assert target.read_text() == "a fig"
    assert len(left) == 2 and "marker_violins.pdf" in left, left
    assert any(name.startswith(".qc.pdf" + TMP_MARK) for name in left), left
    write_text("qc", other)
    assert sorted(p.name for p in target.parent.iterdir()) == ["marker_violins.pdf", "qc.pdf"]


def test_a_failed_write_leaves_the_target_and_no_temporary(tmp_path):
    target = tmp_path / "t.tsv"
    write_text("old", target)
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("new")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.tsv"]
