"""The package's imports point one way (CONTRIBUTING.md, "Layering"), and the defaults
that the config schema repeats are the code's."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml

import seqattn
from seqattn._defaults import REFERENCE_METHOD

ROOT = Path(seqattn.__file__).resolve().parent
LEAVES = {
    "seqattn._errors",
    "seqattn._atomic",
    "seqattn._panel",
    "seqattn._defaults",
    "seqattn._tables",
    "seqattn._version",
}

#: package -> the seqattn modules it may import (besides its own and the leaves).
ALLOWED = {
    "core": {"seqattn._constraints"},
    "io": set(),
    "pp": {"seqattn.io"},
    "pl": {"seqattn.pp"},
    "methods": {"seqattn.core", "seqattn.pp", "seqattn._constraints"},
}


def _seqattn_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module == "seqattn":
            names.update(f"seqattn.{a.name}" for a in node.names)  # from seqattn import pl
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return {n for n in names if n == "seqattn" or n.startswith("seqattn.")}


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_point_one_way(package):
    own = f"seqattn.{package}"
    allowed = LEAVES | ALLOWED[package]
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        for name in _seqattn_imports(path):
            if name == own or name.startswith(own + "."):
                continue
            if not any(name == a or name.startswith(a + ".") for a in allowed):
                bad.append(f"{path.relative_to(ROOT.parent)} imports {name}")
    assert not bad, "\n".join(bad)


def test_schema_reference_default_is_the_code_default():
    schema = yaml.safe_load((ROOT.parent / "workflow/schemas/config.schema.yaml").read_text())
    assert schema["properties"]["reference"]["default"] == REFERENCE_METHOD


def test_figures_and_workflow_use_the_columns_the_writers_write():
    """One definition of the result tables (seqattn._tables): each figure's required columns
    are among those written, and the workflow's aggregate rule declares exactly its tables."""
    import re

    from seqattn._tables import AGGREGATE_TABLES, PANEL_COLUMNS
    from seqattn.pl._io import COLUMNS

    written = {**AGGREGATE_TABLES, "panel": PANEL_COLUMNS}
    for kind, needed in COLUMNS.items():
        if kind in written:  # cost_summary is pl's own; attention is wide (one per feature)
            assert set(needed) <= set(written[kind]), kind
    rule = (ROOT.parent / "workflow/rules/aggregate.smk").read_text().split("rule ")[1]
    declared = set(re.findall(r"results/\{dataset\}/tables/(\w+)\.tsv", rule))
    assert declared == set(AGGREGATE_TABLES)
