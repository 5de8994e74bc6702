"""The workflow's `panel:` section (issue #24): checked at load, passed to every selection,
and its costs table a declared input, so editing it reruns exactly what depends on it.

Dry runs only (`-n`, `--touch`): no job runs, so the module takes seconds per case.
"""

from __future__ import annotations

import os
import shlex
import time
from pathlib import Path

import pandas as pd
import pytest

from tests.test_workflow import TEST_CONFIG, load, planned_jobs, snakemake, write_config


def _costs(path: Path, names=("SOD1_N", "CaNA_N", "pERK_N")) -> Path:
    pd.DataFrame({"feature": list(names), "cost": 1.0}).to_csv(path, sep="\t", index=False)
    return path


def _two_datasets(tmp_path: Path, **panel) -> Path:
    """Mice Protein with `panel`, pbmc68k_reduced with its own empty panel section."""
    config = load(TEST_CONFIG)
    config["datasets"]["pbmc68k_reduced"] = {
        "bundled": "pbmc68k_reduced",
        "label": "bulk_labels",
        "preset": "zscore",
        "panel": {},  # replaces the global section: unconstrained
    }
    config["panel"] = panel
    return write_config(tmp_path / "panel.yaml", config)


def _commands(stdout: str) -> list[list[str]]:
    return [
        shlex.split(line.split("Shell command: ", 1)[1])
        for line in stdout.splitlines()
        if line.startswith("Shell command: ")
    ]


def test_panel_flags_reach_select_and_recommend_of_that_dataset_only(tmp_path):
    _costs(tmp_path / "costs.tsv")
    path = _two_datasets(
        tmp_path, exclude="^(SOD1|CaNA)_N$", costs="costs.tsv", preselected=["pERK_N"]
    )
    proc = snakemake(tmp_path, "-n", "-p", "--configfile", str(path))
    selects = [c for c in _commands(proc.stdout) if c[:2] in (["seqattn", "select"],)]
    recommends = [c for c in _commands(proc.stdout) if c[:2] == ["seqattn", "recommend"]]
    assert selects and recommends
    for argv in selects + recommends:
        mice = argv[2].startswith("results/mice_protein/")
        flags = {a.split("=", 1)[0] for a in argv if a.startswith("--") and "=" in a}
        if mice:
            assert "--exclude=^(SOD1|CaNA)_N$" in argv and "--costs=costs.tsv" in argv
            assert "--preselect=pERK_N" in argv and "--constraints-name=panel" in argv
        else:
            assert not flags & {"--exclude", "--costs", "--preselect"}, argv


def _fake_results(workdir: Path, config: Path, older: Path) -> None:
    """Every file the workflow would write, empty, with one time stamp newer than
    ``older``: the DAG of a finished run without running a job."""
    proc = snakemake(workdir, "--summary", "--configfile", str(config))
    stamp = time.time()
    os.utime(older, (stamp - 60, stamp - 60))
    for line in proc.stdout.splitlines()[1:]:
        name = line.split("\t", 1)[0]
        if name.startswith("results/"):
            target = workdir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
            os.utime(target, (stamp, stamp))


def test_editing_the_costs_table_reruns_only_what_depends_on_it(tmp_path):
    costs = _costs(tmp_path / "costs.tsv")
    path = _two_datasets(tmp_path, costs="costs.tsv", exclude="^(SOD1|CaNA)_N$")
    _fake_results(tmp_path, path, costs)
    assert "Nothing to be done" in snakemake(tmp_path, "-n", "--configfile", str(path)).stdout
    os.utime(costs)  # an edit: newer than every result
    proc = snakemake(tmp_path, "-n", "-p", "--configfile", str(path))
    jobs = planned_jobs(proc.stdout)
    assert {w.get("dataset") for _, w in jobs if w} == {"mice_protein"}
    rules = {rule for rule, _ in jobs}
    assert {"select", "select_final", "recommend"} <= rules | {"select_attention"}
    assert not rules & {"bundled_data", "preprocess", "folds"}, rules
    # every selection of the constrained data set reruns, then what reads the panels
    assert {"validate", "final_panel", "aggregate", "summary"} <= rules


