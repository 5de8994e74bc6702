"""Small synthetic result tables in the binding formats (test fixtures only).

Nothing here runs a selector: the numbers are made up so that the figures can be
drawn and looked at before (or without) a workflow run.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

#: Options that make each registered method fast on a problem of about 100 x 12 (the
#: defaults are sized for real data); methods not named need none.
FAST_OPTIONS = {
    "sequential_attention": {"hidden": (8,), "n_restarts": 1, "epochs": 20, "device": "cpu"},
    "lassonet": {
        "path_multiplier": 1.5,
        "n_iters": (30, 5),
        "patience": (5, 2),
        "lambda_start": 1.0,
    },
    "forward_greedy": {"cv": 2, "estimator": "lda"},
    "stg": {"epochs": 10},
    "concrete": {"steps": 20},
}

DEFAULT_METHODS = (
    "sequential_attention",
    "anova",
    "mutual_info",
    "variance",
    "random",
)


def synthetic_results(
    labels: Sequence[str] | None = None,
    features: Sequence[str] | None = None,
    *,
    dataset: str = "demo",
    methods: Sequence[str] = DEFAULT_METHODS,
    ks: Sequence[int] = (5, 10, 20),
    classifiers: Sequence[str] = ("logistic", "random_forest"),
    n_repeats: int = 2,
    n_folds: int = 3,
    seed: int = 0,
) -> dict[str, pd.DataFrame]:
    """Made-up tables with the columns of CONTRIBUTING.md.

    Parameters
    ----------
    labels
        Class label of every sample (default: 60 samples of 4 classes).
    features
        Feature names (default: ``f0 ... f39``).
    dataset, methods, ks, classifiers, n_repeats, n_folds, seed
        Shape of the fake experiment.

    Returns
    -------
    dict
        ``metrics, cost, predictions, summary, paired, selection_frequency, stability,
        method_similarity, panel, attention`` DataFrames.
    """
    rng = np.random.default_rng(seed)
    if labels is None:
        labels = [f"class_{i % 4}" for i in range(60)]
    labels = np.asarray([str(v) for v in labels])
    if features is None:
        features = [f"f{i}" for i in range(40)]
    features = [str(f) for f in features]
    classes = sorted(set(labels))
    n = len(labels)
    samples = [f"s{i}" for i in range(n)]
    ks = sorted(int(k) for k in ks)
    quality = {m: 0.9 - 0.08 * i for i, m in enumerate(methods)}
    quality = {m: (0.35 if m == "random" else q) for m, q in quality.items()}

    metrics_rows, pred_rows, cost_rows = [], [], []
    for method in methods:
        for k in ks:
            for r in range(n_repeats):
                folds = rng.integers(0, n_folds, size=n)
                for f in range(n_folds):
                    test = np.nonzero(folds == f)[0]
                    for c_i, clf in enumerate(classifiers):
                        p_ok = min(0.98, quality[method] * (1 - 0.5 * np.exp(-k / 6)) - 0.03 * c_i)
                        p_ok = max(0.05, p_ok + rng.normal(0, 0.03))
                        ok = rng.random(test.size) < p_ok
                        wrong = rng.choice(classes, size=test.size)
                        y_true = labels[test]
                        y_pred = np.where(ok, y_true, wrong)
                        acc = float(np.mean(y_true == y_pred)) if test.size else np.nan
                        recalls = {
                            c: float(np.mean(y_pred[y_true == c] == c))
                            for c in classes
                            if (y_true == c).any()
                        }
                        bacc = float(np.mean(list(recalls.values()))) if recalls else np.nan
                        base = {
                            "dataset": dataset,
                            "method": method,
                            "k": k,
                            "repeat": r,
                            "fold": f,
                            "classifier": clf,
                        }
                        for metric, value in [
                            ("accuracy", acc),
                            ("balanced_accuracy", bacc),
                            ("f1_macro", bacc - 0.02),
                            ("roc_auc_ovr", min(1.0, bacc + 0.08)),
                            *[(f"recall[{c}]", v) for c, v in recalls.items()],
                        ]:
                            metrics_rows.append({**base, "metric": metric, "value": value})
                        for i, t, p in zip(test, y_true, y_pred, strict=True):
                            pred_rows.append(
                                {**base, "sample": samples[i], "y_true": t, "y_pred": p}
                            )
                    cost = {
                        "dataset": dataset,
                        "method": method,
                        "k": k,
                        "repeat": r,
                        "fold": f,
                    }
                    t = 5.0 if method == "sequential_attention" else 0.05 * (1 + len(method))
                    cost_rows.append(
                        {
                            **cost,
                            "metric": "selector_time_s",
                            "value": t * (1 + 0.1 * rng.random()) * (1 + k / 20),
                        }
                    )
                    cost_rows.append(
                        {
                            **cost,
                            "metric": "selector_peak_rss_delta_mb",
                            "value": 50 + 10 * len(method) + rng.random() * 5,
                        }
                    )
    metrics = pd.DataFrame(metrics_rows)
    predictions = pd.DataFrame(pred_rows)
    scored = metrics[metrics["classifier"] != "-"]
    summary = (
        scored.groupby(["dataset", "method", "k", "classifier", "metric"])["value"]
        .agg(mean="mean", sd="std", n="count")
        .reset_index()
    )
    paired_rows = []
    ref = methods[0]
    for (k, clf, metric), d in scored.groupby(["k", "classifier", "metric"]):
        a = d[d["method"] == ref].set_index(["repeat", "fold"])["value"]
        for other in methods[1:]:
            b = d[d["method"] == other].set_index(["repeat", "fold"])["value"]
            diff = (a - b).dropna()
            paired_rows.append(
                {
                    "dataset": dataset,
                    "k": k,
                    "classifier": clf,
                    "metric": metric,
                    "method_a": ref,
                    "method_b": other,
                    "mean_diff": float(diff.mean()),
                    "statistic": float(diff.mean() / (diff.std() + 1e-9)),
                    "pvalue": float(min(1.0, np.exp(-abs(diff.mean()) * 40))),
                    "n": int(diff.size),
                }
            )
    paired = pd.DataFrame(paired_rows)

    sf_rows, stab_rows = [], []
    panels: dict[tuple[str, int], set[str]] = {}
    for m_i, method in enumerate(methods):
        pref = rng.permutation(len(features))
        for k in ks:
            top = [features[i] for i in pref[: min(k + 5, len(features))]]
            panels[(method, k)] = set(top[:k])
            for j, feat in enumerate(top):
                freq = 1.0 if method != "random" and j < k // 2 else rng.uniform(0.1, 0.9)
                sf_rows.append(
                    {
                        "dataset": dataset,
                        "method": method,
                        "k": k,
                        "feature": feat,
                        "frequency": round(freq, 3),
                    }
                )
            stab_rows.append(
                {
                    "dataset": dataset,
                    "method": method,
                    "k": k,
                    "jaccard_mean": max(0.05, 0.8 - 0.12 * m_i + rng.normal(0, 0.02)),
                    "kuncheva_mean": max(-0.1, 0.75 - 0.15 * m_i),
                }
            )
    sim_rows = []
    for k in ks:
        for i, a in enumerate(methods):
            for b in methods[i + 1 :]:
                pa, pb = panels[(a, k)], panels[(b, k)]
                jac = len(pa & pb) / len(pa | pb)
                d = len(features)
                r = len(pa & pb)
                kun = (r * d - k * k) / (k * (d - k)) if d > k else np.nan
                sim_rows.append(
                    {
                        "dataset": dataset,
                        "k": k,
                        "method_a": a,
                        "method_b": b,
                        "jaccard": jac,
                        "kuncheva": kun,
                    }
                )

    kmax = min(ks[-1], len(features))
    sel = [f for f in rng.permutation(features)[:kmax]]
    panel = pd.DataFrame(
        {
            "panel_k": kmax,
            "rank": np.arange(1, kmax + 1),
            "feature": sel,
            "score": np.linspace(1.0, 0.1, kmax),
            "selection_frequency": np.clip(
                np.linspace(1.0, 0.3, kmax) + rng.normal(0, 0.05, kmax), 0, 1
            ).round(2),
        }
    )
    att_rows = []
    logits = rng.normal(0, 1, len(features))
    idx = {f: i for i, f in enumerate(features)}
    chosen: list[str] = []
    for step, feat in enumerate(sel):
        logits[idx[feat]] += 3.0 + 0.5 * step  # the pick leads at its step
        w = np.exp(logits - logits.max())
        for c in chosen:
            w[idx[c]] = 0.0
        others = [
            i for i in range(len(features)) if features[i] not in chosen and features[i] != feat
        ]
        if others:
            w[idx[feat]] = max(w[idx[feat]], w[others].max() * 1.2)
        w = w / w.sum()
        row = {"step": step + 1, "selected": feat}
        row.update({f: (np.nan if f in chosen else float(w[idx[f]])) for f in features})
        att_rows.append(row)
        chosen.append(feat)
        logits += rng.normal(0, 0.3, len(features))
    attention = pd.DataFrame(att_rows)
    return {
        "metrics": metrics,
        "cost": pd.DataFrame(cost_rows),
        "predictions": predictions,
        "summary": summary,
        "paired": paired,
        "selection_frequency": pd.DataFrame(sf_rows),
        "stability": pd.DataFrame(stab_rows),
        "method_similarity": pd.DataFrame(sim_rows),
        "panel": panel,
        "attention": attention,
    }


def synthetic_adata(
    n_obs: int = 120,
    n_vars: int = 24,
    n_classes: int = 4,
    *,
    nan_fraction: float = 0.02,
    raw_layer: bool = False,
    seed: int = 0,
):
    """A small AnnData with class structure, a group column and some NaN.

    ``obs["label"]`` (categorical, ``n_classes`` classes), ``obs["batch"]`` (3
    values); ``X`` float32 log-scale values with ``nan_fraction`` missing; with
    ``raw_layer``, ``layers["raw"]`` holds linear intensities (``2 ** X`` scaled).
    ``uns["dataset"]`` names the label and group columns as the bundled data do.
    """
    import anndata as ad

    rng = np.random.default_rng(seed)
    labels = np.array([f"class {i % n_classes}" for i in range(n_obs)])
    codes = np.arange(n_obs) % n_classes
    effects = rng.normal(0, 1.0, (n_classes, n_vars))
    x = rng.normal(20, 1.0, (n_obs, n_vars)) + effects[codes]
    x[rng.random(x.shape) < nan_fraction] = np.nan
    obs = pd.DataFrame(
        {
            "label": pd.Categorical(labels),
            "batch": pd.Categorical([f"b{i % 3}" for i in range(n_obs)]),
        },
        index=[f"s{i}" for i in range(n_obs)],
    )
    var = pd.DataFrame(index=[f"P{j:02d}" for j in range(n_vars)])
    adata = ad.AnnData(x.astype(np.float32), obs=obs, var=var)
    if raw_layer:
        adata.layers["raw"] = (2.0 ** (x + rng.normal(0, 0.5, (n_obs, 1)))).astype(np.float32)
    adata.uns["dataset"] = {"name": "synthetic", "label": "label", "group": "batch"}
    return adata
