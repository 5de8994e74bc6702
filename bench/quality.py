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
KS = [5, 10, 20]
#: Cohorts of 20-200 independent samples (the product's core use).
SMALL = ["nafld_plasma", "glioma", "liver_nash", "olink_covid_dialysis", "mice_protein"]
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


def _out_dir(seed: int, name: str) -> Path:
    return RESULTS / f"seed{seed}" / name


def run_one(name: str, adata, spec: dict, method: str, ks: list[int], args) -> None:
    folder = _out_dir(args.seed, name)
    out = folder / f"{method}.tsv"
    if out.exists() and not args.force:
        print(f"[{name}@{args.seed}] {method}: cached", flush=True)
        return
    folds = folds_for_adata(
        adata, spec["label"], spec["group"], n_splits=args.folds, random_state=args.seed
    )
    t0 = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
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
            options={method: args.options[method]} if method in args.options else None,
        )
    except Exception as err:  # a peer that refuses (cost limit) or fails is reported, not hidden
        msg = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"[{name}@{args.seed}] {method}: FAILED: {msg}", flush=True)
        if args.verbose:
            traceback.print_exc()
        (folder / f"{method}.failed").write_text(msg + "\n")
        return
    res.metrics.to_csv(out, sep="\t", index=False)
    res.cost.to_csv(folder / f"{method}.cost.tsv", sep="\t", index=False)
    if method in args.options:  # what the run changed from the method's defaults
        (folder / f"{method}.options.json").write_text(json.dumps(args.options[method]) + "\n")
    import torch

    (folder / f"{method}.threads").write_text(f"{torch.get_num_threads()}\n")
    (folder / f"{method}.failed").unlink(missing_ok=True)
    print(f"[{name}@{args.seed}] {method}: {time.perf_counter() - t0:.0f} s", flush=True)


def load_results() -> tuple[pd.DataFrame, pd.DataFrame, dict[tuple[str, str], str]]:
    """Balanced accuracy rows (with a ``seed`` column), selector cost rows, failures."""
    tables, costs = [], []
    for path in sorted(RESULTS.glob("seed*/*/*.tsv")):
        seed = int(path.parent.parent.name[4:])
        if path.name.endswith(".cost.tsv"):
            costs.append(pd.read_csv(path, sep="\t").assign(seed=seed))
            continue
        m = pd.read_csv(path, sep="\t")
        tables.append(m[m["metric"] == "balanced_accuracy"].assign(seed=seed))
    failed = {
        (p.parent.name, p.stem): p.read_text().strip()
        for p in sorted(RESULTS.glob("seed*/*/*.failed"))
    }
    metrics = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    cost = pd.concat(costs, ignore_index=True) if costs else pd.DataFrame()
    return metrics, cost, failed


def _md(frame: pd.DataFrame, index_name: str, signed: tuple[str, ...] = ()) -> list[str]:
    """A Markdown table; floats to one decimal, with a sign in the ``signed`` columns."""
    cols = list(frame.columns)
    out = [f"| {index_name} | " + " | ".join(map(str, cols)) + " |"]
    out.append("|---|" + "---|" * len(cols))
    for idx, row in frame.astype(object).iterrows():
        cells = []
        for col, v in row.items():
            if isinstance(v, float) and pd.isna(v):
                cells.append("-")
            elif isinstance(v, float):
                cells.append(f"{v:+.1f}" if col in signed else f"{v:.1f}")
            else:
                cells.append(str(v))
        out.append(f"| {idx} | " + " | ".join(cells) + " |")
    return [*out, ""]


