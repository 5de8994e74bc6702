"""Leak-free nested cross-validation of any registered selection method.

Per outer fold, on the training samples only: the fold transformer (``seqattn.pp``), the
selector (``seqattn.methods``), then downstream classifiers on the selected features; the
test samples are touched only for scoring. The workflow runs the steps as separate jobs
(:func:`make_folds`, :func:`select_panel`, :func:`validate_panel`, then the aggregation
functions); notebooks can call :func:`run_nested_cv`.
"""

from seqattn.evaluate.aggregate import compare_methods, paired_comparison, summarise
from seqattn.evaluate.classifiers import available_classifiers, make_classifier
from seqattn.evaluate.final_panel import final_panel
from seqattn.evaluate.fold_run import SelectedPanel, select_panel, validate_panel
from seqattn.evaluate.folds import (
    check_folds_match,
    folds_for_adata,
    make_folds,
    read_folds,
    train_test_indices,
)
from seqattn.evaluate.metrics import classification_metrics
from seqattn.evaluate.nested_cv import NestedCVResult, naive_cv_score, run_nested_cv
from seqattn.evaluate.panels import panel_for_k, read_panel, read_sidecar
from seqattn.evaluate.recommend import Recommendation, recommend
from seqattn.evaluate.stability import (
    jaccard_index,
    kuncheva_index,
    label_panel,
    method_similarity,
    selection_frequency,
    stability,
)

__all__ = [
    "NestedCVResult",
    "Recommendation",
    "SelectedPanel",
    "available_classifiers",
    "check_folds_match",
    "classification_metrics",
    "compare_methods",
    "final_panel",
    "folds_for_adata",
    "jaccard_index",
    "kuncheva_index",
    "label_panel",
    "make_classifier",
    "make_folds",
    "method_similarity",
    "naive_cv_score",
    "paired_comparison",
    "panel_for_k",
    "read_folds",
    "read_panel",
    "read_sidecar",
    "recommend",
    "run_nested_cv",
    "select_panel",
    "selection_frequency",
    "stability",
    "summarise",
    "train_test_indices",
    "validate_panel",
]
