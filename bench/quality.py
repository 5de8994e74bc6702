"""Panel quality of Sequential Attention against every peer, with leak-free nested CV.

    python bench/quality.py                       # every data set, method and k (hours)
    python bench/quality.py --datasets mice_protein glioma --methods sequential_attention anova
    python bench/quality.py --report-only         # rebuild the tables from saved results

For each data set: 5-fold outer CV (grouped by mouse for Mice Protein), inside each training
fold the fold-fitted preprocessing, the selector and the downstream classifiers (logistic
regression and random forest) on the selected features; balanced accuracy on the test fold.
Each (data set, method) result is saved under ``bench/results/quality/`` so an interrupted
run resumes; the tables in ``bench/README.md`` (between the ``quality`` markers) are
regenerated from those files only, never edited by hand. Every method runs with its defaults:
no per-data-set tuning.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

from quality_data import LOADERS

from seqattn.evaluate import folds_for_adata, run_nested_cv
from seqattn.methods import available_methods

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "quality"
README = HERE / "README.md"
START, END = "<!-- quality:start -->", "<!-- quality:end -->"
KS = [5, 10, 20, 50]
CLASSIFIERS = ["logreg", "rf"]
REFERENCE = "sequential_attention"
DEFAULT_METHODS = [
    "sequential_attention",
    "random",
    "variance",
    "anova",
    "mutual_info",
    "wilcoxon",
    "t-test",
    "logreg",
    "cosg",
    "l1_logistic",
    "mrmr",
    "lassonet",
    "stg",
    "concrete",
    "forward_greedy",
]


def run_one(name: str, adata, spec: dict, method: str, ks: list[int], args) -> None:
    out = RESULTS / name / f"{method}.tsv"
    if out.exists() and not args.force:
        print(f"[{name}] {method}: cached", flush=True)
        return
    folds = folds_for_adata(
        adata, spec["label"], spec["group"], n_splits=args.folds, random_state=args.seed
    )
    t0 = time.perf_counter()
    try:
        res = run_nested_cv(
            adata,
            spec["label"],
            [method],
            ks,
            CLASSIFIERS,
            group=spec["group"],
            folds=folds,
            random_state=args.seed,
            device=args.device,
            dataset=name,
            warmup=False,
        )
    except Exception as err:  # a peer that refuses (cost limit) or fails is reported, not hidden
        msg = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"[{name}] {method}: FAILED: {msg}", flush=True)
        if args.verbose:
            traceback.print_exc()
        out.parent.mkdir(parents=True, exist_ok=True)
        (RESULTS / name / f"{method}.failed").write_text(msg + "\n")
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    res.metrics.to_csv(out, sep="\t", index=False)
    import torch

    (RESULTS / name / f"{method}.threads").write_text(f"{torch.get_num_threads()}\n")
    (RESULTS / name / f"{method}.failed").unlink(missing_ok=True)
    print(f"[{name}] {method}: {time.perf_counter() - t0:.0f} s", flush=True)


def load_results() -> tuple[pd.DataFrame, dict[tuple[str, str], str]]:
    tables = [pd.read_csv(p, sep="\t") for p in sorted(RESULTS.glob("*/*.tsv"))]
    failed = {
        (p.parent.name, p.stem): p.read_text().strip() for p in sorted(RESULTS.glob("*/*.failed"))
    }
    metrics = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return metrics, failed


def _pairwise(summ: pd.DataFrame) -> list[str]:
    """SA against each peer over the (data set, classifier, k <= 20) cells both ran."""
    small = summ[summ["k"] <= 20].set_index(["dataset", "classifier", "k", "method"])["mean"]
    sa = small.xs(REFERENCE, level="method")
    rows = []
    for method in sorted(set(small.index.get_level_values("method")) - {REFERENCE}):
        peer = small.xs(method, level="method")
        both = sa.index.intersection(peer.index)
        if both.empty:
            continue
        diff = sa.loc[both] - peer.loc[both]
        rows.append(
            f"| {method} | {len(both)} | {int((diff > 5e-4).sum())} | "
            f"{int((diff < -5e-4).sum())} | {100 * diff.mean():+.1f} |"
        )
    return [
        "#### Sequential Attention against each peer (k <= 20)",
        "",
        "Over the (data set, classifier, k) cells both ran; ahead / behind beyond rounding.",
        "",
        "| peer | cells | SA ahead | SA behind | mean difference (points) |",
        "|---|---|---|---|---|",
        *rows,
        "",
    ]


def _cell(mean: float, sd: float) -> str:
    return f"{100 * mean:.1f} ± {100 * sd:.1f}"


def report(metrics: pd.DataFrame, failed: dict, args) -> str:
    """Markdown: one table per (data set, classifier), a verdict table, run times."""
    lines = [START, ""]
    lines.append(
        f"Measured {dt.date.today().isoformat()} on {platform.node() or 'this machine'}: "
        f"{_cpu()}, {_threads_note()}. Balanced accuracy (%), mean ± sd over the "
        f"{args.folds} outer folds; regenerate with `python bench/quality.py`."
    )
    lines.append("")
    if metrics.empty:
        lines += ["(no results yet)", "", END]
        return "\n".join(lines)
    ba = metrics[metrics["metric"] == "balanced_accuracy"]
    summ = (
        ba.groupby(["dataset", "classifier", "method", "k"])["value"]
        .agg(["mean", "std", "count"])
        .reset_index()
    )
    summ["se"] = summ["std"] / np.sqrt(summ["count"])
    cost = metrics[metrics["metric"] == "selector_time_s"]
    verdict_rows = []
    for (dataset, clf), block in summ.groupby(["dataset", "classifier"], sort=True):
        ks = sorted(block["k"].unique())
        lines.append(f"#### {dataset}, {clf}")
        lines.append("")
        lines.append("| method | " + " | ".join(f"k={k}" for k in ks) + " |")
        lines.append("|---|" + "---|" * len(ks))
        best = block.groupby("k")["mean"].max()
        for method, rows in block.groupby("method"):
            cells = []
            for k in ks:
                r = rows[rows["k"] == k]
                if r.empty:
                    cells.append("-")
                    continue
                c = _cell(r["mean"].item(), r["std"].item())
                cells.append(f"**{c}**" if np.isclose(r["mean"].item(), best[k]) else c)
            lines.append(f"| {method} | " + " | ".join(cells) + " |")
        lines.append("")
        for k in ks:
            at_k = block[block["k"] == k].set_index("method")
            if REFERENCE not in at_k.index:
                continue
            peers = at_k.drop(index=[REFERENCE])
            if peers.empty:
                continue
            best_peer = peers["mean"].idxmax()
            sa = at_k.loc[REFERENCE]
            diff = sa["mean"] - peers.loc[best_peer, "mean"]
            verdict_rows.append(
                (
                    dataset,
                    clf,
                    k,
                    sa["mean"],
                    best_peer,
                    peers.loc[best_peer, "mean"],
                    diff,
                    sa["se"],
                )
            )
    lines.append("#### Sequential Attention vs the best peer")
    lines.append("")
    lines.append(
        "| dataset | classifier | k | SA | best peer | peer | SA - peer | SA fold SE | verdict |"
    )
    lines.append("|---|---|---|---|---|---|---|---|---|")
    for dataset, clf, k, sa, peer, peer_mean, diff, se in verdict_rows:
        if diff > se:
            verdict = "ahead"
        elif diff >= -5e-4:  # within rounding: e.g. k = d, every method keeps all features
            verdict = "≥ peer"
        elif k >= 50 and diff >= -0.01:
            verdict = "within 1 pt"
        else:
            verdict = "**behind**"
        lines.append(
            f"| {dataset} | {clf} | {k} | {100 * sa:.1f} | {peer} | {100 * peer_mean:.1f} | "
            f"{100 * diff:+.1f} | {100 * se:.1f} | {verdict} |"
        )
    lines.append("")
    lines += _pairwise(summ)
    if not cost.empty:
        lines.append("#### Selector wall time per fold (s, mean over folds, largest k)")
        lines.append("")
        t = cost.groupby(["dataset", "method"])["value"].mean().unstack("dataset").round(1)
        lines.append("| method | " + " | ".join(t.columns) + " |")
        lines.append("|---|" + "---|" * len(t.columns))
        for method, row in t.iterrows():
            lines.append(
                f"| {method} | " + " | ".join("-" if pd.isna(v) else f"{v:g}" for v in row) + " |"
            )
        lines.append("")
    ran = set(zip(summ["dataset"], summ["method"], strict=True))
    missing = [
        f"{dataset} / {method}"
        for dataset in sorted(summ["dataset"].unique())
        for method in DEFAULT_METHODS
        if (dataset, method) not in ran and (dataset, method) not in failed
    ]
    if failed or missing:
        lines.append("#### Not run or failed")
        lines.append("")
        for (dataset, method), msg in failed.items():
            lines.append(f"- {dataset} / {method}: {msg}")
        if missing:
            lines.append(
                "- not run yet (time; `python bench/quality.py` resumes): " + ", ".join(missing)
            )
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def _threads_note() -> str:
    """The torch thread counts the runs used (written by run_one), not this process's."""
    recorded = sorted({p.read_text().strip() for p in RESULTS.glob("*/*.threads")})
    return f"torch threads per run: {', '.join(recorded) or 'not recorded'}"


