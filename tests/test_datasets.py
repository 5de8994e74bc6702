import gzip
import hashlib
import io
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pytest

from seqattn import datasets
from seqattn._errors import SeqattnError


def test_mice_protein_shape_and_metadata(mice):
    assert mice.shape == (1080, 77)
    for col in ["class", "Genotype", "Treatment", "Behavior", "mouse"]:
        assert col in mice.obs
    assert mice.obs["class"].nunique() == 8
    assert mice.obs["mouse"].nunique() == 72
    assert (mice.obs["mouse"].value_counts() == 15).all()
    assert mice.var_names[0] == "DYRK1A_N"
    assert mice.X.dtype == np.float32
    assert int(np.isnan(mice.X).sum()) == 1396


#: sha256 of the UCI original ``Data_Cortex_Nuclear.csv`` (seqattn/datasets/data/ATTRIBUTION.md)
MICE_SHA256 = "eb572e25bafaebcec6e5bd3d109b807818b29bdbb0cd62f07b4ef1544225bbaf"


def test_mice_protein_matches_the_original_file(mice):
    import pandas as pd

    raw_bytes = gzip.decompress(Path(datasets.mice_protein_path()).read_bytes())
    assert hashlib.sha256(raw_bytes).hexdigest() == MICE_SHA256  # the values are unchanged
    raw = pd.read_csv(io.BytesIO(raw_bytes))
    np.testing.assert_allclose(
        mice.X, raw[list(mice.var_names)].to_numpy(np.float32), equal_nan=True
    )
    assert list(mice.obs_names) == raw["MouseID"].tolist()


def test_pbmc68k_reduced_offline():
    adata = datasets.pbmc68k_reduced()
    assert adata.shape == (700, 765)
    assert adata.obs["bulk_labels"].nunique() == 10


# --- fetched data sets: mirror, cache, checksum, download (never the network) ---------------

REPO_DATA = Path(__file__).resolve().parents[1] / "data"
FAKE = b"sample\tvalue\ns1\t1\n"
FAKE_SHA = hashlib.sha256(FAKE).hexdigest()


def _register(monkeypatch, folder, file, content, **kw):
    remote = datasets.Remote(
        "https://example.invalid/" + file, hashlib.sha256(content).hexdigest(), **kw
    )
    monkeypatch.setitem(datasets.REGISTRY, folder, {file: remote})
    return remote


@pytest.fixture
def dirs(tmp_path, monkeypatch):
    """An empty mirror and cache; any attempt to reach the network fails the test."""
    mirror, cache = tmp_path / "mirror", tmp_path / "cache"
    mirror.mkdir()
    monkeypatch.setenv("SEQATTN_DATA", str(mirror))
    monkeypatch.setenv("SEQATTN_CACHE", str(cache))

    def no_network(*args, **kwargs):
        raise AssertionError("a test reached for the network")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    return mirror, cache


