"""The peer methods' packages are the optional extra ``seqattn[peers]``: without them the
package imports, the registry lists every method, and fitting such a method fails in one line
that names the extra."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from seqattn._errors import SeqattnError
from seqattn.methods import make_selector

# method -> (the module it imports, options that keep it fast)
PEERS = {
    "cosg": ("cosg", {}),
    "mrmr": ("mrmr", {}),
    "lassonet": (
        "lassonet",
        {"path_multiplier": 1.5, "n_iters": (30, 5), "patience": (5, 2), "lambda_start": 1.0},
    ),
}


def _hide(monkeypatch, module: str) -> None:
    """Make ``import module`` fail as if the package were not installed."""
    for name in list(sys.modules):
        if name == module or name.startswith(module + "."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, module, None)


@pytest.mark.parametrize("method", sorted(PEERS))
def test_missing_peer_package_is_one_line_naming_the_extra(method, monkeypatch):
    module, options = PEERS[method]
    rng = np.random.default_rng(0)
    y = np.repeat(["a", "b"], 20)
    X = rng.normal(size=(40, 6)) + 3.0  # positive: cosg looks for log-scale input
    selector = make_selector(method, 2, options, random_state=0)  # building needs no package
    _hide(monkeypatch, module)
    with pytest.raises(SeqattnError) as info:
        selector.fit(X, y)
    message = str(info.value)
    assert "\n" not in message
    assert method in message and "not installed" in message
    assert "pip install 'seqattn[peers]'" in message


def test_import_needs_no_peer_or_workflow_package():
    """``import seqattn`` and the registry import none of the extras' packages (they load on
    a method's first fit), and work when the extras are not installed."""
    extras = ["cosg", "mrmr", "lassonet", "snakemake", "snakefmt"]
    code = (
        "import sys\n"
        f"for m in {extras!r}: sys.modules[m] = None\n"
        "import seqattn, seqattn.methods, seqattn.pl, seqattn.report\n"
        "names = seqattn.methods.available_methods()\n"
        "assert {'cosg', 'mrmr', 'lassonet'} <= set(names), names\n"
        f"loaded = [m for m in {extras!r} if sys.modules.get(m) is not None]\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
