"""Config validation and every helper the rules use (input functions, params, resources).

Rules stay declarative: anything computed from the config lives here.
"""

import hashlib
import json
import os
import re

import yaml

from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# whether the config names a reference itself (validate fills in the schema's default)
_REFERENCE_GIVEN = "reference" in config
validate(config, schema="../schemas/config.schema.yaml")


def _check_config():
    """Cross-references the schema cannot express; fail before any job runs."""
    known = set(config["methods"])
    unknown = [
        m for m in (config.get("recommend") or {}).get("methods", []) if m not in known
    ]
    if unknown:
        raise WorkflowError(
            f"config: recommend.methods names {unknown}, which are not under `methods` "
            f"(known: {sorted(known)}); the recommendation uses their options from there"
        )
    for dataset, section in config["datasets"].items():
        unknown = [m for m in section.get("methods", []) if m not in known]
        if unknown:
            raise WorkflowError(
                f"config: datasets.{dataset}.methods names {unknown}, which are not under "
                f"`methods` (known: {sorted(known)})"
            )


_check_config()


def _first_line(err):
    return str(err).splitlines()[0] if str(err) else repr(err)


def _check_methods():
    """Method names, every method option (name, type, value) and `reference`, before any job.

    Each option is checked against the type in its method's signature, then the method is
    built with it (its own checks) without running it. Skipped when seqattn cannot be
    imported next to Snakemake (`--sdm conda`): then each job checks its own method.
    """
    try:
        from seqattn._errors import SeqattnError
        from seqattn._options import annotation_problem
        from seqattn.methods import available_methods, get_method, make_selector
    except ImportError:
        return
    available = available_methods()
    for method, section in config["methods"].items():
        where = f"config: methods.{method}"
        if method not in available:
            raise WorkflowError(
                f"{where}: unknown method {method!r}; available: {', '.join(available)}"
            )
        options = section.get("options") or {}
        for key, value in options.items():
            problem = annotation_problem(get_method(method), key, value)
            if problem is None:
                try:
                    make_selector(method, None, {key: value})
                except SeqattnError as err:
                    problem = _first_line(err)
            if problem is not None:
                raise WorkflowError(f"{where}.options.{key}: {problem}")
        try:  # options that only fail together
            make_selector(method, None, options)
        except SeqattnError as err:
            raise WorkflowError(f"{where}.options: {_first_line(err)}") from None
    reference = config["reference"]
    if _REFERENCE_GIVEN and reference not in config["methods"]:
        raise WorkflowError(
            f"config: reference: {reference!r} is not one of the configured methods "
            f"({', '.join(config['methods'])}); name one of them or leave `reference` out"
        )