@pytest.mark.parametrize(
    ("panel", "extra", "expected"),
    [
        ({"exclude": "(["}, {}, "config: panel.exclude: '([' is not a regular expression"),
        ({"costs": "nope.tsv"}, {}, "config: panel.costs: nope.tsv does not exist"),
        ({"budget": 0}, {}, "budget"),
        ({"budget": 3, "costz": "x"}, {}, "'costz' was unexpected"),
        (
            {"feature_groups": "kit"},
            {"methods": ["l1_logistic"]},
            "config: datasets.mice_protein.methods names l1_logistic, which cannot honour "
            "panel.feature_groups",
        ),
    ],
)
def test_panel_config_errors_fail_at_load(tmp_path, panel, extra, expected):
    config = load(TEST_CONFIG)
    config["methods"]["l1_logistic"] = {}
    config["panel"] = panel
    config["datasets"]["mice_protein"].update(extra)
    path = write_config(tmp_path / "bad.yaml", config)
    proc = snakemake(tmp_path, "-n", "--configfile", str(path), check=False)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and expected in out, out[-2000:]
    assert "Job stats" not in out


def test_method_that_cannot_honour_blocks_is_left_out_and_the_summary_says_why(tmp_path):
    config = load(TEST_CONFIG)
    config["methods"]["l1_logistic"] = {}
    config["datasets"]["mice_protein"]["panel"] = {"feature_groups": "kit"}
    path = write_config(tmp_path / "blocks.yaml", config)
    proc = snakemake(tmp_path, "-n", "-p", "--configfile", str(path))
    jobs = planned_jobs(proc.stdout)
    assert "l1_logistic" not in {w.get("method") for _, w in jobs}
    (summary,) = [c for c in _commands(proc.stdout) if c[:2] == ["seqattn", "summary"]]
    (note,) = [a for a in summary if a.startswith("--skipped=")]
    assert note.startswith("--skipped=l1_logistic=cannot honour datasets.mice_protein.panel")
    assert "--panel-meta" in summary


def test_cost_figure_only_for_the_data_set_with_costs(tmp_path):
    """panel_cost.tsv is written for every data set (a fixed DAG); the cost_accuracy figure,
    which needs costs in it, only for the data set whose panel section has costs, and the
    summary page and report link it there."""
    _costs(tmp_path / "costs.tsv")
    path = _two_datasets(tmp_path, costs="costs.tsv", exclude="^(SOD1|CaNA)_N$")
    proc = snakemake(tmp_path, "-n", "-p", "--configfile", str(path))
    jobs = planned_jobs(proc.stdout)
    assert [w["dataset"] for rule, w in jobs if rule == "cost_figure"] == ["mice_protein"]
    commands = _commands(proc.stdout)
    plots = [c for c in commands if c[:3] == ["seqattn", "plot", "all"]]
    (figure,) = [c for c in plots if "cost_accuracy" in c]  # not in the common figures job
    assert figure[figure.index("--tables") + 1] == "results/mice_protein/tables"
    assert figure[figure.index("--figures") + 1 :][:2] == ["cost_accuracy", "--strict"]
    summaries = {
        c[c.index("--dataset") + 1]: c for c in commands if c[:2] == ["seqattn", "summary"]
    }
    assert "results/mice_protein/figures/cost_accuracy.png" in summaries["mice_protein"]
    assert not any("cost_accuracy" in a for a in summaries["pbmc68k_reduced"])
    listing = snakemake(tmp_path, "--summary", "--configfile", str(path)).stdout
    for dataset in ("mice_protein", "pbmc68k_reduced"):
        assert f"results/{dataset}/tables/panel_cost.tsv" in listing
    assert "results/mice_protein/figures/cost_accuracy.pdf" in listing
    assert "results/pbmc68k_reduced/figures/cost_accuracy" not in listing