def report(metrics: pd.DataFrame, cost: pd.DataFrame, failed: dict, args) -> str:
    """Markdown: the issue's questions, one table each, then the per-data-set means."""
    lines = [START, ""]
    if metrics.empty:
        return "\n".join([*lines, "(no results yet)", "", END])
    ba = metrics[metrics["k"].isin(KS)]
    # A panel of every feature is no selection: such cells (CBMC ADT at k = 10 of its 10
    # proteins) differ between methods only by the random forest's column order.
    ba = ba[ba["k"] < ba["dataset"].map(_n_features()).fillna(float("inf"))]
    seeds = sorted(ba["seed"].unique())
    lines.append(
        f"Measured up to {dt.date.today().isoformat()} on {_cpu()}, {_threads_note()}. "
        f"Balanced accuracy (%) of logistic regression and random forest on each panel, "
        f"{args.folds}-fold outer CV, seeds {', '.join(map(str, seeds))} (each seed: other "
        "folds, other CBMC subsample, other initial weights); k = "
        f"{', '.join(map(str, KS))}, below the data set's number of features (a panel of "
        "every feature selects nothing). A cell is (data set, classifier, k, seed), the mean "
        "over its folds. Regenerate with `python bench/quality.py --report-only`." + _options_note()
    )
    lines.append("")
    cell = ba.groupby(["dataset", "classifier", "k", "seed", "method"])["value"].mean().unstack()
    cell = 100 * cell
    peers = [m for m in cell.columns if m != REFERENCE]
    sa = cell[REFERENCE]
    # 1. SA against each peer, paired over the cells both ran.
    rows = {}
    for peer in peers:
        diff = (sa - cell[peer]).dropna()
        if diff.empty:
            continue
        rows[peer] = {
            "cells": len(diff),
            "SA ahead": int((diff > 0.05).sum()),
            "SA behind": int((diff < -0.05).sum()),
            "mean difference": round(float(diff.mean()), 1),
            "small cohorts": round(
                float(diff[diff.index.get_level_values(0).isin(SMALL)].mean()), 1
            ),
        }
    table = pd.DataFrame(rows).T.sort_values("mean difference").astype(object)
    for col in ("cells", "SA ahead", "SA behind"):
        table[col] = table[col].astype(int)
    lines += [
        "#### Sequential Attention against each peer",
        "",
        "Paired over every cell both ran (points of balanced accuracy, SA minus peer; ahead / "
        f"behind beyond 0.05). Small cohorts: {', '.join(SMALL)}.",
        "",
        *_md(table, "peer", signed=("mean difference", "small cohorts")),
    ]
    # 2. Mean rank over data sets (each data set: mean over classifiers, k and seeds).
    cell = cell[cell[REFERENCE].notna()]  # the cells Sequential Attention ran on
    per_ds = cell.groupby(level="dataset").mean()
    full = [m for m in per_ds.columns if per_ds[m].notna().all()]
    common = cell[full].dropna()  # cells where every ranked method ran
    ranks = (
        common.groupby(level="dataset").mean().rank(axis=1, ascending=False).mean().sort_values()
    )
    lines += [
        "#### Mean rank over data sets",
        "",
        "Each data set ranks the methods that ran on every data set by their mean over the "
        "cells (classifier, k, seed) where all of them ran (1 = best); then the ranks are "
        "averaged. "
        + (
            f"Not ranked (not run everywhere): {', '.join(sorted(set(per_ds.columns) - set(full)))}."
            if set(per_ds.columns) - set(full)
            else ""
        ),
        "",
        "| method | mean rank |",
        "|---|---|",
        *[f"| {m} | {r:.2f} |" for m, r in ranks.items()],
        "",
    ]
    # 3. Per data set: SA against the best single peer, paired over the cells both ran.
    rows = {}
    for ds, block in cell.groupby(level="dataset"):
        gaps = _gaps(block, REFERENCE, peers)
        if not gaps:
            continue  # no peer has run on this data set yet
        best = min(gaps, key=gaps.get)
        rows[ds] = {
            "SA": float(block[REFERENCE].mean()),
            "best single peer": best,
            "SA - best": gaps[best],
            "SA rank": int(per_ds.loc[ds].dropna().rank(ascending=False)[REFERENCE]),
            "methods": int(per_ds.loc[ds].notna().sum()),
        }
    lines += [
        "#### Per data set: Sequential Attention and the best single peer",
        "",
        "SA: its mean over classifiers, k and seeds. Best single peer: the peer SA trails "
        "most, paired over the cells both ran (averaged over k, classifiers and seeds). "
        "SA rank: among the methods' means over the data set's cells.",
        "",
        *_md(pd.DataFrame(rows).T, "data set", signed=("SA - best",)),
    ]
    # 3a. Is the best single peer a lucky pick? Choose it on the other seeds, measure on one.
    if len(seeds) > 1:
        rows = {}
        for ds, block in cell.groupby(level="dataset"):
            row, held = {}, []
            for s in sorted(block.index.get_level_values("seed").unique()):
                on_seed = block.index.get_level_values("seed") == s
                gaps = _gaps(block[on_seed], REFERENCE, peers)
                if gaps:
                    best = min(gaps, key=gaps.get)
                    row[f"seed {s}"] = f"{gaps[best]:+.1f} ({best})"
                chosen = {
                    p: g for p, g in _gaps(block[~on_seed], REFERENCE, peers).items() if p in gaps
                }
                if chosen:
                    held.append(gaps[min(chosen, key=chosen.get)])
            row["chosen on the other seeds"] = float(np.mean(held)) if held else float("nan")
            rows[ds] = row
        lines += [
            "#### The best single peer per seed, and chosen out of sample",
            "",
            "Per seed: SA minus the peer it trails most on that seed's cells (the peer in "
            "brackets). Last column: the peer chosen on the other seeds, SA's difference to it "
            "on the held-out seed, averaged over the seeds; a gap that stays when the peer is "
            "chosen out of sample is not the luck of picking the best of 13 after the fact.",
            "",
            *_md(pd.DataFrame(rows).T, "data set", signed=("chosen on the other seeds",)),
        ]
    # 3b. The same test applied to every method: how far behind its own best single other.
    worst = {}
    for method in cell.columns:
        gaps = {}
        for ds, block in cell.groupby(level="dataset"):
            others = _gaps(block, method, [o for o in cell.columns if o != method])
            if others:
                gaps[ds] = min(others.values())
        if len(gaps) == per_ds.shape[0]:  # ran on every data set
            g = pd.Series(gaps)
            worst[method] = {
                "within 3 points": f"{int((g >= -3).sum())} of {len(g)}",
                "worst data set": g.idxmin(),
                "worst gap": float(g.min()),
                "mean gap": float(g.mean()),
            }
    table = pd.DataFrame(worst).T.sort_values("worst gap", ascending=False)
    lines += [
        "#### Every method against its own best single other method",
        "",
        "The per-data-set test above for each method that ran on every data set: per data set, "
        "its paired difference to the method it trails most (over the cells both ran), then "
        "on how many data sets it is within 3 points, and its worst and mean gap.",
        "",
        *_md(table, "method", signed=("worst gap", "mean gap")),
    ]
    # 4. Per data set and k, every method (mean over classifiers and seeds).
    lines += ["#### Every method, per data set and k (mean over classifiers and seeds)", ""]
    by_k = cell.groupby(level=["dataset", "k"]).mean().round(1)
    for ds in sorted(by_k.index.get_level_values(0).unique()):
        t = by_k.loc[ds].T.dropna(how="all")
        t.columns = [f"k={k}" for k in t.columns]
        best = t.max()
        lines.append(f"**{ds}**")
        lines.append("")
        lines.append("| method | " + " | ".join(t.columns) + " |")
        lines.append("|---|" + "---|" * len(t.columns))
        for method, row in t.iterrows():
            cells = [
                "-" if pd.isna(v) else (f"**{v:.1f}**" if v == best[c] else f"{v:.1f}")
                for c, v in row.items()
            ]
            lines.append(f"| {method} | " + " | ".join(cells) + " |")
        lines.append("")
    if not cost.empty:
        t = cost[cost["metric"] == "selector_time_s"]
        t = t.groupby(["dataset", "method"])["value"].mean().unstack("dataset").round(1)
        lines += ["#### Selector wall time per fold (s, mean over folds and seeds, k = 20)", ""]
        lines.append("| method | " + " | ".join(t.columns) + " |")
        lines.append("|---|" + "---|" * len(t.columns))
        for method, row in t.iterrows():
            lines.append(
                f"| {method} | " + " | ".join("-" if pd.isna(v) else f"{v:g}" for v in row) + " |"
            )
        lines.append("")
    if failed:
        lines += ["#### Not run or failed", ""]
        lines += [f"- {ds} / {m}: {msg}" for (ds, m), msg in failed.items()]
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def _gaps(block: pd.DataFrame, method: str, others: list[str]) -> dict[str, float]:
    """``method`` minus each of ``others``, averaged over the cells both ran (those with none
    left out)."""
    diffs = {o: (block[method] - block[o]).dropna() for o in others}
    return {o: float(d.mean()) for o, d in diffs.items() if len(d)}