def _checked_methods_stamp():
    """Where a passed check of this `methods`/`reference` is recorded, so that reruns with
    the same config and the same seqattn code skip the imports it needs (seconds)."""
    try:
        import seqattn
    except ImportError:
        return None
    package = os.path.dirname(seqattn.__file__)
    sources = [os.path.join(package, "methods"), os.path.join(package, "core")]
    mtimes = [
        os.path.getmtime(os.path.join(folder, name))
        for folder in sources
        if os.path.isdir(folder)
        for name in sorted(os.listdir(folder))
        if name.endswith(".py")
    ]
    key = json.dumps(
        [
            config["methods"],
            config["reference"],
            _REFERENCE_GIVEN,
            seqattn.__version__,
            mtimes,
        ],
        sort_keys=True,
        default=str,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return os.path.join(".snakemake", "seqattn", f"methods-checked-{digest}")


def _registry_attention():
    """The configured methods whose selector writes an attention table: the registry's
    class attribute `has_attention` (Sequential Attention). Without seqattn importable next
    to Snakemake (`--sdm conda`), the same attribute read from the method sources beside
    this Snakefile, so both modes declare the same files."""
    try:
        from seqattn.methods import get_method
    except ImportError:
        return _source_attention()
    return [
        m for m in config["methods"] if getattr(get_method(m), "has_attention", False)
    ]


def _source_attention():
    import ast
    import glob

    found = set()
    for path in glob.glob(os.path.join(workflow.basedir, "seqattn", "methods", "*.py")):
        with open(path) as handle:
            tree = ast.parse(handle.read())
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                attrs = {
                    target.id: item.value.value
                    for item in node.body
                    if isinstance(item, ast.Assign)
                    and isinstance(item.value, ast.Constant)
                    for target in item.targets
                    if isinstance(target, ast.Name)
                }
                if attrs.get("has_attention") is True:
                    found.add(attrs.get("name"))
    return [m for m in config["methods"] if m in found]


def _registry_caps():
    """What each configured method can honour of the panel constraints: the registry's
    class attributes `supports_blocks` / `supports_budget` and `constraint_limit` (why
    not). None without seqattn next to Snakemake (`--sdm conda`): then no method is left
    out up front, and a job whose method cannot honour a constraint fails in one line.
    """
    try:
        from seqattn.methods import get_method
    except ImportError:
        return None
    caps = {}
    for method in config["methods"]:
        cls = get_method(method)
        caps[method] = {
            "feature_groups": bool(getattr(cls, "supports_blocks", False)),
            "budget": bool(getattr(cls, "supports_budget", False)),
            "limit": str(getattr(cls, "constraint_limit", "")),
        }
    return caps


def _read_stamp(stamp):
    try:
        with open(stamp) as handle:
            record = json.load(handle)
        return record["attention"], record["caps"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, None


# The check runs once per config and seqattn code (the stamp); the stamp also keeps what the
# DAG needs from the registry, so a parse does not import torch again.
_stamp = _checked_methods_stamp()
ATTENTION_METHODS, METHOD_CAPS = (
    _read_stamp(_stamp) if _stamp is not None else (None, None)
)
if ATTENTION_METHODS is None:
    if workflow.is_main_process:  # not again in every job a cluster executor starts
        _check_methods()
    ATTENTION_METHODS = _registry_attention()
    METHOD_CAPS = _registry_caps()
    if _stamp is not None and workflow.is_main_process:
        os.makedirs(os.path.dirname(_stamp), exist_ok=True)
        with open(f"{_stamp}.{os.getpid()}", "w") as handle:
            json.dump({"attention": ATTENTION_METHODS, "caps": METHOD_CAPS}, handle)
        os.replace(f"{_stamp}.{os.getpid()}", _stamp)

# A regular expression of those names, for the rules that declare the attention tables
ATTENTION_METHOD_RE = "|".join(re.escape(m) for m in ATTENTION_METHODS) or "(?!)"

DATASETS = list(config["datasets"])


# ---- small accessors ------------------------------------------------------------------


def _dataset(wildcards):
    return config["datasets"][wildcards.dataset]


def dataset_methods(dataset):
    """Methods run on `dataset`: its own `methods` list, else every configured method that
    can honour the data set's panel constraints (the others: `skipped_methods`)."""
    section = config["datasets"][dataset]
    if "methods" in section:
        return list(section["methods"])
    return [m for m in config["methods"] if not method_limit(dataset, m)]


# ---- panel constraints ----------------------------------------------------------------


def dataset_panel(dataset):
    """The data set's panel constraints: its own `panel` section (which replaces the
    global one as a whole), else the global `panel`."""
    section = config["datasets"][dataset]
    if "panel" in section:
        return dict(section["panel"] or {})
    return dict(config.get("panel") or {})


def panel_key(dataset):
    """The config section that sets `dataset`'s constraints (named in the jobs' errors)."""
    return (
        f"datasets.{dataset}.panel"
        if "panel" in config["datasets"][dataset]
        else "panel"
    )


def method_limit(dataset, method):
    """Why `method` cannot honour `dataset`'s panel constraints ("" when it can, or when
    the registry cannot be read here: then the job says so)."""
    caps = (METHOD_CAPS or {}).get(method)
    panel = dataset_panel(dataset)
    if caps is None:
        return ""
    cannot = [k for k in ("feature_groups", "budget") if k in panel and not caps[k]]
    if not cannot:
        return ""
    return (
        f"cannot honour {panel_key(dataset)}.{' and '.join(cannot)}: it {caps['limit']}"
    )


def skipped_methods(dataset):
    """{method: why} of the configured methods left out of `dataset` by its constraints."""
    if "methods" in config["datasets"][dataset]:
        return {}
    return {
        m: method_limit(dataset, m)
        for m in config["methods"]
        if method_limit(dataset, m)
    }


def _check_panel():
    """The panel sections: expressions compile, cost tables exist, the methods named for a
    data set can honour its constraints and some method can; before any job."""
    for dataset, section in config["datasets"].items():
        panel, key = dataset_panel(dataset), panel_key(dataset)
        exclude = panel.get("exclude")
        if isinstance(exclude, str):
            try:
                re.compile(exclude)
            except re.error as err:
                raise WorkflowError(
                    f"config: {key}.exclude: {exclude!r} is not a regular expression ({err})"
                )
        costs = panel.get("costs")
        if costs and not os.path.isfile(costs):
            raise WorkflowError(
                f"config: {key}.costs: {costs} does not exist; give a TSV/CSV with columns "
                "feature, cost"
            )
        for method in section.get("methods", []):
            if method_limit(dataset, method):
                raise WorkflowError(
                    f"config: datasets.{dataset}.methods names {method}, which "
                    f"{method_limit(dataset, method)}; drop it from the list"
                )
        if not dataset_methods(dataset):
            raise WorkflowError(
                f"config: no configured method can honour {key} on {dataset} "
                f"({'; '.join(f'{m} {r}' for m, r in skipped_methods(dataset).items())})"
            )
        if recommend_enabled() and not recommend_methods(dataset):
            raise WorkflowError(
                f"config: none of recommend.methods can honour {key} on {dataset}; add one "
                "that can (anova, mutual_info, random, sequential_attention)"
            )


def get_costs_input(wildcards):
    """The data set's costs table, when it has one (a declared input: editing it reruns the
    selection and recommendation jobs of the data sets that use it)."""
    costs = dataset_panel(wildcards.dataset).get("costs")
    return [costs] if costs else []


def panel_args(dataset):
    """The `seqattn select` / `recommend` constraint flags of `dataset` (`--flag=value`, so
    a value that starts with '-' stays a value)."""
    panel = dataset_panel(dataset)
    args = []
    exclude = panel.get("exclude")
    if isinstance(exclude, str):
        args.append(f"--exclude={exclude}")
    else:
        args += [f"--exclude-feature={name}" for name in exclude or []]
    if panel.get("feature_groups"):
        args.append(f"--feature-groups={panel['feature_groups']}")
    if panel.get("costs"):
        args.append(f"--costs={panel['costs']}")
    if panel.get("budget") is not None:
        args.append(f"--budget={panel['budget']}")
    args += [f"--preselect={name}" for name in panel.get("preselected") or []]
    if args:
        args.append(f"--constraints-name={panel_key(dataset)}")
    return args


def dataset_cv(dataset):
    cv = {"n_splits": 5, "n_repeats": 1}
    cv.update(config.get("cv") or {})
    cv.update(config["datasets"][dataset].get("cv") or {})
    return cv


def fold_ids(dataset):
    """(repeat, fold) of every outer fold; repeats and folds count from 0."""
    cv = dataset_cv(dataset)
    return [(r, f) for r in range(cv["n_repeats"]) for f in range(cv["n_splits"])]


def method_device(method):
    return config["methods"][method].get("device") or config.get("device", "auto")


def _args(args):
    """Command-line arguments as strings; rules quote each one with `{params.x:q}`."""
    return [str(a) for a in args]


def _option_args(options):
    """`--option key=value` per entry, written so the CLI's YAML parsing gives `value` back.

    Plain strings stay plain (`impute=median`); anything else, and strings YAML would read
    as another type (`"yes"`, `"1"`), is written as JSON, which is YAML too.
    """
    args = []
    for key, value in (options or {}).items():
        plain = isinstance(value, str) and yaml.safe_load(value) == value
        text = value if plain else json.dumps(value)
        args += ["--option", f"{key}={text}"]
    return args


# ---- the bundled data and preprocessing -----------------------------------------------


def get_bundled_name(wildcards):
    section = _dataset(wildcards)
    if "bundled" not in section:
        raise WorkflowError(f"data set {wildcards.dataset!r} is not a bundled data set")
    return section["bundled"]


def get_preprocess_input(wildcards):
    section = _dataset(wildcards)
    inputs = {}
    if "bundled" in section:
        inputs["data"] = f"results/{wildcards.dataset}/raw.h5ad"
    else:
        inputs["data"] = section["path"]
    if section.get("sample_sheet"):
        inputs["sample_sheet"] = section["sample_sheet"]
    return inputs


def get_preprocess_args(wildcards):
    """Every `seqattn preprocess` flag the data set's config section sets."""
    section = _dataset(wildcards)
    fmt = "h5ad" if "bundled" in section else section.get("format", "auto")
    args = ["--label", section["label"], "--format", fmt]
    args += ["--preset", section.get("preset", "zscore")]
    for key, flag in [
        ("sample_sheet", "--sample-sheet"),
        ("sample_column", "--sample-column"),
        ("group", "--group"),
        ("batch", "--batch"),
        ("samples_as", "--samples-as"),
    ]:
        if section.get(key):
            args += [flag, section[key]]
    args += _option_args(section.get("options"))
    return _args(args)


def get_label(wildcards):
    return _dataset(wildcards)["label"]


def get_folds_args(wildcards):
    section = _dataset(wildcards)
    cv = dataset_cv(wildcards.dataset)
    args = ["--label", section["label"]]
    if section.get("group"):
        args += ["--group", section["group"]]
    args += ["--n-splits", cv["n_splits"], "--n-repeats", cv["n_repeats"]]
    args += ["--seed", config.get("seed", 0)]
    args += ["--n-splits-name", n_splits_key(wildcards.dataset)]
    return _args(args)


def n_splits_key(dataset):
    """The config key that sets `dataset`'s fold count (named in the folds job's errors)."""
    if "n_splits" in (config["datasets"][dataset].get("cv") or {}):
        return f"datasets.{dataset}.cv.n_splits"
    return "cv.n_splits"


# ---- selection ------------------------------------------------------------------------


def get_ks():
    return _args(sorted(config.get("ks", [5, 10, 20])))


def config_hash(dataset, method):
    """Short hash of everything that decides one data set x method selection.

    It covers the data set's section (without its `methods` list, so adding a method never
    reruns the others), the method's section, ks, cv, seed and device; it travels to the
    panel's JSON sidecar and, being a param, reruns exactly the jobs whose config changed.
    """
    section = {k: v for k, v in config["datasets"][dataset].items() if k != "methods"}
    payload = {
        "dataset": [dataset, section],
        "method": [method, config["methods"][method]],
        "ks": sorted(config.get("ks", [5, 10, 20])),
        "cv": dataset_cv(dataset),
        "seed": config.get("seed", 0),
        "device": method_device(method),
    }
    if dataset_panel(
        dataset
    ):  # (left out when empty: unconstrained hashes stay as they were)
        payload["panel"] = dataset_panel(dataset)
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def get_select_args(wildcards):
    """Method options, device and seed of one selection job."""
    method = wildcards.method
    args = _option_args(config["methods"][method].get("options"))
    args += ["--device", method_device(method), "--seed", config.get("seed", 0)]
    args += panel_args(wildcards.dataset)
    return _args(args)


def get_config_hash(wildcards):
    return config_hash(wildcards.dataset, wildcards.method)


def get_select_gpus(wildcards):
    """One GPU (the standard `gpu` resource) when the method's device is CUDA, else none."""
    return 1 if method_device(wildcards.method).startswith("cuda") else 0


# ---- validation and aggregation -------------------------------------------------------


def get_validate_args(wildcards):
    args = ["--classifiers", *config["classifiers"]]  # the schema fills the default
    args += ["--seed", config.get("seed", 0)]
    return _args(args)


def _per_fold(dataset, pattern):
    return [
        pattern.format(dataset=dataset, method=m, repeat=r, fold=f)
        for m in dataset_methods(dataset)
        for r, f in fold_ids(dataset)
    ]


def get_aggregate_input(wildcards):
    d = wildcards.dataset
    return {
        "metrics": _per_fold(
            d, "results/{dataset}/metrics/{method}/r{repeat}_f{fold}.tsv"
        ),
        "predictions": _per_fold(
            d, "results/{dataset}/metrics/{method}/r{repeat}_f{fold}.predictions.tsv"
        ),
        "panels": _per_fold(
            d, "results/{dataset}/panels/{method}/r{repeat}_f{fold}.tsv"
        ),
        # read beside each panel: the fold's identity and the selector's cost
        "panel_meta": _per_fold(
            d, "results/{dataset}/panels/{method}/r{repeat}_f{fold}.json"
        ),
    }


def get_final_panel_input(wildcards):
    """One method's all-samples panel and its fold panels, each with its .json sidecar."""
    d, m = wildcards.dataset, wildcards.method
    base = f"results/{d}/panels/{m}"
    folds = [f"{base}/r{r}_f{f}" for r, f in fold_ids(d)]
    return {
        "panel": f"{base}/all.tsv",
        "meta": f"{base}/all.json",
        "folds": [f"{p}.tsv" for p in folds],
        "folds_meta": [f"{p}.json" for p in folds],
    }


def get_reference_args(wildcards):
    # the schema's default when the config leaves it out
    reference = config["reference"]
    if reference in dataset_methods(wildcards.dataset):
        return _args(["--reference", reference])
    return []


# ---- the recommended panel -------------------------------------------------------------


def recommend_enabled():
    """True when the config has a `recommend` section (the demo and test configs do)."""
    return config.get("recommend") is not None


def recommend_methods(dataset):
    """The methods the recommendation chooses from on `dataset`, cheapest first (ties go to
    the first): those of `recommend.methods` (else every configured one) that can honour
    the data set's panel constraints."""
    methods = (config.get("recommend") or {}).get("methods") or config["methods"]
    return [m for m in methods if not method_limit(dataset, m)]


def get_recommend_args(wildcards):
    """Every `seqattn recommend` flag: methods, ks, rule, inner folds, options, device, seed."""
    section = config.get("recommend") or {}
    methods = recommend_methods(wildcards.dataset)
    ks = sorted(section.get("ks") or config.get("ks", [5, 10, 20]))
    args = ["--methods", *methods, "--ks", *ks]
    args += ["--rule", section.get("rule", "one_se")]
    args += ["--inner-splits", section.get("inner_splits", 3)]
    args += ["--inner-splits-name", "recommend.inner_splits"]
    args += ["--classifier", section.get("classifier", "logreg")]
    for method in methods:
        options = dict(config["methods"][method].get("options") or {})
        if config["methods"][method].get("device"):  # a per-method device override
            options.setdefault("device", config["methods"][method]["device"])
        for flag, pair in zip(*[iter(_option_args(options))] * 2):
            args += [flag, f"{method}:{pair}"]
    args += ["--device", config.get("device", "auto")]
    group = _dataset(wildcards).get("group")
    if group:
        args += ["--group", group]
    args += ["--seed", config.get("seed", 0)]
    args += panel_args(wildcards.dataset)
    return _args(args)


def get_recommend_gpus(wildcards):
    """One GPU when any method the recommendation fits runs on CUDA."""
    methods = recommend_methods(wildcards.dataset)
    return int(any(method_device(m).startswith("cuda") for m in methods))


def recommend_outputs(dataset):
    if not recommend_enabled():
        return []
    return list(expand(rules.recommend.output, dataset=dataset))


def report_headlines():
    """{dataset: headline} of the recommendations already written (the report's front page)."""
    import csv

    out = {}
    for dataset in DATASETS:
        path = f"results/{dataset}/tables/recommendation.tsv"
        if recommend_enabled() and os.path.exists(path):
            with open(path, newline="") as handle:
                rows = list(csv.DictReader(handle, delimiter="\t"))
            if rows and rows[0].get("headline"):
                out[dataset] = rows[0]["headline"]
    return out


# the panel sections, checked once every helper they use is defined
_check_panel()


# The report's front page (workflow/report/workflow.rst) opens with these; read when the
# Snakefile is parsed, which `snakemake --report` does after the run.
config["_report_headlines"] = report_headlines()


# ---- figures and summary --------------------------------------------------------------


def _module_constant(path, name):
    """The literal value of `name = ...` in a Python source, read without importing it."""
    import ast

    with open(os.path.join(workflow.basedir, path)) as handle:
        tree = ast.parse(handle.read())
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == name:
            return ast.literal_eval(node.value)
    raise WorkflowError(f"{path} defines no {name}")


# The figures of a data set: seqattn.pl.FIGURES, the one list (`seqattn plot all` draws
# them), read from its source so the workflow parses without seqattn installed (--sdm conda).
FIGURES = list(_module_constant("seqattn/pl/_all.py", "FIGURES"))
# Figures that apply only under some configs, each drawn by a rule of its own and asked for
# only where it applies (dataset_figures): the rest is one `figures` job, which must draw
# every one of them (--strict: a figure that cannot be drawn fails the job).
ATTENTION_FIGURE = "attention_trajectory"  # the headline method's attention table
SIMILARITY_FIGURE = "method_similarity"  # two methods or more
COST_FIGURE = "cost_accuracy"  # panels bought with costs (panel.costs)
COMMON_FIGURES = [
    f for f in FIGURES if f not in (ATTENTION_FIGURE, SIMILARITY_FIGURE, COST_FIGURE)
]


def dataset_figures(dataset):
    """The figures that apply to `dataset`, decided from the config, in FIGURES order."""
    skip = set()
    if headline_method(dataset) not in ATTENTION_METHODS:
        skip.add(ATTENTION_FIGURE)
    if len(dataset_methods(dataset)) < 2:
        skip.add(SIMILARITY_FIGURE)
    if not dataset_panel(dataset).get("costs"):  # panel_cost.tsv holds no costs
        skip.add(COST_FIGURE)
    return [f for f in FIGURES if f not in skip]


def _figure_png(name):
    return report(
        f"results/{{dataset}}/figures/{name}.png",
        caption=f"../report/figures/{name}.rst",
        category="{dataset}",
        subcategory="Figures",
    )


def figure_outputs(names):
    """Each figure of `names` as PNG (in the report, with its caption) and PDF."""
    pngs = [_figure_png(name) for name in names]
    return pngs + [f"results/{{dataset}}/figures/{name}.pdf" for name in names]


def headline_method(dataset):
    """The method the figures and summary page are about: the reference when it ran."""
    reference = config["reference"]
    methods = dataset_methods(dataset)
    return reference if reference in methods else methods[0]


def _final_panel_table(dataset):
    """The headline method's final panel with its selection frequency (rule final_panel)."""
    return f"results/{dataset}/tables/final_panel_{headline_method(dataset)}.tsv"


def get_figures_input(wildcards):
    """Every file `seqattn plot all` reads for COMMON_FIGURES."""
    d = wildcards.dataset
    tables = ["summary", "selection_frequency", "stability", "predictions", "cost"]
    inputs = {t: f"results/{d}/tables/{t}.tsv" for t in tables}
    inputs["data"] = f"results/{d}/data.h5ad"
    inputs["panel"] = _final_panel_table(d)
    return inputs


def get_attention_figure_input(wildcards):
    d = wildcards.dataset
    return f"results/{d}/panels/{headline_method(d)}/all.attention.tsv"


def get_figures_args(wildcards):
    section = _dataset(wildcards)
    args = ["--method", headline_method(wildcards.dataset), "--label", section["label"]]
    if section.get("batch"):  # the embedding's second colouring
        args += ["--group", section["batch"]]
    return _args(args)


def figure_files(dataset):
    """The PNG of every figure of `dataset`, the recommendation's last (summary.md links
    them in this order)."""
    out = [f"results/{dataset}/figures/{name}.png" for name in dataset_figures(dataset)]
    if recommend_enabled():
        out.append(f"results/{dataset}/figures/recommendation.png")
    return out


def get_summary_input(wildcards):
    """Every file `seqattn summary` reads: the tables, the final panel, the figures."""
    d = wildcards.dataset
    tables = ["summary", "metrics", "paired", "stability", "cost"]
    inputs = {t: f"results/{d}/tables/{t}.tsv" for t in tables}
    inputs["data"] = f"results/{d}/data.h5ad"
    inputs["panel"] = _final_panel_table(d)
    inputs["figures"] = figure_files(d)
    if recommend_enabled():
        inputs["recommendation"] = f"results/{d}/tables/recommendation.tsv"
    if dataset_panel(d):  # the constraints applied and each final panel's cost
        inputs["panel_meta"] = [
            f"results/{d}/panels/{m}/all.json" for m in dataset_methods(d)
        ]
    return inputs


def get_summary_args(wildcards, input):
    section = _dataset(wildcards)
    args = ["--dataset", wildcards.dataset, "--label", section["label"]]
    args += ["--method", headline_method(wildcards.dataset)]
    if "recommendation" in input.keys():
        args += ["--recommendation", input.recommendation]
    if "panel_meta" in input.keys():
        args += ["--panel-meta", *input.panel_meta]
    for method, why in skipped_methods(wildcards.dataset).items():
        args.append(f"--skipped={method}={why}")
    return _args(args)


def tables_dir(wildcards, input):
    """The tables folder, from the summary table among the inputs."""
    return os.path.dirname(input.summary)


def metrics_dir(wildcards, input):
    """The tables folder, from the metrics table among the inputs."""
    return os.path.dirname(input.metrics)


def output_dir(wildcards, output):
    """The folder of the rule's (first) output: --out-dir of aggregate and figures."""
    return os.path.dirname(output[0])


# ---- final targets --------------------------------------------------------------------


def result_files(dataset):
    """Every file the workflow writes for `dataset` (the default target): a deleted one is
    rebuilt by the job that writes it, and what depends on it reruns."""
    methods = dataset_methods(dataset)
    out = list(expand(rules.aggregate.output, dataset=dataset))
    for method in methods:
        base = f"results/{dataset}/panels/{method}"
        for suffix in ("tsv", "json"):
            out.append(f"{base}/all.{suffix}")
            out += [f"{base}/r{r}_f{f}.{suffix}" for r, f in fold_ids(dataset)]
        if method in ATTENTION_METHODS:
            out.append(f"{base}/all.attention.tsv")
            out += [f"{base}/r{r}_f{f}.attention.tsv" for r, f in fold_ids(dataset)]
        out.append(f"results/{dataset}/tables/final_panel_{method}.tsv")
    out += _per_fold(
        dataset, "results/{dataset}/metrics/{method}/r{repeat}_f{fold}.tsv"
    )
    out += _per_fold(
        dataset, "results/{dataset}/metrics/{method}/r{repeat}_f{fold}.predictions.tsv"
    )
    for name in dataset_figures(dataset):
        out += [f"results/{dataset}/figures/{name}.{ext}" for ext in ("png", "pdf")]
    out.append(f"results/{dataset}/summary.md")
    out += recommend_outputs(dataset)
    return out


def get_final_output():
    return [path for dataset in DATASETS for path in result_files(dataset)]
