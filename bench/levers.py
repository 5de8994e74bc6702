"""Sequential Attention option variants ("levers") under the quality benchmark's nested CV.

    python bench/levers.py run TAG '{"n_restarts": 4}' mice_protein glioma nafld_plasma pbmc68k_reduced
    python bench/levers.py run TAG@1 '{}' mice_protein ...   # seed 1: other folds, other init
    python bench/levers.py run TAG '{}' --set seqattn.core.schedule.MIN_STEPS_PER_PHASE=100 glioma
    python bench/levers.py table          # mean balanced accuracy per variant, data set, k
    python bench/levers.py summary        # per variant family (seeds pooled), paired vs rfbase
    python bench/levers.py paired TAG     # TAG, TAG@1, TAG@2 paired vs the quality results

Each variant runs Sequential Attention with the given options (everything else at its
defaults) under the same 5-fold outer CV as ``bench/quality.py`` (grouped by mouse for Mice
Protein), k = 5, 10, 20, logistic regression downstream; results go to
``bench/results/levers/TAG/DATASET.tsv`` (a finished pair is skipped on rerun). A tag ending
in ``@S`` uses seed ``S`` for the folds and the selector (default 0). ``--rf`` adds the
random forest downstream (its columns are tabulated as ``TAG/rf``). ``--set
MODULE.NAME=VALUE`` (repeatable) overrides a module constant of the engine for the run
(VALUE is read as JSON), for levers that are constants rather than options.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "levers"
sys.path.insert(0, str(HERE))


def _apply_overrides(settings: list[str]) -> dict:
    import importlib

    applied = {}
    for setting in settings:
        target, value = setting.split("=", 1)
        module, name = target.rsplit(".", 1)
        mod = importlib.import_module(module)
        if not hasattr(mod, name):
            raise SystemExit(f"--set {setting}: {module} has no {name}")
        applied[target] = json.loads(value)
        setattr(mod, name, applied[target])
    return applied


def run(
    tag: str,
    options: dict,
    names: list[str],
    settings: list[str] = (),
    classifiers: tuple[str, ...] = ("logreg",),
) -> None:
    import torch
    from quality_data import LOADERS

    from seqattn.evaluate import folds_for_adata, run_nested_cv

    torch.set_num_threads(1)
    seed = int(tag.rsplit("@", 1)[1]) if "@" in tag else 0
    overrides = _apply_overrides(list(settings))
    for name in names:
        out = OUT / tag / f"{name}.tsv"
        if out.exists():
            continue
        adata, spec = LOADERS[name](max_samples=3000, seed=0)
        ks = [k for k in (5, 10, 20) if k < adata.n_vars]
        folds = folds_for_adata(adata, spec["label"], spec["group"], n_splits=5, random_state=seed)
        t0 = time.perf_counter()
        res = run_nested_cv(
            adata,
            spec["label"],
            ["sequential_attention"],
            ks,
            classifiers,
            group=spec["group"],
            folds=folds,
            random_state=seed,
            device="cpu",
            dataset=name,
            warmup=False,
            options={"sequential_attention": options},
        )
        out.parent.mkdir(parents=True, exist_ok=True)
        res.metrics.to_csv(out, sep="\t", index=False)
        (out.parent / "options.json").write_text(json.dumps({**options, **overrides}))
        print(f"{tag} {name}: {time.perf_counter() - t0:.0f} s", flush=True)


def table() -> pd.DataFrame:
    rows = []
    for path in sorted(OUT.glob("*/*.tsv")):
        m = pd.read_csv(path, sep="\t")
        ba = m[m["metric"] == "balanced_accuracy"]
        for (clf, k), v in ba.groupby(["classifier", "k"])["value"]:
            rows.append(
                {
                    "variant": path.parent.name + ("" if clf == "logreg" else f"/{clf}"),
                    "dataset": path.stem,
                    "k": k,
                    "mean": v.mean(),
                    "se": v.std() / len(v) ** 0.5,
                }
            )
    t = pd.DataFrame(rows)
    return t.pivot_table(index=["dataset", "k"], columns="variant", values="mean").round(3)


def summary(baseline: str = "rfbase") -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean over seeds per variant family, and each family's paired difference from
    ``baseline`` (same seeds, same classifier) averaged over data sets and k."""
    t = table()
    parts = t.columns.str.extract(r"^([^@/]+)(?:@(\d+))?(?:/(\w+))?$")
    family = parts[0] + ("/" + parts[2]).fillna("")
    seed = parts[1].fillna("0")
    means = t.T.groupby(family.to_numpy()).mean().T.round(3)
    counts = pd.Series(seed.to_numpy()).groupby(family.to_numpy()).nunique()
    # The means table keeps the families run with 3 or more seeds (the others are noise).
    means = means[[c for c in means.columns if counts[c] >= 3]]
    means.columns = [f"{c} ({counts[c]})" for c in means.columns]
    column = dict(zip(zip(family, seed, strict=True), t.columns, strict=True))
    rows = []
    for fam in family.unique():
        _, slash, clf = fam.partition("/")
        base = baseline + slash + clf  # the baseline with the same classifier
        if fam == base:
            continue
        diffs = [
            t[col] - t[column[base, s_]]
            for (f, s_), col in column.items()
            if f == fam and (base, s_) in column
        ]
        if diffs:
            d = pd.concat(diffs).dropna()
            rows.append(
                {
                    "variant": fam,
                    "paired cells": len(d),
                    "mean diff (points)": round(100 * d.mean(), 1),
                    "ahead": int((d > 0.005).sum()),
                    "behind": int((d < -0.005).sum()),
                }
            )
    return means, pd.DataFrame(rows).sort_values("variant")


