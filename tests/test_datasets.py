import numpy as np

from seqattn import datasets


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
    import gzip
    import hashlib
    import io
    from pathlib import Path

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
