"""The Snakemake workflow: config validation, the DAG, an end-to-end run, kill and rerun.

The end-to-end tests run config/test.yaml (Mice Protein, 3 folds, 3 methods, k = 5) in a
temporary working directory; the run is shared by the tests of this module.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
SNAKEFILE = REPO / "Snakefile"
BIN = Path(sys.executable).parent
TEST_CONFIG = REPO / "config" / "test.yaml"
DEMO_CONFIG = REPO / "config" / "config.yaml"
MAXQUANT_CONFIG = REPO / "config" / "maxquant.yaml"

pytestmark = pytest.mark.skipif(
    shutil.which("snakemake", path=str(BIN)) is None, reason="snakemake is not installed"
)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # rules call `seqattn`
    env.setdefault("CUDA_VISIBLE_DEVICES", "")
    env.setdefault("MPLBACKEND", "Agg")
    return env


def snakemake(workdir: Path, *args: str, check: bool = True, **kwargs):
    """Run snakemake on the repository's Snakefile in `workdir`."""
    cmd = [str(BIN / "snakemake"), "-s", str(SNAKEFILE), "--directory", str(workdir), *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=_env(), **kwargs)
    if check and proc.returncode != 0:
        raise AssertionError(
            f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n"
            f"{proc.stderr[-5000:]}"
        )
    return proc


def job_counts(output: str) -> dict[str, int]:
    """The `Job stats` table of a dry-run as {rule: count}."""
    counts = {}
    table = output.split("Job stats:", 1)[1]
    for line in table.splitlines()[3:]:
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            break
        counts[parts[0]] = int(parts[1])
    return counts


def planned_jobs(output: str) -> list[tuple[str, dict[str, str]]]:
    """(rule, wildcards) of every job a dry-run (-p) would run."""
    jobs = []
    for block in re.split(r"\n(?=(?:local)?rule \w+:)", output):
        m = re.match(r"(?:local)?rule (\w+):", block.strip())
        if not m:
            continue
        w = re.search(r"^\s+wildcards: (.*)$", block, flags=re.M)
        wildcards = dict(kv.split("=", 1) for kv in w.group(1).split(", ")) if w else {}
        jobs.append((m.group(1), wildcards))
    return jobs


