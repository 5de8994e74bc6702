"""``summary.md``: one page with the headline numbers, the panel table and links to the figures.

The report reads the result tables (and optionally the data) as :mod:`seqattn.pl` does, and
uses its table readers; :mod:`seqattn.pl` never imports this module.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from seqattn._errors import SeqattnError
from seqattn._tables import AGGREGATE_TABLES
from seqattn.pl._io import PathLike, TableLike, as_adata, find_table, one_dataset, read_table
from seqattn.pl._style import REFERENCE_METHOD, canonical_method, method_label

if TYPE_CHECKING:
    import anndata as ad

#: Table file names looked up in a ``tables/`` directory (``.tsv``; ``.tsv.gz`` and
#: ``.parquet`` also accepted): those ``seqattn aggregate`` writes.
TABLE_NAMES = tuple(AGGREGATE_TABLES)


def _fmt(mean: float, sd: float | None = None, digits: int = 3) -> str:
    if mean is None or not np.isfinite(mean):
        return "n/a"
    if sd is None or not np.isfinite(sd):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {sd:.{digits}f}"


def _fmt_p(p: float) -> str:
    if p is None or not np.isfinite(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def _md_escape(s: object) -> str:
    return str(s).replace("|", "\\|")


def _paired_row(paired: pd.DataFrame | None, k: int, clf: str, metric: str, a: str, b: str):
    """``(mean_diff a - b, pvalue, n)`` from the paired table, either orientation."""
    if paired is None:
        return None
    p = paired[
        (pd.to_numeric(paired["k"]) == k)
        & (paired["classifier"].astype(str) == clf)
        & (paired["metric"].astype(str) == metric)
    ]
    hit = p[(p["method_a"].astype(str) == a) & (p["method_b"].astype(str) == b)]
    sign = 1.0
    if hit.empty:
        hit = p[(p["method_a"].astype(str) == b) & (p["method_b"].astype(str) == a)]
        sign = -1.0
    if hit.empty:
        return None
    row = hit.iloc[0]
    n = row["n"] if "n" in row.index else np.nan
    return sign * float(row["mean_diff"]), float(row["pvalue"]), n


def _recommendation_lines(table: TableLike, dataset: str | None) -> list[str]:
    """The headline ``seqattn recommend`` wrote (``tables/recommendation.tsv``) and how it
    was chosen: the opening lines of the page."""
    if isinstance(table, pd.DataFrame):
        rec = table.copy()
    else:
        rec = pd.read_csv(table, sep="\t", keep_default_na=False, dtype={"panel": str})
    missing = [c for c in ("method", "k", "panel", "headline") if c not in rec.columns]
    if missing or rec.empty:
        raise SeqattnError(
            f"{table} is not a recommendation table (missing {missing or 'rows'}); "
            "seqattn recommend writes it"
        )
    if dataset is not None and "dataset" in rec.columns:
        here = rec[rec["dataset"].astype(str) == str(dataset)]
        rec = here if not here.empty else rec
    row = rec.iloc[0]
    features = [f for f in str(row["panel"]).split(",") if f]
    lines = [f"**{_md_escape(row['headline'])}**", ""]
    lines += [f"Panel, best first: {', '.join(f'`{f}`' for f in features)}.", ""]
    if {"rule", "inner_splits", "n_outer_folds", "classifier"} <= set(rec.columns):
        lines += [
            f"Chosen without peeking: inside each of the {int(row['n_outer_folds'])} outer "
            f"training folds a {int(row['inner_splits'])}-fold inner cross-validation scored "
            f"every method and k with `{row['classifier']}` and the `{row['rule']}` rule "
            "picked one, refitted on the outer training fold and scored on its test fold; the "
            "interval is a t-interval over those outer scores. The same procedure on all "
            "samples chose the panel (`tables/recommendation*.tsv`). The method x k table "
            "below shows every cell; picking its best one after seeing it is optimistic.",
            "",
        ]
    return lines


def _constraint_record_text(record: dict) -> str:
    """One line of what a sidecar's ``constraints`` record constrained."""
    parts = []
    if record.get("excluded"):
        how = f" (matching `{record['exclude_pattern']}`)" if record.get("exclude_pattern") else ""
        shown = ", ".join(map(str, record["excluded"][:8]))
        more = ", ..." if len(record["excluded"]) > 8 else ""
        parts.append(f"{len(record['excluded'])} features excluded{how}: {shown}{more}")
    if record.get("feature_groups"):
        parts.append(
            f"blocks from {record['feature_groups']} ({record.get('n_groups', '?')} blocks of "
            f"{record.get('n_grouped_features', '?')} features; k counts blocks)"
        )
    if record.get("feature_costs"):
        parts.append(f"costs from `{record['feature_costs']}`")
    if record.get("budget") is not None:
        parts.append(f"budget {float(record['budget']):g} (k is a cap)")
    if record.get("preselected"):
        parts.append(f"forced first: {', '.join(map(str, record['preselected']))}")
    return "; ".join(parts)


