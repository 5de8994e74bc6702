"""Read the files labs bring into AnnData (obs = samples or cells, var = features).

``seqattn.io.read(path, format="auto", *, sample_sheet=, sample_column=, label=, group=,
batch=, **options)`` dispatches to one reader per format:

- :func:`read_h5ad` (backed mode for large files),
- :func:`read_csv` / :func:`read_tsv` / :func:`read_parquet`: matrices with samples as
  rows or columns,
- :func:`read_maxquant` (``proteinGroups.txt``), :func:`read_diann`
  (``report.pg_matrix.tsv``), :func:`read_fragpipe` (``combined_protein.tsv``),
  :func:`read_spectronaut` (long or protein pivot report), :func:`read_alphapept`
  (``results_proteins.csv``), :func:`read_alphadia` (``pg.matrix.tsv``),
  :func:`read_mztab` (mzTab 1.0 protein abundances),
- :func:`read_h5mu` (MuData ``.h5mu``) and :func:`from_mudata` (a MuData in memory): the
  modalities of the same cells side by side in one AnnData, ``var["modality"]`` naming
  each feature's (an AnnData that has such a column already needs neither),

and joins a sample sheet (:func:`read_sample_sheet`, :func:`attach_sample_sheet`) that
brings the label, group and batch columns (:func:`check_annotations`). Every bad input
raises :class:`seqattn._errors.SeqattnError` with a one-line message. This package never
imports ``seqattn.methods``, ``seqattn.core`` or ``seqattn.evaluate``.
"""

from seqattn.io.alpha import read_alphadia, read_alphapept
from seqattn.io.diann import read_diann
from seqattn.io.dispatch import READERS, read, reader_options
from seqattn.io.formats import FORMATS, detect_format
from seqattn.io.fragpipe import read_fragpipe
from seqattn.io.h5ad import read_h5ad
from seqattn.io.maxquant import read_maxquant
from seqattn.io.mudata import from_mudata, read_h5mu
from seqattn.io.mztab import read_mztab
from seqattn.io.samplesheet import attach_sample_sheet, check_annotations, read_sample_sheet
from seqattn.io.spectronaut import read_spectronaut
from seqattn.io.tables import read_csv, read_parquet, read_tsv

__all__ = [
    "FORMATS",
    "READERS",
    "attach_sample_sheet",
    "check_annotations",
    "detect_format",
    "from_mudata",
    "read",
    "read_alphadia",
    "read_alphapept",
    "read_csv",
    "read_diann",
    "read_fragpipe",
    "read_h5ad",
    "read_h5mu",
    "read_maxquant",
    "read_mztab",
    "read_parquet",
    "read_sample_sheet",
    "read_spectronaut",
    "read_tsv",
    "reader_options",
]
