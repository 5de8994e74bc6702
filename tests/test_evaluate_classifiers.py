"""The default classifiers are defined once: Python, the command line and the workflow agree."""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from seqattn.evaluate.classifiers import (
    DEFAULT_CLASSIFIERS,
    available_classifiers,
    normalise_classifiers,
)

SCHEMA = Path(__file__).resolve().parents[1] / "workflow" / "schemas" / "config.schema.yaml"


def test_workflow_schema_default_is_the_module_constant():
    schema = yaml.safe_load(SCHEMA.read_text())
    spec = schema["properties"]["classifiers"]
    assert spec["default"] == list(DEFAULT_CLASSIFIERS)
    assert set(spec["items"]["enum"]) == set(available_classifiers())


def test_python_default_is_the_module_constant():
    assert tuple(normalise_classifiers(None)) == DEFAULT_CLASSIFIERS


def test_validate_command_help_names_the_default():
    from seqattn.cli import validate

    parser = argparse.ArgumentParser()
    validate.add_parser(parser.add_subparsers())
    sub = parser._subparsers._group_actions[0].choices["validate"]
    (action,) = [a for a in sub._actions if a.dest == "classifiers"]
    assert action.default is None  # None: normalise_classifiers applies DEFAULT_CLASSIFIERS
    assert f"default: {' '.join(DEFAULT_CLASSIFIERS)};" in action.help
