"""``seqattn preprocess``: read a lab's file, run the per-sample steps, write ``.h5ad``."""

from __future__ import annotations

import argparse
import os
import sys
import warnings

from seqattn._errors import SeqattnError

#: ``seqattn.io.formats.FORMATS`` with "auto" (spelled out: importing seqattn.io is slow).
_FORMATS = (
    "auto",
    "h5ad",
    "h5mu",
    "csv",
    "tsv",
    "parquet",
    "maxquant",
    "diann",
    "fragpipe",
    "spectronaut",
    "alphapept",
    "alphadia",
    "mztab",
)
_PRESETS = ("proteomics", "scrna", "cite", "zscore", "none")


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "preprocess",
        help="read a data file (+ sample sheet), run the per-sample preprocessing, write .h5ad",
        description=(
            "Read INPUT (h5ad, CSV/TSV/Parquet matrix, MaxQuant proteinGroups.txt, DIA-NN "
            "pg_matrix, FragPipe combined_protein.tsv, Spectronaut report, AlphaPept "
            "results_proteins.csv, AlphaDIA pg.matrix.tsv, mzTab), join the sample sheet, run the preset's "
            "per-sample steps on the whole file and write OUT.h5ad. The cross-sample steps "
            "(completeness filter, imputation, z-score, HVG) are recorded in "
            "uns['seqattn_preprocessing']['fold'] and fitted on each training fold later."
        ),
    )
    p.add_argument("input", metavar="INPUT", help="the data file")
    p.add_argument("--label", required=True, help="obs / sample-sheet column with the class label")
    p.add_argument(
        "--format", default="auto", choices=_FORMATS, help="input format (default: auto)"
    )
    p.add_argument("--sample-sheet", default=None, help="CSV / TSV / XLSX with one row per sample")
    p.add_argument("--sample-column", default=None, help="sample-name column of the sample sheet")
    p.add_argument("--group", default=None, help="column of the subject/patient/mouse (grouped CV)")
    p.add_argument("--batch", default=None, help="column of the batch")
    p.add_argument("--preset", default="proteomics", choices=_PRESETS, help="default: proteomics")
    p.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="reader or preset option, repeatable (e.g. min_valid=0.5, impute=knn, intensity=iBAQ)",
    )
    p.add_argument(
        "--samples-as",
        default=None,
        choices=("auto", "rows", "columns"),
        help="CSV/TSV/Parquet: samples are rows or columns (default: auto)",
    )
    p.add_argument(
        "--full",
        action="store_true",
        help="also run the cross-sample steps on all samples (exploration only: leaky for CV)",
    )
    p.add_argument("--threads", type=int, default=None, help="CPU threads for BLAS (default: all)")
    p.add_argument("--out", required=True, help="output .h5ad path")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from seqattn._atomic import atomic_path
    from seqattn.cli._common import parse_options

    if not str(args.out).endswith(".h5ad"):
        raise SeqattnError(f"--out {args.out!r} must end in .h5ad")
    _limit_threads(args.threads)
    from seqattn import io, pp
    from seqattn.io.dispatch import all_reader_options
    from seqattn.pp.presets import check_preset

    options = parse_options(args.option)
    preset_keys = set(check_preset(args.preset))
    reader_keys = all_reader_options()
    unknown = sorted(set(options) - preset_keys - reader_keys)
    if unknown:
        raise SeqattnError(
            f"--option {', '.join(unknown)} is neither a reader option ({', '.join(sorted(reader_keys))}) "
            f"nor an option of preset {args.preset!r} ({', '.join(preset_keys)})"
        )
    read_opts = {k: v for k, v in options.items() if k not in preset_keys}
    pp_opts = {k: v for k, v in options.items() if k in preset_keys}
    if args.samples_as is not None:
        read_opts["samples_as"] = args.samples_as

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            adata = io.read(
                args.input,
                args.format,
                sample_sheet=args.sample_sheet,
                sample_column=args.sample_column,
                label=args.label,
                group=args.group,
                batch=args.batch,
                **read_opts,
            )
            adata = pp.preprocess(adata, args.preset, fold_safe=not args.full, **pp_opts)
            with atomic_path(args.out) as tmp:
                adata.write_h5ad(tmp)
        finally:
            # Our warnings (dropped features, unused sheet rows) are UserWarnings; library
            # Deprecation/FutureWarnings are noise for a user of the command line.
            for w in caught:
                if w.category is UserWarning:
                    msg = str(w.message).splitlines()[0]
                    print(f"seqattn preprocess: warning: {msg}", file=sys.stderr)
    print(summary_line(adata, args.out))
    return 0


def summary_line(adata, out: str) -> str:
    """``wrote OUT: 48 samples x 956 features, 5 classes of 'disease'; dropped: ...``."""
    io_info = adata.uns.get("seqattn_io", {})
    rec = adata.uns.get("seqattn_preprocessing", {})
    label = rec.get("label")
    parts = [f"wrote {out}: {adata.n_obs} samples x {adata.n_vars} features"]
    if label:
        parts.append(f", {adata.obs[label].nunique()} classes of {label!r}")
    parts.append(f" (preset {rec.get('preset')}, {rec.get('mode', '').replace('_', '-')})")
    dropped = []
    flags = [f"{flag} {n}" for flag, n in dict(io_info.get("dropped", {})).items() if n]
    if flags:
        dropped.append(f"{io_info.get('n_dropped_rows')} flagged rows ({', '.join(flags)})")
    details = rec.get("details", {})
    empty = details.get("drop_empty", {})
    if empty.get("n_features_dropped"):
        dropped.append(f"{empty['n_features_dropped']} features without values")
    if empty.get("n_samples_dropped"):
        dropped.append(f"{empty['n_samples_dropped']} samples without values")
    cells = details.get("filter_cells", {})
    if cells.get("n_cells_dropped"):
        dropped.append(f"{cells['n_cells_dropped']} cells below min_genes")
    if dropped:
        parts.append("; dropped: " + ", ".join(dropped))
    if io_info.get("sample_column_detected"):
        parts.append(
            f"; sample sheet joined on its column {io_info.get('sample_column')!r} "
            "(found by its values; --sample-column to choose another)"
        )
    return "".join(parts)


def _limit_threads(n: int | None) -> None:
    """Cap BLAS/OpenMP threads; unlike ``_common.set_threads`` this never imports torch."""
    if not n:
        return
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(n)
    from threadpoolctl import threadpool_limits

    threadpool_limits(n)
