"""The benchmark data sets of ``bench/quality.py``.

The public sets come from ``seqattn.datasets`` (a local mirror named by ``SEQATTN_DATA``,
``../shared/data`` beside the clone when it is unset, or ``download=True``); the two small
cohorts are kept in ``bench/data/`` with their provenance.

Each loader returns ``(adata, spec)``: an AnnData prepared with the per-sample steps of a
preset (``seqattn.pp.preprocess``, fold-safe: the cross-sample steps run inside each
training fold) and a dict with the label and group columns. The same preset rule is used
for every data set of a kind; nothing is tuned per data set.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import anndata as ad
import numpy as np
import pandas as pd

import seqattn
from seqattn import pp

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
if "SEQATTN_DATA" not in os.environ and SHARED.is_dir():
    os.environ["SEQATTN_DATA"] = str(SHARED)
BENCH_DATA = Path(__file__).resolve().parent / "data"  # small cohorts kept in the repository


def _subsample(adata: ad.AnnData, label: str, max_samples: int | None, seed: int) -> ad.AnnData:
    """Stratified, seeded subsample (keeps class proportions) to bound run time."""
    if max_samples is None or adata.n_obs <= max_samples:
        return adata
    from sklearn.model_selection import train_test_split

    keep, _ = train_test_split(
        np.arange(adata.n_obs),
        train_size=max_samples,
        random_state=seed,
        stratify=adata.obs[label].to_numpy(),
    )
    return adata[np.sort(keep)].copy()


def mice_protein(**_: Any) -> tuple[ad.AnnData, dict[str, Any]]:
    adata = pp.preprocess(seqattn.datasets.mice_protein(), "zscore", label="class", group="mouse")
    return adata, {"label": "class", "group": "mouse"}


def nafld_plasma(**_: Any) -> tuple[ad.AnnData, dict[str, Any]]:
    raw = seqattn.datasets.nafld_plasma()
    adata = pp.preprocess(raw, "proteomics", label="disease", completeness="any_group")
    adata.uns["dataset"] = {"name": "nafld_plasma"}
    return adata, {"label": "disease", "group": None}


def _cbmc(modality: str, max_samples: int | None, seed: int):
    return _subsample(seqattn.datasets.cbmc_citeseq(modality), "label", max_samples, seed)


def cbmc_rna(max_samples: int | None = None, seed: int = 0, **_: Any):
    adata = _cbmc("rna", max_samples, seed)
    # Raw UMI counts: scanpy's chain (per-cell normalise + log1p; HVG inside each fold).
    adata = pp.preprocess(adata, "scrna", label="label", min_genes=0, n_top_genes=2000)
    adata.uns["dataset"] = {"name": "cbmc_rna"}
    return adata, {"label": "label", "group": None}


def cbmc_adt(max_samples: int | None = None, seed: int = 0, **_: Any):
    # ADT levels are already normalised (CLR-like): only z-score inside the fold.
    adata = pp.preprocess(
        _cbmc("adt", max_samples, seed), "zscore", label="label"
    )
    adata.uns["dataset"] = {"name": "cbmc_adt"}
    return adata, {"label": "label", "group": None}


def glioma(**_: Any):
    adata = pp.preprocess(seqattn.datasets.glioma(), "zscore", label="label")
    adata.uns["dataset"] = {"name": "glioma"}
    return adata, {"label": "label", "group": None}


def pbmc68k_reduced(**_: Any):
    # scanpy ships it log-normalised and scaled; z-score inside the fold is a no-op at worst.
    adata = pp.preprocess(seqattn.datasets.pbmc68k_reduced(), "zscore", label="bulk_labels")
    return adata, {"label": "bulk_labels", "group": None}


def liver_nash(**_: Any) -> tuple[ad.AnnData, dict[str, Any]]:
    # Niu et al. 2022 liver biopsies (45 samples: control / NASH / cirrhosis), MIT;
    # 364 of ~5,400 protein groups, see data/liver_nash/PROVENANCE.md. The authors'
    # export is already log2 LFQ with missing values imputed, hence log2=False.
    folder = BENCH_DATA / "liver_nash"
    raw = seqattn.io.read(
        folder / "PatientSamples_proteome.csv",
        "csv",
        sample_sheet=folder / "PatientSamples_annotation_file.csv",
        sample_column="Sample ID",
        label="Grouping",
        samples_as="columns",
        feature_column="Protein IDs",
    )
    adata = pp.preprocess(raw, "proteomics", label="Grouping", completeness="any_group", log2=False)
    adata.uns["dataset"] = {"name": "liver_nash"}
    return adata, {"label": "Grouping", "group": None}


def olink_covid_dialysis(**_: Any) -> tuple[ad.AnnData, dict[str, Any]]:
    # Gisby et al. 2021 (eLife 10:e64827) serum validation cohort of haemodialysis patients,
    # Olink Target 96 CM + CVD2 + CVD3 panels (the Inflammation panel was not copied), 63
    # serum samples of 57 individuals, COVID-19 POSITIVE / NEGATIVE; see
    # data/olink_covid_dialysis/PROVENANCE.md. NPX is already log2 and normalised, so only
    # the zscore preset; C189_16 has no CVD2 values (87 NaN), imputed inside each fold.
    # CC BY 4.0 (the repository README's licence section, see PROVENANCE.md); kept in
    # data/olink_covid_dialysis/, or read from $SEQATTN_DATA/olink_covid_dialysis/.
    folder = BENCH_DATA / "olink_covid_dialysis"
    if not (folder / "serum_npx_wide.csv.gz").exists():
        folder = Path(os.environ.get("SEQATTN_DATA", "")) / "olink_covid_dialysis"
    if not (folder / "serum_npx_wide.csv.gz").exists():
        raise FileNotFoundError(
            "olink_covid_dialysis: serum_npx_wide.csv.gz, serum_sample_level.csv and "
            "proteins.csv are missing from bench/data/olink_covid_dialysis/; restore them "
            "with git checkout, or rebuild them as its PROVENANCE.md says into "
            "$SEQATTN_DATA/olink_covid_dialysis/"
        )
    sheet = pd.read_csv(folder / "serum_sample_level.csv", dtype=str).set_index("SampleID")
    npx = pd.read_csv(folder / "serum_npx_wide.csv.gz", index_col="SampleID").loc[sheet.index]
    var = pd.read_csv(folder / "proteins.csv", dtype=str).set_index("GeneID").loc[npx.columns]
    raw = ad.AnnData(X=npx.to_numpy(dtype=np.float64), obs=sheet, var=var)
    raw.obs_names.name = None
    raw.var_names.name = None
    adata = pp.preprocess(raw, "zscore", label="Case_Control", group="Individual_ID")
    adata.uns["dataset"] = {"name": "olink_covid_dialysis"}
    return adata, {"label": "Case_Control", "group": "Individual_ID"}


LOADERS = {
    "mice_protein": mice_protein,
    "nafld_plasma": nafld_plasma,
    "cbmc_rna": cbmc_rna,
    "cbmc_adt": cbmc_adt,
    "glioma": glioma,
    "pbmc68k_reduced": pbmc68k_reduced,
    "liver_nash": liver_nash,
    "olink_covid_dialysis": olink_covid_dialysis,
}