def _cpu() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next(
            line.split(":", 1)[1].strip()
            for line in out.splitlines()
            if line.startswith("Model name")
        )
        return model
    except Exception:
        return platform.processor() or "unknown CPU"


def write_readme(text: str) -> None:
    old = README.read_text() if README.exists() else "# Benchmarks\n"
    if START in old and END in old:
        new = old[: old.index(START)] + text + old[old.index(END) + len(END) :]
    else:
        new = old.rstrip() + "\n\n## Panel quality (bench/quality.py)\n\n" + text + "\n"
    README.write_text(new)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--datasets", nargs="+", default=list(LOADERS), choices=list(LOADERS))
    p.add_argument("--methods", nargs="+", default=DEFAULT_METHODS)
    p.add_argument("--ks", nargs="+", type=int, default=KS)
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto")
    p.add_argument(
        "--max-cells",
        type=int,
        default=3000,
        help="stratified subsample of CBMC cells (run time); 0 = all 8617",
    )
    p.add_argument("--force", action="store_true", help="rerun cached (dataset, method) pairs")
    p.add_argument("--report-only", action="store_true")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    unknown = sorted(set(args.methods) - set(available_methods()))
    if unknown:
        p.error(f"unknown methods {unknown}; known: {available_methods()}")
    if not args.report_only:
        for name in args.datasets:
            adata, spec = LOADERS[name](max_samples=args.max_cells or None, seed=args.seed)
            ks = [k for k in args.ks if k <= adata.n_vars] or [adata.n_vars]
            if any(k > adata.n_vars for k in args.ks):
                ks = sorted(set(ks) | {min(max(args.ks), adata.n_vars)})
            print(f"[{name}] {adata.n_obs} x {adata.n_vars}, ks={ks}", flush=True)
            (RESULTS / name).mkdir(parents=True, exist_ok=True)
            (RESULTS / name / "dataset.json").write_text(
                json.dumps({"n_obs": adata.n_obs, "n_vars": adata.n_vars, "ks": ks, **spec})
            )
            for method in args.methods:
                run_one(name, adata, spec, method, ks, args)
    metrics, failed = load_results()
    write_readme(report(metrics, failed, args))
    print(f"updated {README}")


if __name__ == "__main__":
    main()