def write_config(path: Path, config: dict) -> Path:
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _compare_module():
    spec = importlib.util.spec_from_file_location(
        "compare_results", REPO / "tests" / "slurm" / "compare_results.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---- static checks --------------------------------------------------------------------


def test_lint_is_clean(tmp_path):
    proc = snakemake(tmp_path, "--lint", "--configfile", str(DEMO_CONFIG), check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_snakefmt_check():
    if shutil.which("snakefmt", path=str(BIN)) is None:
        pytest.skip("snakefmt is not installed")
    files = [str(SNAKEFILE), *map(str, sorted((REPO / "workflow" / "rules").glob("*.smk")))]
    proc = subprocess.run(
        [str(BIN / "snakefmt"), "--check", *files], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_rules_have_log_benchmark_threads():
    text = "\n".join(p.read_text() for p in (REPO / "workflow" / "rules").glob("*.smk"))
    for rule in re.split(r"\n(?=rule \w+:)", text)[1:]:
        name = re.match(r"rule (\w+):", rule).group(1)
        for directive in ("log:", "benchmark:", "threads:", "conda:"):
            assert directive in rule, f"rule {name} has no {directive}"
        assert "lambda" not in rule, f"rule {name} holds a lambda; move it to common.smk"
        assert "> {log:q} 2>&1" in rule, f"rule {name} does not send its output to its log"
        # every value in a command is quoted: a config value never runs as shell code
        (shell,) = re.findall(r"shell:\n((?:\s+\".*\"\n)+)", rule)
        for field in re.findall(r"\{([^{}]*)\}", shell):
            assert field == "threads" or field.endswith(":q"), f"rule {name}: {{{field}}} unquoted"


def test_figure_list_is_read_from_the_plot_module():
    """The workflow holds no copy of seqattn.pl.FIGURES: it reads the one list."""
    from seqattn.pl import FIGURES

    text = (REPO / "workflow" / "rules" / "common.smk").read_text()
    assert not re.search(r"^FIGURES = \[", text, flags=re.M), "a copy of the figure list"
    assert '_module_constant("seqattn/pl/_all.py", "FIGURES")' in text
    for name in FIGURES:
        assert (REPO / "workflow" / "report" / "figures" / f"{name}.rst").is_file(), name


# ---- the config -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda c: c.update(sed=1), "'sed' was unexpected"),
        (lambda c: c["datasets"]["mice_protein"].update(lable="class"), "'lable' was unexpected"),
        (lambda c: c.update(ks="five"), "five"),
        (lambda c: c["cv"].update(n_splits=1), "n_splits"),
        (lambda c: c["methods"]["random"].update(option={}), "'option' was unexpected"),
        (lambda c: c["datasets"]["mice_protein"].update(methods=["nope"]), "nope"),
        (lambda c: c.update(device="gpu"), "gpu"),
        (lambda c: c["recommend"].update(rule="median"), "median"),
        (lambda c: c["recommend"].update(inner_splits=1), "inner_splits"),
        (
            lambda c: c["recommend"].update(methods=["mrmr"]),
            "config: recommend.methods names ['mrmr'], which are not under `methods`",
        ),
        # methods, their options and the reference, checked against the methods themselves
        (
            lambda c: c["methods"].update(foo={}),
            "config: methods.foo: unknown method 'foo'; available: anova,",
        ),
        (
            lambda c: c.update(reference="sequential_attnetion"),
            "config: reference: 'sequential_attnetion' is not one of the configured methods",
        ),
        (
            lambda c: c["methods"]["sequential_attention"].update(options={"lr": "abc"}),
            "config: methods.sequential_attention.options.lr: 'abc' is a str; expected float",
        ),
        (
            lambda c: c["methods"]["sequential_attention"].update(options={"n_restarts": 2.5}),
            "config: methods.sequential_attention.options.n_restarts: 2.5 is a float; expected int",
        ),
        (
            lambda c: c["methods"]["random"].update(options={"unused_option": 1}),
            "config: methods.random.options.unused_option: random: unknown option(s) "
            "unused_option; its options are (none)",
        ),
        (
            lambda c: c["methods"].update(stg={"options": {"lr": -1}}),
            "config: methods.stg.options.lr: stg: ",
        ),
    ],
)
def test_config_errors_fail_before_any_job(tmp_path, edit, expected):
    config = load(TEST_CONFIG)
    edit(config)
    path = write_config(tmp_path / "bad.yaml", config)
    proc = snakemake(tmp_path, "-n", "--configfile", str(path), check=False)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert expected in out, out[-2000:]
    assert "Job stats" not in out
    assert not (tmp_path / "results").exists()


def test_configfile_replaces_the_demo_config(tmp_path):
    proc = snakemake(tmp_path, "-n", "--configfile", str(TEST_CONFIG))
    jobs = planned_jobs(proc.stdout)
    assert {w.get("dataset") for _, w in jobs if w} == {"mice_protein"}


# ---- config values reach the jobs as they are --------------------------------------------

#: A value that runs three commands when a shell sees it unquoted.
ODD = "$(touch PWNED_{0}) `touch PWNED_{0}b`; touch PWNED_{0}c; 'q' \"dq\""


def _odd_config(root: Path) -> dict:
    """A CSV data set whose folder, files, label, classes and options all hold `ODD`."""
    folder = root / f"in dir {ODD.format('dir')}"
    folder.mkdir()
    rng = np.random.default_rng(0)
    n = 24
    cls = np.arange(n) % 2
    matrix = pd.DataFrame(rng.normal(size=(n, 5)) + cls[:, None], columns=list("ABCDE"))
    matrix.insert(0, "sample id", [f"s{i}" for i in range(n)])
    matrix[f"age {ODD.format('obs')}"] = rng.integers(20, 80, n)
    path = folder / f"matrix {ODD.format('file')}.csv"
    matrix.to_csv(path, index=False)
    label = f"disease state {ODD.format('label')}"
    classes = np.array([f"ctl {ODD.format('class')}", "case"])[cls]
    sheet = folder / f"sheet {ODD.format('sheet')}.tsv"
    pd.DataFrame({"sample id": matrix["sample id"], label: classes}).to_csv(
        sheet, sep="\t", index=False
    )
    return {
        "datasets": {
            "odd": {
                "path": str(path),
                "format": "csv",
                "sample_sheet": str(sheet),
                "sample_column": "sample id",
                "samples_as": "rows",
                "label": label,
                "preset": "zscore",
                "options": {"obs_columns": [f"age {ODD.format('obs')}"]},
            }
        },
        "methods": {
            "random": {},
            "sequential_attention": {
                "options": {
                    "class_weight": {f"ctl {ODD.format('class')}": 1.0, "case": 2.0},
                    "n_restarts": 1,
                    "epochs": 2,
                }
            },
        },
        "ks": [2],
        "cv": {"n_splits": 2, "n_repeats": 1},
        "classifiers": ["logreg"],
        "device": "cpu",
    }


def _argument(argv: list[str], flag: str) -> list[str]:
    return [argv[i + 1] for i, a in enumerate(argv) if a == flag]


def test_config_values_reach_the_jobs_literally(tmp_path):
    """Spaces, quotes, $(...), backticks and ; in paths, a label and options run nothing."""
    import anndata as ad

    config = _odd_config(tmp_path)
    section = config["datasets"]["odd"]
    sa_options = config["methods"]["sequential_attention"]["options"]
    path = write_config(tmp_path / "odd.yaml", config)
    workdir = tmp_path / "run"
    # every planned command, split as the shell splits it, holds the values as written
    proc = snakemake(workdir, "-n", "-p", "--configfile", str(path))
    commands = [
        shlex.split(line.split("Shell command: ", 1)[1])
        for line in proc.stdout.splitlines()
        if line.startswith("Shell command: ")
    ]
    by_tool = {}
    for argv in commands:
        by_tool.setdefault(" ".join(argv[:2]), []).append(argv)
    assert {"seqattn preprocess", "seqattn folds", "seqattn select", "seqattn validate"} <= set(
        by_tool
    ), sorted(by_tool)
    for argv in commands:
        if "--label" in argv:
            assert _argument(argv, "--label") == [section["label"]], argv
    (preprocess,) = by_tool["seqattn preprocess"]
    assert preprocess[2] == section["path"]
    assert _argument(preprocess, "--sample-sheet") == [section["sample_sheet"]]
    options = [yaml.safe_load(o.split("=", 1)[1]) for o in _argument(preprocess, "--option")]
    assert options == [section["options"]["obs_columns"]]
    for argv in by_tool["seqattn select"]:
        if "sequential_attention" in argv:
            given = dict(o.split("=", 1) for o in _argument(argv, "--option"))
            assert yaml.safe_load(given["class_weight"]) == sa_options["class_weight"]
    # and the jobs themselves get them: preprocess, folds, two selections, one validation
    targets = [
        "results/odd/metrics/random/r0_f0.tsv",
        "results/odd/panels/sequential_attention/r0_f0.tsv",
    ]
    snakemake(workdir, *targets, "--cores", "2", "--configfile", str(path))
    assert not list(tmp_path.rglob("PWNED*")), "a value ran as a shell command"
    adata = ad.read_h5ad(workdir / "results/odd/data.h5ad")
    assert set(adata.obs[section["label"]]) == set(sa_options["class_weight"])
    assert section["options"]["obs_columns"][0] in adata.obs
    meta = json.loads((workdir / "results/odd/panels/sequential_attention/r0_f0.json").read_text())
    assert meta["label"] == section["label"]
    assert meta["options"]["class_weight"] == sa_options["class_weight"]
    assert (workdir / targets[0]).stat().st_size > 0


def _csv_section(folder: Path, name: str, class_sizes: tuple[int, ...]) -> dict:
    """A small samples-as-rows CSV data set with classes of the given sizes."""
    rng = np.random.default_rng(0)
    y = np.repeat([f"c{i}" for i in range(len(class_sizes))], class_sizes)
    matrix = pd.DataFrame(rng.normal(size=(len(y), 4)), columns=list("ABCD"))
    matrix.insert(0, "sample", [f"s{i}" for i in range(len(y))])
    matrix["cls"] = y
    path = folder / f"{name}.csv"
    matrix.to_csv(path, index=False)
    return {
        "path": str(path),
        "format": "csv",
        "sample_column": "sample",
        "samples_as": "rows",
        "label": "cls",
        "preset": "zscore",
        "options": {"obs_columns": ["cls"]},
    }


def test_too_small_class_names_the_config_key_that_sets_the_folds(tmp_path):
    """A fold error from the workflow names the config key, not the CLI flag."""
    config = {
        "datasets": {
            "one": _csv_section(tmp_path, "one", (8, 8, 1)),
            "two": {**_csv_section(tmp_path, "two", (8, 8, 1)), "cv": {"n_splits": 2}},
        },
        "methods": {"random": {}},
        "ks": [2],
        "cv": {"n_splits": 2, "n_repeats": 1},
        "classifiers": ["logreg"],
        "device": "cpu",
    }
    path = write_config(tmp_path / "small.yaml", config)
    workdir = tmp_path / "run"
    targets = ["results/one/folds.tsv", "results/two/folds.tsv"]
    proc = snakemake(
        workdir, *targets, "--cores", "2", "--keep-going", "--configfile", str(path), check=False
    )
    assert proc.returncode != 0
    for dataset, key in [("one", "cv.n_splits"), ("two", "datasets.two.cv.n_splits")]:
        log = (workdir / "logs" / dataset / "folds.log").read_text()
        assert f"'c2' (1 samples); {key} cannot go below 2, so drop or merge" in log, log
        assert "--n-splits" not in log, log


# ---- the DAG --------------------------------------------------------------------------


def test_dry_run_default_config(tmp_path):
    config = load(DEMO_CONFIG)
    proc = snakemake(tmp_path, "-n", "--configfile", str(DEMO_CONFIG))
    counts = job_counts(proc.stdout)
    n_data = len(config["datasets"])
    n_methods = len(config["methods"])
    n_folds = config["cv"]["n_splits"] * config["cv"]["n_repeats"]
    assert n_methods >= 5 and "sequential_attention" in config["methods"]
    assert sorted(config["ks"]) == [5, 10, 20]
    assert counts["select"] + counts["select_attention"] == n_data * n_methods * n_folds
    assert counts["select_attention"] == n_data * n_folds  # Sequential Attention's
    assert counts["validate"] == n_data * n_methods * n_folds
    assert counts["select_final"] + counts["select_final_attention"] == n_data * n_methods
    assert counts["select_final_attention"] == n_data
    assert counts["final_panel"] == n_data * n_methods
    for rule in ("bundled_data", "preprocess", "folds", "aggregate"):
        assert counts[rule] == n_data
    for rule in ("figures", "attention_figure", "similarity_figure", "summary"):
        assert counts[rule] == n_data


def test_dry_run_multi_dataset_config(tmp_path):
    """Three data sets (bundled h5ad and a MaxQuant study), a method subset, a cv override."""
    config = load(DEMO_CONFIG)
    nafld = load(MAXQUANT_CONFIG)["datasets"]["nafld_plasma"]
    for key in ("path", "sample_sheet"):
        nafld[key] = str(REPO / nafld[key])
    nafld["methods"] = ["sequential_attention", "random"]
    nafld["cv"] = {"n_splits": 4}  # keeps the global n_repeats
    config["datasets"]["nafld_plasma"] = nafld
    config["cv"] = {"n_splits": 5, "n_repeats": 2}
    config["methods"]["sequential_attention"]["options"] = {"hidden": [16]}
    path = write_config(tmp_path / "multi.yaml", config)
    proc = snakemake(tmp_path, "-n", "-p", "--configfile", str(path))
    jobs = planned_jobs(proc.stdout)
    selects = [w for rule, w in jobs if rule in ("select", "select_attention")]
    nafld_selects = [w for w in selects if w["dataset"] == "nafld_plasma"]
    assert {w["method"] for w in nafld_selects} == {"sequential_attention", "random"}
    assert {(w["repeat"], w["fold"]) for w in nafld_selects} == {
        (str(r), str(f)) for r in range(2) for f in range(4)
    }
    mice_selects = [w for w in selects if w["dataset"] == "mice_protein"]
    assert len(mice_selects) == len(config["methods"]) * 2 * 5
    assert {w["dataset"] for w in selects} == set(config["datasets"])
    assert "--format maxquant" in proc.stdout and "--sample-sheet" in proc.stdout
    assert "--option 'hidden=[16]'" in proc.stdout


def test_figures_that_do_not_apply_are_left_out_up_front(tmp_path):
    """Without an attention method there is no attention trajectory to ask for, with one
    method no method similarity; decided from the config, never a placeholder figure."""
    config = load(TEST_CONFIG)
    del config["methods"]["sequential_attention"], config["reference"]
    path = write_config(tmp_path / "no_attention.yaml", config)
    proc = snakemake(tmp_path, "-n", "--configfile", str(path))
    counts = job_counts(proc.stdout)
    assert "select_attention" not in counts and "attention_figure" not in counts
    assert counts["similarity_figure"] == 1 and counts["figures"] == 1
    assert "attention_trajectory" not in proc.stdout
    config["methods"] = {"anova": {}}
    config["recommend"]["methods"] = ["anova"]
    path = write_config(tmp_path / "one_method.yaml", config)
    proc = snakemake(tmp_path, "-n", "--configfile", str(path))
    assert "similarity_figure" not in job_counts(proc.stdout)
    assert "figures/method_similarity" not in proc.stdout


# ---- end to end -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    """config/test.yaml run to the end in a fresh working directory."""
    workdir = tmp_path_factory.mktemp("workflow") / "run"
    workdir.mkdir()
    start = time.monotonic()
    snakemake(workdir, "--cores", "2", "--configfile", str(TEST_CONFIG))
    print(f"tiny config: {time.monotonic() - start:.0f} s")
    return workdir


@pytest.mark.slow
def test_end_to_end_outputs(tiny_run):
    config = load(TEST_CONFIG)
    res = tiny_run / "results" / "mice_protein"
    n_folds = config["cv"]["n_splits"]
    for name in ("data.h5ad", "folds.tsv"):
        assert (res / name).is_file()
    for method in config["methods"]:
        assert (res / "panels" / method / "all.tsv").is_file()
        for f in range(n_folds):
            assert (res / "panels" / method / f"r0_f{f}.tsv").is_file()
            assert (res / "panels" / method / f"r0_f{f}.json").is_file()
            assert (res / "metrics" / method / f"r0_f{f}.tsv").is_file()
            assert (res / "metrics" / method / f"r0_f{f}.predictions.tsv").is_file()
    assert (res / "panels" / "sequential_attention" / "all.attention.tsv").is_file()
    assert (res / "summary.md").is_file()
    # the recommendation: its table, figure and the headline on top of summary.md
    rec = pd.read_csv(res / "tables" / "recommendation.tsv", sep="\t").iloc[0]
    assert rec["method"] in config["recommend"]["methods"]
    assert rec["k"] in config["recommend"]["ks"]
    assert rec["headline"].startswith(f"Take this panel: {rec['k']} markers chosen by ")
    assert rec["n_outer_folds"] == n_folds
    summary_lines = (res / "summary.md").read_text().splitlines()
    assert summary_lines[2] == f"**{rec['headline']}**"
    for name in ("recommendation_panel", "recommendation_folds", "recommendation_inner"):
        assert (res / "tables" / f"{name}.tsv").is_file(), name
    for ext in ("png", "pdf"):
        assert (res / "figures" / f"recommendation.{ext}").stat().st_size > 1000
    for name in ("accuracy_vs_k", "attention_trajectory", "panel_heatmap"):
        for ext in ("png", "pdf"):
            assert (res / "figures" / f"{name}.{ext}").stat().st_size > 1000
    for table in (
        "metrics",
        "cost",
        "summary",
        "paired",
        "selection_frequency",
        "stability",
        "method_similarity",
        "predictions",
    ):
        assert (res / "tables" / f"{table}.tsv").is_file(), table
    # every job logged, every job benchmarked
    logs = list((tiny_run / "logs" / "mice_protein").rglob("*.log"))
    assert len(logs) >= 3 * len(config["methods"]) * n_folds
    assert list((tiny_run / "logs" / "benchmarks").rglob("*.tsv"))
    # provenance in every panel sidecar
    meta = json.loads((res / "panels" / "sequential_attention" / "r0_f0.json").read_text())
    assert meta["seed"] == config["seed"]
    assert meta["device"] == "cpu"
    assert {"seqattn", "torch", "scikit-learn"} <= set(meta["versions"])


@pytest.mark.slow
def test_sequential_attention_beats_random_at_k5(tiny_run):
    summary = pd.read_csv(tiny_run / "results/mice_protein/tables/summary.tsv", sep="\t")
    rows = summary[
        (summary["k"] == 5)
        & (summary["metric"] == "balanced_accuracy")
        & (summary["classifier"] == "logreg")
    ].set_index("method")["mean"]
    assert rows["sequential_attention"] > rows["random"], rows.to_dict()


@pytest.mark.slow
def test_report_builds(tiny_run):
    snakemake(tiny_run, "--configfile", str(TEST_CONFIG), "--report", "report.html")
    html = (tiny_run / "report.html").read_text(errors="replace")
    assert len(html) > 10_000 and "sequential_attention" in html
    assert "Take this panel: " in html


@pytest.mark.slow
def test_changing_one_method_reruns_only_that_method(tiny_run, tmp_path):
    config = load(TEST_CONFIG)
    config["methods"]["random"]["device"] = "cpu"  # the global device: same runs, new config
    path = write_config(tmp_path / "edited.yaml", config)
    proc = snakemake(tiny_run, "-n", "-p", "--configfile", str(path))
    jobs = planned_jobs(proc.stdout)
    per_method = {(rule, w.get("method")) for rule, w in jobs if "method" in w}
    assert per_method, proc.stdout[-2000:]
    assert {method for _, method in per_method} == {"random"}
    assert {rule for rule, _ in per_method} == {"select", "select_final", "validate", "final_panel"}
    others = {rule for rule, w in jobs if "method" not in w}
    # recommend too: it fits random (recommend.methods), whose options it passes
    allowed = {"aggregate", "figures", "similarity_figure", "recommend", "summary", "all"}
    assert others <= allowed, others
    # adding a method runs only the new method's jobs (and the aggregation)
    config = load(TEST_CONFIG)
    config["methods"]["variance"] = {}
    path = write_config(tmp_path / "added.yaml", config)
    jobs = planned_jobs(snakemake(tiny_run, "-n", "-p", "--configfile", str(path)).stdout)
    assert {w["method"] for _, w in jobs if "method" in w} == {"variance"}
    assert {rule for rule, w in jobs if "method" not in w} <= {
        "aggregate",
        "figures",
        "similarity_figure",
        "summary",
        "all",
    }
    # and the unchanged config has nothing left to do
    proc = snakemake(tiny_run, "-n", "--configfile", str(TEST_CONFIG))
    assert "Nothing to be done" in proc.stdout + proc.stderr


@pytest.mark.slow
def test_kill_during_selection_then_rerun_incomplete(tiny_run, tmp_path):
    """SIGKILL the whole run mid-selection; --rerun-incomplete completes it identically.

    The second, independent run also shows that the same seed gives identical panels.
    """
    workdir = tmp_path / "killed"
    workdir.mkdir()
    cmd = [
        str(BIN / "snakemake"),
        "-s",
        str(SNAKEFILE),
        "--directory",
        str(workdir),
        "--cores",
        "2",
        "--configfile",
        str(TEST_CONFIG),
    ]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
        start_new_session=True,
    )
    select_logs = workdir / "logs" / "mice_protein" / "select"
    deadline = time.monotonic() + 600
    try:
        while not (select_logs.is_dir() and any(select_logs.rglob("*.log"))):
            assert proc.poll() is None, "the run ended before any selection started"
            assert time.monotonic() < deadline, "no selection job started"
            time.sleep(0.2)
        time.sleep(1.0)  # inside the selection step
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # snakemake and its running jobs
        proc.wait()
    assert not (workdir / "results/mice_protein/tables/summary.tsv").exists()
    # a SIGKILLed snakemake cannot remove its lock: release it, then finish the run
    snakemake(workdir, "--unlock", "--configfile", str(TEST_CONFIG))
    snakemake(workdir, "--cores", "2", "--rerun-incomplete", "--configfile", str(TEST_CONFIG))
    problems = _compare_module().compare(tiny_run / "results", workdir / "results")
    assert problems == []
    # the accuracy tables are byte-identical; only tables/cost.tsv may differ
    tables = sorted((tiny_run / "results/mice_protein/tables").glob("*.tsv"))
    assert "cost.tsv" in {p.name for p in tables}
    for table in tables:
        if table.name != "cost.tsv":
            rerun = workdir / "results/mice_protein/tables" / table.name
            assert table.read_bytes() == rerun.read_bytes(), table.name


