"""Outer folds: stratified, grouped when asked, reproducible, and clear about bad input."""

import re

import numpy as np
import pandas as pd
import pytest

from seqattn._errors import SeqattnError
from seqattn.evaluate import (
    check_folds_match,
    folds_for_adata,
    make_folds,
    read_folds,
    train_test_indices,
)


def _labels(n_per_class=(10, 10, 10)):
    y = np.concatenate([[c] * n for c, n in zip("abc", n_per_class, strict=True)])
    return pd.Series(y, index=[f"s{i}" for i in range(len(y))])


def test_every_sample_tested_once_per_repeat_and_classes_stratified():
    y = _labels()
    folds = make_folds(y, n_splits=5, n_repeats=2, random_state=3)
    assert list(folds.columns) == ["sample", "repeat", "fold"]
    assert len(folds) == 2 * len(y)
    for _, block in folds.groupby("repeat"):
        assert sorted(block["sample"]) == sorted(y.index)
        assert set(block["fold"]) == set(range(5))
        # 10 samples per class over 5 folds: exactly 2 of each class per test fold
        per_fold = pd.crosstab(block["fold"], y.loc[block["sample"]].to_numpy())
        assert (per_fold.to_numpy() == 2).all()
    r0 = folds[folds.repeat == 0]["fold"].to_numpy()
    r1 = folds[folds.repeat == 1]["fold"].to_numpy()
    assert not np.array_equal(r0, r1)  # repeats reshuffle


def test_folds_are_deterministic_given_the_seed():
    y = _labels()
    a = make_folds(y, n_splits=3, n_repeats=2, random_state=7)
    b = make_folds(y, n_splits=3, n_repeats=2, random_state=7)
    c = make_folds(y, n_splits=3, n_repeats=2, random_state=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


def test_group_guard_no_mouse_in_train_and_test(mice):
    """Mice Protein: 15 replicates per mouse must never straddle a split."""
    folds = folds_for_adata(mice, "class", "mouse", n_splits=5, n_repeats=2, random_state=0)
    mouse = mice.obs["mouse"].astype(str).to_numpy()
    classes = mice.obs["class"].astype(str).to_numpy()
    for repeat in (0, 1):
        for fold in range(5):
            train, test = train_test_indices(folds, mice.obs_names, repeat, fold)
            assert len(train) + len(test) == mice.n_obs
            assert not set(mouse[train]) & set(mouse[test])
            assert set(classes[train]) == set(classes)  # every class is trainable


def test_small_classes_fail_clearly_not_deep_in_sklearn():
    y = _labels((10, 10, 3))
    with pytest.raises(SeqattnError, match=r"classes too small for 5 folds: 'c' \(3 samples\)"):
        make_folds(y, n_splits=5)
    assert len(make_folds(y, n_splits=3)) == len(y)  # the suggested fix works


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (None, "lower n_splits to 3"),  # the Python keyword
        ("--n-splits", "lower --n-splits to 3"),  # seqattn folds
        ("cv.n_splits", "lower cv.n_splits to 3"),  # the workflow config
    ],
)
def test_small_class_message_names_the_setting_of_its_caller(name, expected):
    kwargs = {} if name is None else {"n_splits_name": name}
    with pytest.raises(SeqattnError, match=re.escape(expected)):
        make_folds(_labels((10, 10, 3)), n_splits=5, **kwargs)


def test_a_one_sample_class_is_not_told_to_lower_the_folds_below_two():
    with pytest.raises(SeqattnError) as err:
        make_folds(_labels((10, 10, 1)), n_splits=2, n_splits_name="cv.n_splits")
    message = str(err.value)
    assert "'c' (1 samples); cv.n_splits cannot go below 2, so drop or merge" in message
    assert "lower" not in message and "--n-splits" not in message


def test_too_few_groups_per_class_fail_clearly():
    y = _labels((12, 12, 12))
    groups = [f"m{i // 4}" for i in range(len(y))]  # 3 groups per class
    with pytest.raises(SeqattnError, match=r"'a' \(3 groups\)"):
        make_folds(y, groups, n_splits=4)
    with pytest.raises(SeqattnError, match="only 9 groups for 10 folds"):
        make_folds(y, groups, n_splits=10)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_splits": 1}, "at least 2 folds"),
        ({"n_repeats": 0}, "at least 1 repeat"),
    ],
)
def test_bad_fold_settings(kwargs, match):
    with pytest.raises(SeqattnError, match=match):
        make_folds(_labels(), **kwargs)


def test_single_class_and_missing_names_fail():
    with pytest.raises(SeqattnError, match="1 class"):
        make_folds(pd.Series(["a"] * 10, index=[f"s{i}" for i in range(10)]), n_splits=2)
    with pytest.raises(SeqattnError, match="needs sample names"):
        make_folds(["a", "b"] * 5, n_splits=2)


def test_fold_table_round_trip_and_mismatch(tmp_path):
    y = _labels()
    folds = make_folds(y, n_splits=3)
    path = tmp_path / "folds.tsv"
    folds.to_csv(path, sep="\t", index=False)
    back = read_folds(str(path))
    pd.testing.assert_frame_equal(back, folds)
    train, test = train_test_indices(back, y.index, 0, 1)
    assert set(train).isdisjoint(test) and len(train) + len(test) == len(y)
    other = [f"x{i}" for i in range(len(y))]
    with pytest.raises(SeqattnError, match="another data set"):
        check_folds_match(back, other)
    with pytest.raises(SeqattnError, match="fold 7 is not in repeat 0"):
        train_test_indices(back, y.index, 0, 7)
    with pytest.raises(SeqattnError, match="repeat 2 is not in the fold table"):
        train_test_indices(back, y.index, 2, 0)
    (tmp_path / "bad.tsv").write_text("a\tb\n1\t2\n")
    with pytest.raises(SeqattnError, match="not a fold table"):
        read_folds(str(tmp_path / "bad.tsv"))


def test_missing_label_values_fail(mice):
    adata = mice[:40].copy()
    adata.obs["class"] = adata.obs["class"].astype(object)
    adata.obs.iloc[3, adata.obs.columns.get_loc("class")] = None
    with pytest.raises(SeqattnError, match="missing for 1 samples"):
        folds_for_adata(adata, "class", n_splits=2)
    with pytest.raises(SeqattnError, match=r"label column 'nope' is not in adata\.obs"):
        folds_for_adata(adata, "nope", n_splits=2)


def test_seeded_methods_get_a_distinct_seed_per_fold():
    """The `random` baseline must not pick the same panel in every fold (that would fake
    perfect stability); the all-samples fit keeps the user's seed."""
    import anndata as ad
    import numpy as np
    import pandas as pd

    from seqattn.evaluate import run_nested_cv
    from seqattn.evaluate.folds import fold_seed

    assert fold_seed(7, None, None) == 7
    assert len({fold_seed(7, r, f) for r in range(3) for f in range(5)}) == 15
    rng = np.random.default_rng(0)
    adata = ad.AnnData(
        rng.normal(size=(60, 40)).astype(np.float32),
        obs=pd.DataFrame({"y": pd.Categorical(np.repeat(["a", "b"], 30))},
                         index=[f"s{i}" for i in range(60)]),
    )
    res = run_nested_cv(adata, "y", ["random"], [5], ["logreg"], n_splits=3, warmup=False)
    panels = res.panels.groupby("fold")["feature"].apply(frozenset)
    assert panels.nunique() == 3
