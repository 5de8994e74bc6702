"""The docstrings' Examples sections run (the documentation shows them as written), and the
documentation's sources are in place.

The tutorials themselves are executed by ``make docs`` (CI runs it after ``make test``);
here only their presence is checked, so a fresh clone without the docs extra still passes.
"""

from __future__ import annotations

import doctest
import importlib
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: Public objects whose Examples sections are run, as "module:attribute".
EXAMPLES = [
    "seqattn.core.selector:SequentialAttentionSelector",
    "seqattn.tl:select",
    "seqattn.io.dispatch:read",
    "seqattn.evaluate.recommend:recommend",
]


@pytest.mark.parametrize("target", EXAMPLES)
def test_docstring_examples_run(target: str) -> None:
    module_name, attribute = target.split(":")
    obj = getattr(importlib.import_module(module_name), attribute)
    tests = doctest.DocTestFinder(recurse=False).find(obj, attribute)
    examples = [t for t in tests if t.examples]
    assert examples, f"{target} has no Examples section"
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for test in examples:
            runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples of {target} failed"


def test_docs_sources_present() -> None:
    docs = ROOT / "docs"
    for page in [
        "conf.py",
        "index.md",
        "api.md",
        "cli.md",
        "tutorials/pbmc68k.md",
        "tutorials/nafld_proteomics.md",
        "tutorials/sklearn.md",
        "howto/workflow.md",
        "concepts/how_it_picks.md",
        "concepts/leakage.md",
        "concepts/report.md",
        "concepts/benchmark.md",
    ]:
        assert (docs / page).is_file(), page
