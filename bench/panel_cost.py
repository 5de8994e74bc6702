"""Accuracy against panel cost on CBMC CITE-seq: count-based against cost-aware panels.

    OMP_NUM_THREADS=1 python bench/panel_cost.py            # about 17 min on one core
    OMP_NUM_THREADS=1 python bench/panel_cost.py --adt-cost 3 --out bench/results/panel_cost/adt_cost3
    python bench/panel_cost.py --report-only                # table and figure from saved rows

CBMC CITE-seq (Stoeckius et al. 2017) measures RNA (the top 2,000 genes) and 10 surface
proteins (ADT) of the same cord-blood cells. The two modalities are read with
``seqattn.datasets.cbmc_citeseq``, joined as a MuData and made into one AnnData with
``seqattn.io.from_mudata`` (``var["modality"]`` = rna / adt), then a stratified, seeded
subsample of cells is drawn (``--cells``, default 2,000).

Costs are an explicit, illustrative assumption (``--rna-cost``, ``--adt-cost``): an RNA
probe costs 1 unit and an antibody 10, since an oligo-conjugated antibody is priced about
an order of magnitude above a targeted-RNA probe per marker (a round figure, not a quote).

Per-sample steps on all cells (no information crosses cells): RNA counts per-cell
normalised to 10,000 and log1p; ADT levels as shipped (CLR-like). In each of the 3
stratified outer folds (seed 0) the z-score is fitted on the training cells, the selector
picks a panel from the training cells and a logistic regression (``max_iter=2000``) on the
standardised panel is fitted on them; balanced accuracy on the test cells.

(a) count-based panels, k = 5, 10, 20, costs ignored (one fit at k = 20 per fold: both
methods are ordered, so the first k of it is the k-panel); (b) cost-aware panels with
``budget`` set to the count-based panels' mean cost at each k (over both methods and the
folds, rounded) and ``--between`` (1) budgets inside the widest gaps between them,
``n_features_to_select=None`` (the budget alone). Methods: Sequential
Attention and ANOVA F. Rows go to ``bench/results/panel_cost/panel_cost.tsv`` as they are
measured (an interrupted run resumes), then the summary and ``panel_cost.png``
(``seqattn.pl.cost_accuracy``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared" / "data"
if "SEQATTN_DATA" not in os.environ and SHARED.is_dir():
    os.environ["SEQATTN_DATA"] = str(SHARED)
OUT = HERE / "results" / "panel_cost"
ROWS = OUT / "panel_cost.tsv"
SUMMARY = OUT / "panel_cost_summary.tsv"
FIGURE = OUT / "panel_cost.png"
METHODS = ["sequential_attention", "anova"]
KS = [5, 10, 20]
KEY = ["method", "mode", "setting", "fold"]


def _use(out: Path) -> None:
    """Write to ``out`` instead of ``results/panel_cost`` (a trial run)."""
    global OUT, ROWS, SUMMARY, FIGURE
    OUT, ROWS = out, out / "panel_cost.tsv"
    SUMMARY, FIGURE = out / "panel_cost_summary.tsv", out / "panel_cost.png"


def load(cells: int, seed: int):
    """The joint RNA + ADT AnnData (``var["modality"]``), subsampled and per-sample scaled."""
    import mudata
    from sklearn.model_selection import train_test_split

    import seqattn

    rna = seqattn.datasets.cbmc_citeseq("rna")
    adt = seqattn.datasets.cbmc_citeseq("adt")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # mudata's FutureWarning about update()
        adata = seqattn.io.from_mudata(mudata.MuData({"rna": rna, "adt": adt}))
    label = adata.obs["rna:label"].astype(str).to_numpy()
    if cells and cells < adata.n_obs:
        keep, _ = train_test_split(
            np.arange(adata.n_obs), train_size=cells, random_state=seed, stratify=label
        )
        adata = adata[np.sort(keep)].copy()
        label = label[np.sort(keep)]
    X = np.asarray(adata.X, dtype=np.float64)
    is_rna = (adata.var["modality"] == "rna").to_numpy()
    counts = X[:, is_rna]
    X[:, is_rna] = np.log1p(counts / np.maximum(counts.sum(1, keepdims=True), 1) * 1e4)
    return adata, X.astype(np.float32), label


def _panel_rows(method, mode, setting, fold, panel, costs, modality, names, score, extra):
    panel = [int(j) for j in panel]
    return {
        "dataset": "cbmc_citeseq_rna_adt",
        "method": method,
        "mode": mode,
        "setting": setting,
        "fold": fold,
        "n_features": len(panel),
        "n_adt": int(sum(modality[j] == "adt" for j in panel)),
        "cost": float(np.sum(costs[panel])) if panel else 0.0,
        "balanced_accuracy": score,
        **extra,
        "panel": ",".join(names[j] for j in panel),
    }


def _score(Xtr, ytr, Xte, yte, panel) -> float:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import balanced_accuracy_score

    if not len(panel):
        return float("nan")
    clf = LogisticRegression(max_iter=2000, random_state=0).fit(Xtr[:, panel], ytr)
    return float(balanced_accuracy_score(yte, clf.predict(Xte[:, panel])))


def _done() -> pd.DataFrame:
    return pd.read_csv(ROWS, sep="\t", dtype={"setting": str}) if ROWS.is_file() else pd.DataFrame()


def _append(row: dict) -> None:
    from seqattn._atomic import write_table

    old = _done()
    new = pd.concat([old, pd.DataFrame([row])], ignore_index=True)
    write_table(new, ROWS)


def _has(done: pd.DataFrame, method, mode, setting, fold) -> bool:
    if done.empty:
        return False
    hit = (
        (done["method"] == method)
        & (done["mode"] == mode)
        & (done["setting"].astype(str) == str(setting))
        & (done["fold"] == fold)
    )
    return bool(hit.any())


def budgets_from(counts: pd.DataFrame, between: int) -> list[float]:
    """The count-based panels' mean cost at each k (over methods and folds, rounded to a
    whole unit), plus ``between`` budgets, each the geometric midpoint of one of the widest
    gaps (the gap below the smallest, from 0, counts too)."""
    base = sorted({float(round(v)) for v in counts.groupby("k")["cost"].mean()})
    extra: list[float] = []
    gaps = sorted(itertools.pairwise([base[0] / 4, *base]), key=lambda g: g[0] - g[1])
    for lo, hi in gaps[:between]:
        mid = float(round(np.sqrt(lo * hi)))
        if lo < mid < hi:
            extra.append(mid)
    return sorted(set(base) | set(extra))


def run(args) -> None:
    import torch
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler

    from seqattn.methods import make_selector

    torch.set_num_threads(args.threads)
    # each selector says how many columns of the training fold are constant: noise here
    warnings.filterwarnings("ignore", message=".*features are constant.*")
    OUT.mkdir(parents=True, exist_ok=True)
    if args.fresh and ROWS.exists():
        ROWS.unlink()
    t_start = time.perf_counter()
    adata, X, y = load(args.cells, args.seed)
    names = adata.var_names.astype(str).to_numpy()
    modality = adata.var["modality"].astype(str).to_numpy()
    costs = np.where(modality == "adt", args.adt_cost, args.rna_cost).astype(float)
    print(
        f"{adata.n_obs} cells x {adata.n_vars} features ({int((modality == 'rna').sum())} RNA, "
        f"{int((modality == 'adt').sum())} ADT), {len(np.unique(y))} classes",
        flush=True,
    )
    folds = list(StratifiedKFold(3, shuffle=True, random_state=args.seed).split(X, y))

    def fold_data(f):
        tr, te = folds[f]
        scaler = StandardScaler().fit(X[tr])
        return scaler.transform(X[tr]), y[tr], scaler.transform(X[te]), y[te]

    # (a) count-based: one fit at the largest k, its prefixes are the smaller panels
    for method in args.methods:
        for f in range(3):
            if all(_has(_done(), method, "count", str(k), f) for k in args.ks):
                continue
            Xtr, ytr, Xte, yte = fold_data(f)
            t0 = time.perf_counter()
            sel = make_selector(method, max(args.ks), {}, args.seed).fit(Xtr, ytr)
            took = time.perf_counter() - t0
            order = list(sel.selected_features_)
            for k in args.ks:
                panel = order[:k]
                row = _panel_rows(
                    method,
                    "count",
                    str(k),
                    f,
                    panel,
                    costs,
                    modality,
                    names,
                    _score(Xtr, ytr, Xte, yte, panel),
                    {"k": k, "budget": np.nan, "fit_time_s": round(took, 2)},
                )
                _append(row)
            print(f"count {method} fold {f}: {took:.0f} s", flush=True)

    done = _done()
    counts = done[(done["mode"] == "count") & done["method"].isin(args.methods)]
    budgets = args.budgets or budgets_from(counts, args.between)
    print(f"budgets: {', '.join(f'{b:g}' for b in budgets)}", flush=True)

    # (b) cost-aware: the budget alone decides the panel size
    for method in args.methods:
        for budget in budgets:
            setting = f"{budget:g}"
            for f in range(3):
                if _has(_done(), method, "budget", setting, f):
                    continue
                Xtr, ytr, Xte, yte = fold_data(f)
                t0 = time.perf_counter()
                sel = make_selector(
                    method,
                    None,
                    {},
                    args.seed,
                    constraints={"feature_costs": costs, "budget": float(budget)},
                ).fit(Xtr, ytr)
                took = time.perf_counter() - t0
                panel = list(sel.selected_features_)
                spent = float(np.sum(costs[panel]))
                assert spent <= budget + 1e-9, (method, budget, spent)
                assert np.isclose(getattr(sel, "panel_cost_", spent), spent), (
                    "panel_cost_ differs from the sum of the panel's costs"
                )
                row = _panel_rows(
                    method,
                    "budget",
                    setting,
                    f,
                    panel,
                    costs,
                    modality,
                    names,
                    _score(Xtr, ytr, Xte, yte, panel),
                    {"k": np.nan, "budget": budget, "fit_time_s": round(took, 2)},
                )
                _append(row)
                print(
                    f"budget {method} {setting} fold {f}: {len(panel)} features "
                    f"({row['n_adt']} ADT), cost {spent:g}, {took:.0f} s",
                    flush=True,
                )
    meta = {
        "date": dt.date.today().isoformat(),
        "cells": int(adata.n_obs),
        "features": {"rna": int((modality == "rna").sum()), "adt": int((modality == "adt").sum())},
        "costs": {"rna": args.rna_cost, "adt": args.adt_cost},
        "seed": args.seed,
        "folds": 3,
        "ks": args.ks,
        "budgets": budgets,
        "methods": args.methods,
        "torch_threads": torch.get_num_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "cpu": platform.processor() or platform.machine(),
        "wall_time_s": round(time.perf_counter() - t_start, 1),
    }
    (OUT / "run.json").write_text(json.dumps(meta, indent=2) + "\n")


def report() -> pd.DataFrame:
    import seqattn.pl as pl
    from seqattn._atomic import write_table
    from seqattn.pl.cost_accuracy import cost_accuracy_summary

    rows = _done()
    if rows.empty:
        sys.exit(f"no rows in {ROWS}: run the benchmark first")
    meta = json.loads((OUT / "run.json").read_text()) if (OUT / "run.json").is_file() else {}
    costs = meta.get("costs", {})
    summary = cost_accuracy_summary(rows)
    extra = rows.groupby(["method", "mode", "setting"]).agg(
        n_features=("n_features", "mean"), n_adt=("n_adt", "mean")
    )
    summary = summary.join(extra, on=["method", "mode", "setting"])
    write_table(summary.round(4), SUMMARY)
    pl.cost_accuracy(
        rows,
        title=f"CBMC CITE-seq, {meta.get('cells', '?')} cells (RNA probe {costs.get('rna', '?'):g}, "
        f"antibody {costs.get('adt', '?'):g} units): balanced accuracy against panel cost\n"
        "logistic regression, 3-fold CV, mean ± SD over folds",
        save=FIGURE,
    )
    show = summary.assign(
        cost=lambda d: (
            d["cost_mean"].map("{:.1f}".format) + " ± " + d["cost_sd"].map("{:.1f}".format)
        ),
        acc=lambda d: (
            (100 * d["mean"]).map("{:.1f}".format) + " ± " + (100 * d["sd"]).map("{:.1f}".format)
        ),
    )
    print("| method | mode | setting | features | of them ADT | cost | balanced accuracy (%) |")
    print("|---|---|---|---|---|---|---|")
    for _, r in show.sort_values(
        ["mode", "method", "cost_mean"], ascending=[False, True, True]
    ).iterrows():
        print(
            f"| {r['method']} | {r['mode']} | {r['setting']} | {r['n_features']:.1f} | "
            f"{r['n_adt']:.1f} | {r['cost']} | {r['acc']} |"
        )
    return summary


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cells", type=int, default=2000, help="stratified subsample (0 = all 8617)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--methods", nargs="+", default=METHODS)
    ap.add_argument("--ks", nargs="+", type=int, default=KS)
    ap.add_argument("--rna-cost", type=float, default=1.0, help="cost of one RNA probe")
    ap.add_argument("--adt-cost", type=float, default=10.0, help="cost of one antibody")
    ap.add_argument("--between", type=int, default=1, help="budgets added between the counts'")
    ap.add_argument("--budgets", nargs="+", type=float, default=None, help="budgets to use instead")
    ap.add_argument("--threads", type=int, default=1, help="torch threads")
    ap.add_argument("--fresh", action="store_true", help="forget saved rows")
    ap.add_argument("--report-only", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT, help="results folder")
    args = ap.parse_args(argv)
    _use(args.out)
    if not args.report_only:
        run(args)
    report()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