def paired(tag: str) -> pd.DataFrame:
    """Balanced accuracy of ``tag`` (every seed run) minus the default's in
    ``results/quality/seed<S>/`` on the same folds, per data set, seed, classifier and k
    (levers and quality use the same folds: the small cohorts are never subsampled, and
    the subsampled CBMC sets are drawn with seed 0 by both at seed 0)."""
    quality = HERE / "results" / "quality"
    rows = []
    for path in sorted(OUT.glob(f"{tag}*/*.tsv")):
        head, _, s_ = path.parent.name.partition("@")
        if head != tag:
            continue
        seed = int(s_ or 0)
        base = quality / f"seed{seed}" / path.stem / "sequential_attention.tsv"
        if not base.exists():
            continue
        a, b = (pd.read_csv(f, sep="\t") for f in (path, base))
        a, b = (x[x["metric"] == "balanced_accuracy"] for x in (a, b))
        m = a.merge(b, on=["k", "fold", "classifier"], suffixes=("", "_default"))
        for (clf, k), g in m.groupby(["classifier", "k"]):
            rows.append(
                {
                    "dataset": path.stem,
                    "seed": seed,
                    "classifier": clf,
                    "k": k,
                    "variant": g["value"].mean(),
                    "default": g["value_default"].mean(),
                }
            )
    t = pd.DataFrame(rows)
    t["diff"] = 100 * (t["variant"] - t["default"])
    return t


def paired_report(tag: str) -> str:
    t = paired(tag)

    def line(g: pd.DataFrame) -> pd.Series:
        return pd.Series(
            {
                "cells": len(g),
                "mean diff (points)": round(g["diff"].mean(), 2),
                "ahead": int((g["diff"] > 0.5).sum()),
                "behind": int((g["diff"] < -0.5).sum()),
            }
        )

    per = t.groupby(["dataset", "seed"]).apply(line, include_groups=False).reset_index()
    per_set = t.groupby("dataset").apply(line, include_groups=False).reset_index()
    small = t[t["dataset"].isin(["glioma", "liver_nash", "mice_protein", "nafld_plasma"])]
    return "\n\n".join(
        [
            per.to_markdown(index=False),
            per_set.to_markdown(index=False),
            "small cohorts: " + line(small).to_string().replace("\n", ", ") if len(small) else "",
        ]
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["run"]:
        import argparse

        cli = argparse.ArgumentParser(prog="levers.py run")
        cli.add_argument("tag")
        cli.add_argument("options", type=json.loads)
        cli.add_argument("datasets", nargs="+")
        cli.add_argument("--set", action="append", default=[], metavar="MODULE.NAME=VALUE")
        cli.add_argument("--rf", action="store_true")
        a = cli.parse_intermixed_args(sys.argv[2:])
        clfs = ("logreg", "rf") if a.rf else ("logreg",)
        run(a.tag, a.options, a.datasets, a.set, clfs)
    elif sys.argv[1:2] == ["paired"]:
        print(paired_report(sys.argv[2]))
    elif sys.argv[1:2] == ["summary"]:
        means, diffs = summary()
        print(means.to_markdown(), diffs.to_markdown(index=False), sep="\n\n")
    else:
        print(table().to_markdown() if "--markdown" in sys.argv else table())
