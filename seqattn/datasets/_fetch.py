"""Find a benchmark data file by name: local mirror, then cache, then (on request) download.

Every file has a recorded source URL and sha256 (``REGISTRY``); a file is used only when its
sha256 matches. Nothing touches the network unless the caller passes ``download=True``.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from seqattn._atomic import atomic_path
from seqattn._errors import SeqattnError

#: Environment variable naming a local mirror folder: ``$SEQATTN_DATA/<folder>/<file>``.
DATA_ENV = "SEQATTN_DATA"
#: Environment variable naming the download cache (default ``$XDG_CACHE_HOME/seqattn`` or
#: ``~/.cache/seqattn``); same layout as the mirror.
CACHE_ENV = "SEQATTN_CACHE"


@dataclass(frozen=True)
class Remote:
    """One data file: where it comes from and what it must hash to.

    ``url`` is the file itself, or an archive (zip, e.g. a wheel) holding it at ``member``.
    ``gzip_ok``: a mirror may hold ``<file>.gz`` instead (checked on its decompressed bytes;
    only for files the reader takes compressed).

    Examples
    --------
    The NAFLD plasma proteinGroups.txt comes out of the AlphaStats wheel (a zip):

    >>> from seqattn.datasets import REGISTRY
    >>> remote = REGISTRY["nafld_plasma_maxquant"]["proteinGroups.txt"]
    >>> remote.url.rsplit("/", 1)[-1], remote.member
    ('alphastats-0.7.2-py3-none-any.whl', 'alphastats/gui/example_data/proteinGroups.txt')
    >>> remote.sha256[:12], remote.gzip_ok
    ('ccaff9886e12', True)
    """

    url: str
    sha256: str
    member: str | None = None
    gzip_ok: bool = False


_SCDCC = "https://raw.githubusercontent.com/ttgump/scDCC/142e4e0370f4134751e92a160f95f97fce8db369"
_FSD = (
    "https://raw.githubusercontent.com/Zhang-ZeSheng/Feature-Selection-Datasets/"
    "c03e9e89403ba940d5d80860c910b9777c63fdc5"
)
_ALPHASTATS_WHEEL = (
    "https://files.pythonhosted.org/packages/7d/20/"
    "f362eb245096af454414bbfe667f1ff82d87808adb05430e1a001c183c9b/alphastats-0.7.2-py3-none-any.whl"
)

#: ``{folder: {file: Remote}}``; folder and file names are those of the mirror layout.
REGISTRY: dict[str, dict[str, Remote]] = {
    "nafld_plasma_maxquant": {
        "proteinGroups.txt": Remote(
            _ALPHASTATS_WHEEL,
            "ccaff9886e1294b685a6a7bd4c139e280ba6ec3fb74374c2ac39b6f085b5851a",
            member="alphastats/gui/example_data/proteinGroups.txt",
            gzip_ok=True,
        ),
        "metadata.xlsx": Remote(
            _ALPHASTATS_WHEEL,
            "2ca065185590f27c15cf99b37ebf4e7a3f44696627e0b058cd3f255b0c01487b",
            member="alphastats/gui/example_data/metadata.xlsx",
        ),
    },
    "cbmc_citeseq": {
        "CITE_CBMC_counts_top2000.h5": Remote(
            f"{_SCDCC}/data/CITE_PBMC/CITE_CBMC_counts_top2000.h5",
            "68f36cd64729b1ee853fe5f760dbc0a9238d52a18a8a076742883379cce98e9f",
        ),
    },
    "glioma_microarray": {
        "GLIOMA.mat": Remote(
            f"{_FSD}/GLIOMA.mat",
            "1aa2cab909dcd0b8335117c464925f96e6e0da6654221948ce75134fc03017b7",
        ),
    },
}


def cache_dir() -> Path:
    """The download cache: ``$SEQATTN_CACHE``, else ``$XDG_CACHE_HOME/seqattn`` or ``~/.cache/seqattn``.

    Examples
    --------
    >>> import os
    >>> from unittest import mock
    >>> from seqattn.datasets import cache_dir
    >>> with mock.patch.dict(os.environ, {"SEQATTN_CACHE": "/scratch/seqattn"}):
    ...     cache_dir().as_posix()
    '/scratch/seqattn'
    >>> with mock.patch.dict(os.environ, {"SEQATTN_CACHE": "", "XDG_CACHE_HOME": "/var/cache"}):
    ...     cache_dir().as_posix()
    '/var/cache/seqattn'
    """
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "seqattn"


def _sha256(path: Path, *, gunzip: bool = False) -> str:
    digest = hashlib.sha256()
    opener = gzip.open if gunzip else open
    with opener(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _checked(path: Path, name: str, remote: Remote) -> Path:
    gunzip = path.suffix == ".gz" and not name.endswith(".gz")
    got = _sha256(path, gunzip=gunzip)
    if got != remote.sha256:
        what = "decompressed sha256" if gunzip else "sha256"
        raise SeqattnError(
            f"{path}: {what} {got} is not the recorded {remote.sha256} of {name}; refusing "
            f"it (replace it with the original from {remote.url})"
        )
    return path


def _entry(folder: str, file: str) -> Remote:
    if folder not in REGISTRY:
        raise SeqattnError(
            f"unknown data set folder {folder!r}; known: {', '.join(sorted(REGISTRY))}"
        )
    if file not in REGISTRY[folder]:
        raise SeqattnError(
            f"unknown file {file!r} of {folder}; known: {', '.join(sorted(REGISTRY[folder]))}"
        )
    return REGISTRY[folder][file]


def _download(remote: Remote, name: str, target: Path) -> Path:
    with atomic_path(target) as tmp:  # a failed or refused download leaves nothing
        with tmp.open("wb") as out:
            if remote.member is None:
                with urllib.request.urlopen(remote.url, timeout=60) as response:
                    shutil.copyfileobj(response, out)
            else:
                with tempfile.TemporaryFile() as archive:
                    with urllib.request.urlopen(remote.url, timeout=60) as response:
                        shutil.copyfileobj(response, archive)
                    archive.seek(0)
                    with zipfile.ZipFile(archive) as zf, zf.open(remote.member) as member:
                        shutil.copyfileobj(member, out)
        got = _sha256(tmp)
        if got != remote.sha256:
            raise SeqattnError(
                f"download of {name} from {remote.url} has sha256 {got}, not the recorded "
                f"{remote.sha256}; refusing it (nothing was kept)"
            )
    return target


def fetch(folder: str, file: str, *, download: bool = False) -> Path:
    """The local path of a registered data file, its sha256 checked.

    Looks in ``$SEQATTN_DATA/<folder>/<file>`` (a local mirror; ``<file>.gz`` too where the
    reader takes it compressed), then in the cache (``cache_dir()/<folder>/<file>``). Only
    with ``download=True`` is a missing file fetched from its recorded URL into the cache.
    A file whose sha256 is not the recorded one is refused (``SeqattnError``), and so is a
    missing file without ``download=True``.

    Examples
    --------
    A local mirror (``$SEQATTN_DATA``) holding a file whose sha256 is the recorded one;
    here a small file registered for the example, as ``REGISTRY`` records the real ones:

    >>> import hashlib, os, tempfile
    >>> from pathlib import Path
    >>> from unittest import mock
    >>> from seqattn.datasets import REGISTRY, Remote, fetch
    >>> tmp = tempfile.TemporaryDirectory()
    >>> mirror = Path(tmp.name) / "mirror"
    >>> (mirror / "my_study").mkdir(parents=True)
    >>> content = b"sample,label\\ns1,a\\ns2,b\\n"
    >>> _ = (mirror / "my_study" / "labels.csv").write_bytes(content)
    >>> entry = Remote("https://example.org/labels.csv", hashlib.sha256(content).hexdigest())
    >>> env = {"SEQATTN_DATA": str(mirror), "SEQATTN_CACHE": str(Path(tmp.name) / "cache")}
    >>> with mock.patch.dict(REGISTRY, {"my_study": {"labels.csv": entry}}):
    ...     with mock.patch.dict(os.environ, env):
    ...         path = fetch("my_study", "labels.csv")
    >>> path.relative_to(mirror).as_posix(), path.read_bytes() == content
    ('my_study/labels.csv', True)

    A registered file in neither the mirror nor the cache is not downloaded unless asked:

    >>> with mock.patch.dict(os.environ, env):
    ...     fetch("glioma_microarray", "GLIOMA.mat")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
        ...
    seqattn._errors.SeqattnError: data file glioma_microarray/GLIOMA.mat is in neither
    $SEQATTN_DATA=... nor the cache ...; set the environment variable SEQATTN_DATA to a
    mirror folder holding glioma_microarray/GLIOMA.mat, or pass download=True to fetch it
    from https://...
    >>> tmp.cleanup()
    """
    remote = _entry(folder, file)
    name = f"{folder}/{file}"
    mirror = os.environ.get(DATA_ENV)
    if mirror:
        base = Path(mirror).expanduser() / folder
        candidates = [base / file] + ([base / f"{file}.gz"] if remote.gzip_ok else [])
        for path in candidates:
            if path.is_file():
                return _checked(path, name, remote)
    cached = cache_dir() / folder / file
    if cached.is_file():
        return _checked(cached, name, remote)
    if download:
        return _download(remote, name, cached)
    where = f"${DATA_ENV}={mirror}" if mirror else f"${DATA_ENV} (not set)"
    raise SeqattnError(
        f"data file {name} is in neither {where} nor the cache {cache_dir()}; set the "
        f"environment variable {DATA_ENV} to a mirror folder holding {name}, or pass "
        f"download=True to fetch it from {remote.url}"
    )
