"""Input checks every selector's fit shares (``seqattn._panel``)."""

import numpy as np
import pandas as pd
import pytest

from seqattn._errors import SeqattnError


def _dup_frame():
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(30, 5)), columns=["a", "b", "a", "c", "b"])
    return X, np.array(["x", "y"] * 15)


@pytest.mark.parametrize("method", ["anova", "sequential_attention"])
def test_duplicate_column_names_are_one_line_naming_them(method):
    from seqattn.methods import make_selector

    X, y = _dup_frame()
    selector = make_selector(method, 2)
    with pytest.raises(SeqattnError) as err:
        selector.fit(X, y)
    message = str(err.value)
    assert len(message.splitlines()) == 1, message
    assert "2 duplicate column name(s): 'a', 'b'; make the names unique" in message
