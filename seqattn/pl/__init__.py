"""Figures from result tables and AnnData (the same functions serve notebooks and the workflow).

Every plotting function takes the tidy result tables of CONTRIBUTING.md (a DataFrame
or a TSV path) or an AnnData, returns a :class:`matplotlib.figure.Figure`, and writes
it when given ``save=path`` or ``save=[path.png, path.pdf]`` (format from the suffix,
written atomically). Methods keep one colour in every figure (:func:`method_colors`).

- :func:`accuracy_vs_k`: score against panel size per method, one panel per classifier.
- :func:`attention_trajectory`: Sequential Attention weights over the leading candidates.
- :func:`panel_heatmap`, :func:`panel_dotplot`, :func:`marker_violins`: the panel by class.
- :func:`selection_frequency`, :func:`stability`, :func:`method_similarity`: stability.
- :func:`embedding`: PCA/UMAP on all features vs on the panel.
- :func:`confusion`: confusion matrix and per-class recall.
- :func:`cost`: selection wall time and peak memory.
- :func:`cost_accuracy`: score against a panel's total cost, count-based and cost-aware
  panels per method (:func:`cost_accuracy_table`: a workflow's metrics and panel-cost
  tables in its layout).
- :func:`qc`: valid values, missingness and intensity distributions.
- :func:`recommendation`: the inner-CV curve that chose the recommended panel, the outer
  estimate beside it.
- :func:`plot_all`: every figure of one data set (:data:`FIGURES`) into a directory.

This package reads tables and AnnData only; it never imports ``seqattn.methods``,
``seqattn.core``, ``seqattn.evaluate`` or ``seqattn.report`` (``summary.md``, which uses
these readers).
"""

from seqattn.pl._all import FIGURES, figure_files, plot_all
from seqattn.pl._style import METHOD_COLORS, method_colors, method_label, method_markers
from seqattn.pl.accuracy import accuracy_vs_k
from seqattn.pl.confusion import confusion
from seqattn.pl.cost import cost
from seqattn.pl.cost_accuracy import cost_accuracy, cost_accuracy_table
from seqattn.pl.embedding import embedding
from seqattn.pl.panel import marker_violins, panel_dotplot, panel_heatmap
from seqattn.pl.qc import qc
from seqattn.pl.recommendation import recommendation
from seqattn.pl.stability import method_similarity, selection_frequency, stability
from seqattn.pl.trajectory import attention_matrix, attention_trajectory

__all__ = [
    "FIGURES",
    "METHOD_COLORS",
    "accuracy_vs_k",
    "attention_matrix",
    "attention_trajectory",
    "confusion",
    "cost",
    "cost_accuracy",
    "cost_accuracy_table",
    "embedding",
    "figure_files",
    "marker_violins",
    "method_colors",
    "method_label",
    "method_markers",
    "method_similarity",
    "panel_dotplot",
    "panel_heatmap",
    "plot_all",
    "qc",
    "recommendation",
    "selection_frequency",
    "stability",
]