#: One result file of each kind and the rule that writes it (tiny config).
_RESULT_FILES = {
    "panels/anova/r0_f1.tsv": "select",
    "panels/anova/r0_f1.json": "select",
    "panels/sequential_attention/r0_f0.attention.tsv": "select_attention",
    "panels/sequential_attention/all.attention.tsv": "select_final_attention",
    "panels/random/all.tsv": "select_final",
    "tables/final_panel_sequential_attention.tsv": "final_panel",
    "metrics/random/r0_f2.tsv": "validate",
    "metrics/random/r0_f2.predictions.tsv": "validate",
    "tables/selection_frequency.tsv": "aggregate",
    "tables/recommendation_inner.tsv": "recommend",
    "figures/panel_heatmap.pdf": "figures",
    "figures/attention_trajectory.png": "attention_figure",
    "figures/method_similarity.pdf": "similarity_figure",
    "summary.md": "summary",
}


@pytest.mark.slow
def test_every_result_file_is_declared_and_rebuilt(tiny_run, tmp_path):
    """After a complete run there is nothing to do; a deleted result file of any kind is
    planned again by the rule that writes it (and only what depends on it follows), and a
    rerun rebuilds it. Before, the final panels with selection frequency and the attention
    tables were written but not declared: deleted, they stayed missing."""
    workdir = tmp_path / "run"
    shutil.copytree(tiny_run, workdir, symlinks=True)  # copy2: the mtimes stay
    config = ["--configfile", str(TEST_CONFIG)]
    proc = snakemake(workdir, "-n", *config)
    assert "Nothing to be done" in proc.stdout + proc.stderr, proc.stdout[-2000:]
    res = workdir / "results" / "mice_protein"
    # every file the run wrote under results/ is a declared output of a job
    planned = snakemake(workdir, "-n", "--forceall", *config).stdout
    declared = {
        path
        for line in planned.splitlines()
        if line.strip().startswith("output: ")
        for path in line.split("output: ", 1)[1].split(", ")
    }
    written = {p.relative_to(workdir).as_posix() for p in res.rglob("*") if p.is_file()}
    assert written - declared == set()

    for name, rule in _RESULT_FILES.items():
        path = res / name
        content, stat = path.read_bytes(), path.stat()
        path.unlink()
        jobs = planned_jobs(snakemake(workdir, "-n", "-p", *config).stdout)
        rules = {r for r, _ in jobs}
        assert rule in rules, (name, rules)
        assert not rules & {"bundled_data", "preprocess", "folds"}, (name, rules)
        path.write_bytes(content)  # back as it was, for the next file
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))

    # one of each kind deleted at once, then a rerun: every one is back, nothing left to do
    kinds = [
        "panels/sequential_attention/r0_f0.attention.tsv",
        "tables/final_panel_sequential_attention.tsv",
        "metrics/random/r0_f2.tsv",
        "tables/selection_frequency.tsv",
        "figures/panel_heatmap.pdf",
        "figures/attention_trajectory.png",
        "summary.md",
    ]
    for name in kinds:
        (res / name).unlink()
    snakemake(workdir, "--cores", "2", *config)
    for name in kinds:
        assert (res / name).is_file(), name
    proc = snakemake(workdir, "-n", *config)
    assert "Nothing to be done" in proc.stdout + proc.stderr, proc.stdout[-2000:]
    # the summary page shows the final panel with its selection frequency again
    assert "selection frequency" in (res / "summary.md").read_text()