def _constraint_lines(
    panel_meta: Sequence[PathLike] | None, skipped: dict[str, str] | None
) -> list[str]:
    """The constraints applied (from the final panels' sidecars), the methods left out and,
    with costs, what each method's final panel costs at each k."""
    import json

    metas = {}
    for path in panel_meta or []:
        meta = json.loads(Path(path).read_text())
        metas[str(meta.get("method", Path(path).parent.name))] = meta
    records = [m["constraints"] for m in metas.values() if m.get("constraints")]
    if not records and not skipped:
        return []
    lines = ["## Panel constraints", ""]
    if records:
        lines += [f"Applied in every fold and method: {_constraint_record_text(records[0])}.", ""]
    for method, why in (skipped or {}).items():
        lines.append(f"- Not compared here: {method_label(method)} {why}.")
    if skipped:
        lines.append("")
    costed = {m: meta["panel_cost_by_k"] for m, meta in metas.items() if "panel_cost_by_k" in meta}
    if costed:
        ks = sorted({int(k) for by_k in costed.values() for k in by_k})
        lines.append("Cost of each method's final panel (all samples):")
        lines.append("")
        lines.append("| method | " + " | ".join(f"k = {k}" for k in ks) + " |")
        lines.append("|---|" + "---|" * len(ks))
        for method, by_k in costed.items():
            cells = [f"{by_k[str(k)]:g}" if str(k) in by_k else "" for k in ks]
            lines.append(f"| {_md_escape(method_label(method))} | " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def summary_markdown(
    *,
    summary: TableLike | None = None,
    paired: TableLike | None = None,
    stability: TableLike | None = None,
    metrics: TableLike | None = None,
    cost: TableLike | None = None,
    panel: TableLike | None = None,
    adata: ad.AnnData | PathLike | None = None,
    figures: Sequence[PathLike] | PathLike | None = None,
    out_dir: PathLike | None = None,
    recommendation: TableLike | None = None,
    dataset: str | None = None,
    label: str | None = None,
    method: str = REFERENCE_METHOD,
    metric: str = "balanced_accuracy",
    classifier: str | None = None,
    k: int | None = None,
    max_panel_rows: int = 50,
    panel_meta: Sequence[PathLike] | None = None,
    skipped: dict[str, str] | None = None,
) -> str:
    r"""The Markdown text of :func:`write_summary` (see there for the parameters).

    Examples
    --------
    A ``summary`` table (``seqattn aggregate`` writes ``tables/summary.tsv``) and a final
    panel:

    >>> from seqattn.report import summary_markdown
    >>> import pandas as pd
    >>> summary = pd.DataFrame({
    ...     "method": ["sequential_attention"] * 2 + ["anova"] * 2, "k": [5, 10] * 2,
    ...     "classifier": "logreg", "metric": "balanced_accuracy",
    ...     "mean": [0.74, 0.80, 0.70, 0.78], "sd": 0.05, "n": 5})
    >>> panel = pd.DataFrame({"panel_k": 3, "rank": [1, 2, 3],
    ...                       "feature": ["SOD1_N", "CaNA_N", "pERK_N"], "score": [0.41, 0.33, 0.26]})
    >>> text = summary_markdown(summary=summary, panel=panel, dataset="mice")
    >>> lines = text.splitlines()
    >>> [line for line in lines if line.startswith("#")]  # doctest: +NORMALIZE_WHITESPACE
    ['# mice: marker panel summary', '## Headline',
     '## Balanced accuracy by panel size (`logreg`, mean ± SD)',
     '## Final panel (Sequential Attention, all samples, k = 3)']
    >>> print(*[line for line in lines if line.startswith("|")][:4], sep="\n")
    | method | k = 5 | k = 10 |
    |---|---|---|
    | Sequential Attention | **0.740 ± 0.050** | **0.800 ± 0.050** |
    | ANOVA F | 0.700 ± 0.050 | 0.780 ± 0.050 |
    """
    from seqattn.pl.accuracy import metric_label, score_summary
    from seqattn.pl.cost import cost_table

    lines: list[str] = []
    scores = None
    source = summary if summary is not None else metrics
    if source is not None:
        scores, dataset = score_summary(source, metric=metric, dataset=dataset)
    paired_df = None
    if paired is not None:
        paired_df, _ = one_dataset(read_table(paired, "paired"), dataset, "paired")
    data = as_adata(adata) if adata is not None else None
    if dataset is None and data is not None and isinstance(data.uns.get("dataset"), dict):
        dataset = data.uns["dataset"].get("name")
    lines.append(f"# {dataset or 'seqattn'}: marker panel summary")
    lines.append("")
    if recommendation is not None:
        lines += _recommendation_lines(recommendation, dataset)
    if data is not None:
        if label is None and isinstance(data.uns.get("dataset"), dict):
            label = data.uns["dataset"].get("label")
        desc = f"{data.n_obs} samples x {data.n_vars} features"
        if label is not None and label in data.obs.columns:
            desc += f", {data.obs[label].nunique()} classes (`{label}`)"
        if not hasattr(data.X, "toarray"):
            n_nan = int(np.isnan(np.asarray(data.X, dtype=np.float32)).sum())
            if n_nan:
                desc += f", {n_nan} missing values"
        lines += [f"Data: {desc}.", ""]
    lines += _constraint_lines(panel_meta, skipped)

    # headline
    if scores is not None:
        sel = scores[scores["method"].map(canonical_method) != "all_features"]
        ks = sorted(int(v) for v in sel["k"].dropna().unique())
        if not ks:
            raise SeqattnError("the summary has no panel sizes")
        k_head = int(k) if k is not None else ks[-1]
        if k_head not in ks:
            raise SeqattnError(f"no scores at k={k_head} (have k={', '.join(map(str, ks))})")
        at_k = sel[sel["k"] == k_head]
        ref_rows = at_k[at_k["method"] == method]
        clfs = sorted(at_k["classifier"].unique())
        if classifier is None:
            pool = ref_rows if not ref_rows.empty else at_k
            classifier = str(
                pool.sort_values(["mean", "classifier"], ascending=[False, True]).iloc[0][
                    "classifier"
                ]
            )
        elif classifier not in clfs:
            raise SeqattnError(f"no scores for classifier {classifier!r} (have {', '.join(clfs)})")
        here = at_k[at_k["classifier"] == classifier].set_index("method")
        mlabel = metric_label(metric)
        lines.append("## Headline")
        lines.append("")
        if method in here.index:
            r = here.loc[method]
            lines.append(
                f"- With **k = {k_head}** features, {method_label(method)} reaches {mlabel} "
                f"**{_fmt(r['mean'], r['sd'])}** (mean ± SD over {int(r['n'])} folds, "
                f"classifier `{classifier}`)."
            )
        peers = here.drop(
            index=[
                m
                for m in here.index
                if m == method or canonical_method(m) in ("random", "all_features")
            ]
        )
        if not peers.empty:
            best = peers["mean"].idxmax()
            b = peers.loc[best]
            txt = f"- Best other method at k = {k_head}: {method_label(best)} {_fmt(b['mean'], b['sd'])}"
            pr = _paired_row(paired_df, k_head, classifier, metric, method, best)
            if pr is not None:
                txt += (
                    f"; difference {pr[0]:+.3f} ({_fmt_p(pr[1])}, paired across "
                    f"{int(pr[2]) if np.isfinite(pr[2]) else '?'} folds)"
                )
            lines.append(txt + ".")
        rnd = [m for m in here.index if canonical_method(m) == "random"]
        if rnd:
            r = here.loc[rnd[0]]
            lines.append(f"- Random panels of the same size: {_fmt(r['mean'], r['sd'])}.")
        allf = scores[
            (scores["method"].map(canonical_method) == "all_features")
            & (scores["classifier"] == classifier)
        ]
        if not allf.empty:
            r = allf.iloc[0]
            lines.append(f"- All features: {_fmt(r['mean'], r['sd'])}.")
        if stability is not None:
            st, _ = one_dataset(read_table(stability, "stability"), dataset, "stability")
            st = st.assign(method=st["method"].astype(str))
            st = st[pd.to_numeric(st["k"]) == k_head].set_index("method")
            if method in st.index:
                row = st.loc[method]
                others = st.drop(index=method)
                txt = (
                    f"- Stability of the {method_label(method)} panel across folds at "
                    f"k = {k_head}: Kuncheva {float(row['kuncheva_mean']):.2f}, Jaccard "
                    f"{float(row['jaccard_mean']):.2f}"
                )
                if not others.empty:
                    txt += (
                        f" (other methods: Kuncheva "
                        f"{float(others['kuncheva_mean'].min()):.2f} to "
                        f"{float(others['kuncheva_mean'].max()):.2f})"
                    )
                lines.append(txt + ".")
        if cost is not None:
            try:
                cost_df, _ = cost_table(cost, dataset=dataset)
            except SeqattnError:
                cost_df = None
            if cost_df is not None and "value" in cost_df.columns:
                c = cost_df[cost_df["method"] == method]
                t = c[c["metric"] == "selector_time_s"]["value"]
                mem = c[c["metric"] == "selector_peak_rss_delta_mb"]["value"]
                if not t.empty:
                    txt = (
                        f"- Cost of {method_label(method)} per training fold: median "
                        f"{float(t.median()):.3g} s wall time"
                    )
                    if not mem.empty:
                        txt += f", {float(mem.median()):.3g} MB peak RSS added"
                    lines.append(txt + ".")
        lines.append("")

        # method x k table for the headline classifier
        tab = scores[scores["classifier"] == classifier]
        best_per_k = (
            tab[tab["method"].map(canonical_method) != "all_features"].groupby("k")["mean"].max()
        )
        lines.append(f"## {mlabel.capitalize()} by panel size (`{classifier}`, mean ± SD)")
        lines.append("")
        from seqattn.pl._style import method_order

        methods = method_order(tab["method"].unique())
        kcols = sorted(int(v) for v in tab["k"].dropna().unique())
        lines.append("| method | " + " | ".join(f"k = {kk}" for kk in kcols) + " |")
        lines.append("|---|" + "---|" * len(kcols))
        for m in methods:
            cells = []
            for kk in kcols:
                r = tab[(tab["method"] == m) & (tab["k"] == kk)]
                if r.empty:
                    cells.append("")
                    continue
                r = r.iloc[0]
                cell = _fmt(r["mean"], r["sd"])
                if (
                    kk in best_per_k.index
                    and np.isclose(r["mean"], best_per_k[kk])
                    and canonical_method(m) != "all_features"
                ):
                    cell = f"**{cell}**"
                cells.append(cell)
            name = method_label(m)
            lines.append(f"| {_md_escape(name)} | " + " | ".join(cells) + " |")
        lines += ["", "Bold: best method at that k.", ""]

    # final panel
    if panel is not None:
        pt = read_table(panel, "panel")
        if "panel_k" in pt.columns:
            pt = pt[pt["panel_k"] == pt["panel_k"].max()]
        pt = pt.sort_values("rank", kind="stable")
        n_panel = len(pt)
        lines.append(f"## Final panel ({method_label(method)}, all samples, k = {n_panel})")
        lines.append("")
        cols = ["rank", "feature"] + [c for c in ("score", "selection_frequency") if c in pt]
        if "group" in pt and (pt["group"].astype(str) != pt["feature"].astype(str)).any():
            cols.append("group")  # blocks: ranks count blocks
        costed = "cost" in pt and pd.to_numeric(pt["cost"], errors="coerce").notna().any()
        if costed:
            cols.append("cost")
        lines.append("| " + " | ".join(c.replace("_", " ") for c in cols) + " |")
        lines.append("|" + "---|" * len(cols))
        for _, row in pt.head(max_panel_rows).iterrows():
            vals = []
            for c in cols:
                v = row[c]
                if c in ("score", "selection_frequency", "cost") and pd.notna(v):
                    vals.append(f"{float(v):.3g}")
                else:
                    vals.append(_md_escape(v))
            lines.append("| " + " | ".join(vals) + " |")
        if n_panel > max_panel_rows:
            more = ["...", f"{n_panel - max_panel_rows} more features"] + [""] * (len(cols) - 2)
            lines.append("| " + " | ".join(more) + " |")
        lines.append("")
        if costed:
            total = float(pd.to_numeric(pt["cost"], errors="coerce").sum())
            lines += [f"Total cost of the final panel: {total:g}.", ""]

    # figures
    if figures is not None:
        if isinstance(figures, str | os.PathLike):
            fdir = Path(figures)
            from seqattn.pl._all import FIGURES

            files = [fdir / f"{name}.png" for name in FIGURES if (fdir / f"{name}.png").is_file()]
            files += sorted(p for p in fdir.glob("*.png") if p not in files)
        else:
            files = [Path(f) for f in figures]
        if files:
            base = Path(out_dir) if out_dir is not None else Path.cwd()
            rel = [Path(os.path.relpath(f, base)).as_posix() for f in files]
            lines.append("## Figures")
            lines.append("")
            lines.append(f"![{Path(rel[0]).stem}]({rel[0]})")
            lines.append("")
            for r in rel:
                lines.append(f"- [{Path(r).stem.replace('_', ' ')}]({r})")
            lines.append("")
    from seqattn._version import __version__

    lines.append(f"<sub>Written by seqattn {__version__}.</sub>")
    return "\n".join(lines).rstrip() + "\n"


def write_summary(
    path: PathLike,
    *,
    tables: PathLike | None = None,
    summary: TableLike | None = None,
    paired: TableLike | None = None,
    stability: TableLike | None = None,
    metrics: TableLike | None = None,
    cost: TableLike | None = None,
    panel: TableLike | None = None,
    adata: ad.AnnData | PathLike | None = None,
    figures: Sequence[PathLike] | PathLike | None = None,
    dataset: str | None = None,
    label: str | None = None,
    method: str = REFERENCE_METHOD,
    metric: str = "balanced_accuracy",
    classifier: str | None = None,
    k: int | None = None,
    recommendation: TableLike | None = None,
    panel_meta: Sequence[PathLike] | None = None,
    skipped: dict[str, str] | None = None,
) -> str:
    r"""Write ``summary.md``: headline numbers, a method x k table, the final panel, figure links.

    Parameters
    ----------
    path
        Output Markdown file (written atomically).
    tables
        A ``tables/`` directory; any of ``summary, paired, stability, metrics, cost``
        not passed explicitly is read from ``<tables>/<name>.tsv`` when present.
    summary, metrics
        The ``summary`` table (or, without it, the long ``metrics`` table) with the scores.
    cost
        The ``cost`` table: adds the selector's median wall time and peak RSS added.
    paired
        The ``paired`` table: adds the difference and p-value against the best peer.
    stability
        The ``stability`` table: adds the Kuncheva / Jaccard stability line.
    panel
        The final panel table (default with ``tables``: ``final_panel_<method>.tsv``
        there, else ``<tables>/../panels/<method>/all.tsv``, when present).
    adata
        The data (AnnData or ``.h5ad``): adds samples, features and classes.
    figures
        A figures directory (its PNGs are linked, the headline one shown) or a
        list of figure files; links are relative to ``path``.
    dataset
        Needed only when the tables hold several data sets.
    label
        ``obs`` column with the classes (default: ``adata.uns["dataset"]["label"]``).
    method
        The method the page is about (default Sequential Attention).
    metric
        Headline metric.
    classifier
        Headline classifier (default: the best one for ``method`` at ``k``).
    k
        Headline panel size (default: the largest ``k``).
    recommendation
        ``tables/recommendation.tsv`` of ``seqattn recommend``: its headline ("Take this
        panel: ...") opens the page. Never looked up in ``tables`` (a stale one would
        mislead); pass it.
    panel_meta
        The ``.json`` sidecars of the methods' final panels: with panel constraints, a
        "Panel constraints" section says what was applied and, with costs, what each
        method's final panel costs at each k.
    skipped
        ``{method: why}`` of methods left out because they cannot honour the constraints
        (listed in that section).

    Returns
    -------
    str
        The Markdown text.

    Examples
    --------
    A ``tables/`` directory as ``seqattn aggregate`` leaves it (here its summary, stability
    and the final panel of ANOVA F), summarised for ANOVA F at k = 5:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from seqattn.report import write_summary
    >>> import pandas as pd
    >>> summary = pd.DataFrame({
    ...     "method": ["sequential_attention"] * 2 + ["anova"] * 2, "k": [5, 10] * 2,
    ...     "classifier": "logreg", "metric": "balanced_accuracy",
    ...     "mean": [0.74, 0.80, 0.70, 0.78], "sd": 0.05, "n": 5})
    >>> panel = pd.DataFrame({"panel_k": 3, "rank": [1, 2, 3],
    ...                       "feature": ["SOD1_N", "CaNA_N", "pERK_N"], "score": [0.41, 0.33, 0.26]})
    >>> stability = pd.DataFrame({"method": ["sequential_attention", "anova"], "k": 5,
    ...                           "jaccard_mean": [0.8, 0.6], "kuncheva_mean": [0.85, 0.65]})
    >>> tmp = tempfile.TemporaryDirectory()
    >>> tables = Path(tmp.name) / "tables"
    >>> tables.mkdir()
    >>> summary.to_csv(tables / "summary.tsv", sep="\t", index=False)
    >>> stability.to_csv(tables / "stability.tsv", sep="\t", index=False)
    >>> panel.to_csv(tables / "final_panel_anova.tsv", sep="\t", index=False)
    >>> text = write_summary(Path(tmp.name) / "summary.md", tables=tables, method="anova", k=5)
    >>> print(*text.splitlines()[:7], sep="\n")  # doctest: +NORMALIZE_WHITESPACE
    # seqattn: marker panel summary
    <BLANKLINE>
    ## Headline
    <BLANKLINE>
    - With **k = 5** features, ANOVA F reaches balanced accuracy **0.700 ± 0.050**
      (mean ± SD over 5 folds, classifier `logreg`).
    - Best other method at k = 5: Sequential Attention 0.740 ± 0.050.
    - Stability of the ANOVA F panel across folds at k = 5: Kuncheva 0.65, Jaccard 0.60
      (other methods: Kuncheva 0.85 to 0.85).
    >>> (Path(tmp.name) / "summary.md").read_text() == text
    True
    >>> tmp.cleanup()
    """
    from seqattn._atomic import write_text

    found = {name: find_table(tables, name) for name in TABLE_NAMES}
    summary = summary if summary is not None else found["summary"]
    metrics = metrics if metrics is not None else found["metrics"]
    cost = cost if cost is not None else found["cost"]
    paired = paired if paired is not None else found["paired"]
    stability = stability if stability is not None else found["stability"]
    if panel is None and tables is not None:
        from seqattn.pl._all import default_panel

        candidate = default_panel(tables, method)
        panel = candidate if candidate is not None and candidate.is_file() else None
    if summary is None and metrics is None and panel is None and recommendation is None:
        raise SeqattnError(
            "nothing to summarise: give a summary or metrics table (or a tables directory "
            "holding summary.tsv / metrics.tsv) or a panel"
        )
    text = summary_markdown(
        summary=summary,
        paired=paired,
        stability=stability,
        metrics=metrics,
        cost=cost,
        panel=panel,
        adata=adata,
        figures=figures,
        out_dir=Path(path).parent,
        dataset=dataset,
        label=label,
        method=method,
        metric=metric,
        classifier=classifier,
        k=k,
        recommendation=recommendation,
        panel_meta=panel_meta,
        skipped=skipped,
    )
    write_text(text, path)
    return text


__all__ = ["TABLE_NAMES", "summary_markdown", "write_summary"]
