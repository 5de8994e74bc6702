"""Atomic file writes: a killed job never leaves a truncated file that looks complete.

Every output is written to a temporary name beside it and renamed onto it. The temporary
name is ``.<name>.seqattn-tmp-<random><suffixes>``: recognisable, so that the next write of
``<name>`` removes what a killed (SIGKILL) writer left behind. Only temporaries of the same
target are removed: a workflow never runs two jobs writing one file at once, so those are
stale, while other files' temporaries may belong to jobs still running.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

#: Marker in every temporary name (``.<name>.seqattn-tmp-<random><suffixes>``).
TMP_MARK = ".seqattn-tmp-"


def temporary_prefix(target: str | os.PathLike[str]) -> str:
    """The name prefix of every temporary file of ``target`` (no folder)."""
    return f".{Path(target).name}{TMP_MARK}"


def remove_stale_temporaries(target: str | os.PathLike[str]) -> list[Path]:
    """Remove temporaries of ``target`` left by a killed writer; return what was removed."""
    target = Path(target)
    prefix = temporary_prefix(target)
    removed = []
    try:
        entries = list(os.scandir(target.parent))
    except FileNotFoundError:
        return removed
    for entry in entries:
        if entry.name.startswith(prefix) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


def _create_temporary(target: Path) -> Path:
    """Create an empty, new temporary file for ``target``; its mode follows the umask."""
    suffix = "".join(target.suffixes) or ".tmp"
    prefix = temporary_prefix(target)
    while True:
        tmp = target.parent / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            # 0o666 & ~umask, as open() gives any new file (mkstemp would give 0600)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:  # pragma: no cover - 32 random bits collided
            continue
        os.close(fd)
        return tmp


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` on success.

    The temporary file keeps the target's suffix so writers that dispatch on it
    (pandas, anndata, matplotlib) behave as for the real name, and gets the mode the
    umask gives a new file (0644 under umask 022). Temporaries of ``path`` left by a
    killed earlier writer are removed first. On any exception the temporary file is
    removed and ``path`` is left untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    tmp_path = _create_temporary(target)
    try:
        yield tmp_path
        os.replace(tmp_path, target)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise


def write_table(df, path: str | os.PathLike[str], *, index: bool = False) -> None:
    """Write a pandas DataFrame as TSV (or Parquet for ``.parquet``) atomically."""
    with atomic_path(path) as tmp:
        if str(path).endswith(".parquet"):
            df.to_parquet(tmp, index=index)
        else:
            df.to_csv(tmp, sep="\t", index=index)


def write_text(text: str, path: str | os.PathLike[str]) -> None:
    """Write a text file atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)
