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


def test_mice_protein_matches_shared_copy(mice, shared_data):
    import pandas as pd

    raw = pd.read_csv(shared_data / "mice_protein" / "Data_Cortex_Nuclear.csv")
    np.testing.assert_allclose(
        mice.X, raw[list(mice.var_names)].to_numpy(np.float32), equal_nan=True
    )
    assert list(mice.obs_names) == raw["MouseID"].tolist()


def test_pbmc68k_reduced_offline():
    adata = datasets.pbmc68k_reduced()
    assert adata.shape == (700, 765)
    assert adata.obs["bulk_labels"].nunique() == 10