def _put(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return folder / name


def test_fetch_finds_the_mirror_then_the_cache(dirs, monkeypatch):
    mirror, cache = dirs
    _register(monkeypatch, "fake", "t.tsv", FAKE)
    in_cache = _put(cache / "fake", "t.tsv", FAKE)
    assert datasets.fetch("fake", "t.tsv") == in_cache
    in_mirror = _put(mirror / "fake", "t.tsv", FAKE)
    assert datasets.fetch("fake", "t.tsv") == in_mirror  # the mirror comes first


def test_fetch_takes_a_gzipped_mirror_file_where_allowed(dirs, monkeypatch):
    mirror, _ = dirs
    _put(mirror / "fake", "t.tsv.gz", gzip.compress(FAKE))
    _register(monkeypatch, "fake", "t.tsv", FAKE)
    with pytest.raises(SeqattnError, match="neither"):
        datasets.fetch("fake", "t.tsv")
    _register(monkeypatch, "fake", "t.tsv", FAKE, gzip_ok=True)
    assert datasets.fetch("fake", "t.tsv") == mirror / "fake" / "t.tsv.gz"
    _put(mirror / "fake", "t.tsv.gz", gzip.compress(FAKE + b"s2\t2\n"))
    with pytest.raises(SeqattnError, match="decompressed sha256"):
        datasets.fetch("fake", "t.tsv")


def test_fetch_refuses_a_file_with_another_checksum(dirs, monkeypatch):
    mirror, cache = dirs
    _register(monkeypatch, "fake", "t.tsv", FAKE)
    _put(mirror / "fake", "t.tsv", FAKE.replace(b"1", b"2"))
    with pytest.raises(SeqattnError) as err:
        datasets.fetch("fake", "t.tsv")
    msg = str(err.value)
    assert "\n" not in msg and "refusing" in msg and FAKE_SHA in msg and "t.tsv" in msg
    (mirror / "fake" / "t.tsv").unlink()
    _put(cache / "fake", "t.tsv", b"truncated")
    with pytest.raises(SeqattnError, match="refusing"):
        datasets.fetch("fake", "t.tsv")


def test_a_missing_file_names_the_variable_and_download(dirs, monkeypatch):
    _register(monkeypatch, "fake", "t.tsv", FAKE)
    for env in ("set", "unset"):
        if env == "unset":
            monkeypatch.delenv("SEQATTN_DATA")
        with pytest.raises(SeqattnError) as err:
            datasets.fetch("fake", "t.tsv")
        msg = str(err.value)
        assert "\n" not in msg and "SEQATTN_DATA" in msg and "download=True" in msg
        assert "fake/t.tsv" in msg and "https://example.invalid/t.tsv" in msg
    with pytest.raises(SeqattnError, match=r"unknown data set folder 'nope'.*glioma_microarray"):
        datasets.fetch("nope", "t.tsv")


class _Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def test_download_verifies_into_the_cache(dirs, monkeypatch):
    _, cache = dirs
    _register(monkeypatch, "fake", "t.tsv", FAKE)
    served = {"body": FAKE + b"tampered"}
    urls = []

    def urlopen(url, timeout=None):
        urls.append(url)
        return _Response(served["body"])

    monkeypatch.setattr("urllib.request.urlopen", urlopen)
    with pytest.raises(SeqattnError) as err:
        datasets.fetch("fake", "t.tsv", download=True)
    assert "\n" not in str(err.value) and "refusing" in str(err.value)
    assert list((cache / "fake").iterdir()) == []  # nothing kept, no temporary left
    served["body"] = FAKE
    path = datasets.fetch("fake", "t.tsv", download=True)
    assert path == cache / "fake" / "t.tsv" and path.read_bytes() == FAKE
    assert urls == ["https://example.invalid/t.tsv"] * 2
    assert datasets.fetch("fake", "t.tsv") == path  # from the cache now, no download


def test_download_extracts_a_member_of_an_archive(dirs, monkeypatch):
    _register(monkeypatch, "fake", "t.tsv", FAKE, member="pkg/example/t.tsv")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("pkg/example/t.tsv", FAKE)
        zf.writestr("pkg/other.txt", b"x")
    monkeypatch.setattr(
        "urllib.request.urlopen", lambda url, timeout=None: _Response(buf.getvalue())
    )
    assert datasets.fetch("fake", "t.tsv", download=True).read_bytes() == FAKE


def test_every_registered_file_has_a_url_and_a_sha256():
    assert set(datasets.REGISTRY) == {"nafld_plasma_maxquant", "cbmc_citeseq", "glioma_microarray"}
    for files in datasets.REGISTRY.values():
        for remote in files.values():
            assert remote.url.startswith("https://") and len(remote.sha256) == 64
            int(remote.sha256, 16)


def test_nafld_plasma_from_the_repository_mirror(dirs, monkeypatch):
    """The repository's data/ folder is a mirror: its NAFLD files are the recorded originals."""
    monkeypatch.setenv("SEQATTN_DATA", str(REPO_DATA))
    folder = "nafld_plasma_maxquant"
    assert datasets.fetch(folder, "proteinGroups.txt").name == "proteinGroups.txt.gz"
    assert datasets.fetch(folder, "metadata.xlsx") == REPO_DATA / folder / "metadata.xlsx"
    with warnings.catch_warnings():  # about the sheet's columns, not tested here
        warnings.simplefilter("ignore", UserWarning)
        a = datasets.nafld_plasma()
    assert a.shape == (48, 2409) and a.uns["dataset"]["label"] == "disease"
    assert sorted(a.obs["disease"].value_counts().tolist()) == [8, 10, 10, 10, 10]


def test_glioma_and_cbmc_loaders_read_their_files(dirs, monkeypatch):
    """The loaders on tiny files of the real layout (checksums registered for the test)."""
    import h5py
    from scipy.io import savemat

    mirror, _ = dirs
    rng = np.random.default_rng(0)
    mat = mirror / "glioma_microarray" / "GLIOMA.mat"
    mat.parent.mkdir()
    savemat(mat, {"X": rng.random((6, 4)), "Y": np.array([[1], [2], [3], [4], [1], [2]])})
    _register(monkeypatch, "glioma_microarray", "GLIOMA.mat", mat.read_bytes())
    g = datasets.glioma()
    assert g.shape == (6, 4) and g.var_names[0] == "probe0" and g.obs_names[0] == "s0"
    assert g.obs["label"].tolist() == ["1", "2", "3", "4", "1", "2"]
    h5 = mirror / "cbmc_citeseq" / "CITE_CBMC_counts_top2000.h5"
    h5.parent.mkdir()
    with h5py.File(h5, "w") as f:
        f["X"] = rng.poisson(2, (5, 7)).astype(np.float32)
        f["ADT_X"] = rng.normal(size=(5, 3))
        f["Y"] = np.array([1.0, 2, 2, 15, 1])
    _register(monkeypatch, "cbmc_citeseq", "CITE_CBMC_counts_top2000.h5", h5.read_bytes())
    rna, adt = datasets.cbmc_citeseq(), datasets.cbmc_citeseq("adt")
    assert rna.shape == (5, 7) and rna.var_names[0] == "gene0" and rna.X.dtype == np.float32
    assert adt.shape == (5, 3) and adt.var_names[-1] == "adt2"
    assert adt.obs["label"].tolist() == ["1", "2", "2", "15", "1"]
    with pytest.raises(SeqattnError, match="modality='protein'"):
        datasets.cbmc_citeseq("protein")