def _n_features() -> dict[str, int]:
    """Features per data set, from the ``dataset.json`` each run writes."""
    return {
        p.parent.name: json.loads(p.read_text())["n_vars"]
        for p in sorted(RESULTS.glob("seed*/*/dataset.json"))
    }


def _options_note() -> str:
    """The options a run changed from a method's defaults (saved by run_one)."""
    changed: dict[tuple[str, str], set[str]] = {}
    for path in sorted(RESULTS.glob("seed*/*/*.options.json")):
        method = path.name.removesuffix(".options.json")
        text = ", ".join(f"{k}={v}" for k, v in json.loads(path.read_text()).items())
        changed.setdefault((method, text), set()).add(path.parent.name)
    if not changed:
        return " Every method ran at its defaults."
    parts = [f"{m} with {t} (on {', '.join(sorted(ds))})" for (m, t), ds in sorted(changed.items())]
    return " Every method ran at its defaults except " + "; ".join(parts) + "."


def _threads_note() -> str:
    """The torch thread counts the runs used (written by run_one), not this process's."""
    recorded = sorted({p.read_text().strip() for p in RESULTS.glob("seed*/*/*.threads")})
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
    p.add_argument(
        "--options",
        action="append",
        default=[],
        metavar="METHOD=JSON",
        help="options for one method (the same on every data set), saved beside its results",
    )
    p.add_argument("--report-only", action="store_true")
    p.add_argument("--verbose", action="store_true")
    args = p.parse_args()
    try:
        args.options = {m: json.loads(v) for m, v in (o.split("=", 1) for o in args.options)}
    except ValueError as err:
        p.error(
            f"--options takes METHOD=JSON, e.g. forward_greedy='{{\"max_fits\": 60000}}': {err}"
        )
    unknown = sorted((set(args.methods) | set(args.options)) - set(available_methods()))
    if unknown:
        p.error(f"unknown methods {unknown}; known: {available_methods()}")
    if not args.report_only:
        for name in args.datasets:
            try:
                adata, spec = LOADERS[name](max_samples=args.max_cells or None, seed=args.seed)
            except FileNotFoundError as err:  # a data set whose files are not here
                print(f"[{name}] skipped: {err}", flush=True)
                continue
            ks = [k for k in args.ks if k <= adata.n_vars] or [adata.n_vars]
            if any(k > adata.n_vars for k in args.ks):
                ks = sorted(set(ks) | {min(max(args.ks), adata.n_vars)})
            print(f"[{name}@{args.seed}] {adata.n_obs} x {adata.n_vars}, ks={ks}", flush=True)
            _out_dir(args.seed, name).mkdir(parents=True, exist_ok=True)
            (_out_dir(args.seed, name) / "dataset.json").write_text(
                json.dumps({"n_obs": adata.n_obs, "n_vars": adata.n_vars, "ks": ks, **spec})
            )
            for method in args.methods:
                run_one(name, adata, spec, method, ks, args)
    metrics, cost, failed = load_results()
    write_readme(report(metrics, cost, failed, args))
    print(f"updated {README}")


if __name__ == "__main__":
    main()
