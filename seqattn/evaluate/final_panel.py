"""The panel a lab takes to the bench: fitted on all samples, with its stability."""

from __future__ import annotations

import pandas as pd

from seqattn._errors import SeqattnError
from seqattn._tables import CONSTRAINT_COLUMNS, PANEL_COLUMNS
from seqattn.evaluate.stability import selection_frequency


def final_panel(all_panel: pd.DataFrame, fold_panels: pd.DataFrame) -> pd.DataFrame:
    """The all-samples panel with each feature's selection frequency across fold panels.

    Parameters
    ----------
    all_panel : DataFrame
        Panel table of the method fitted on all samples (``panel_k, rank, feature, score``).
    fold_panels : DataFrame
        Long panel table of the same method's fold fits (see
        :func:`seqattn.evaluate.label_panel`).

    Returns
    -------
    DataFrame
        ``panel_k, rank, feature, score, selection_frequency``: for a block of size K, the
        fraction of fold fits whose K-panel contains the feature (0 when never selected;
        NaN when there are no fold fits to compare with); then ``group, cost`` when the
        panel has them.

    Examples
    --------
    The all-samples 2-panel of a method and the 2-panels of its two fold fits:

    >>> import pandas as pd
    >>> from seqattn.evaluate import final_panel
    >>> all_panel = pd.DataFrame({"panel_k": 2, "rank": [1, 2], "feature": ["CD3E", "MS4A1"],
    ...                           "score": [0.9, 0.4]})
    >>> fold_panels = pd.DataFrame({
    ...     "dataset": "pbmc", "method": "anova", "repeat": 0, "fold": [0, 0, 1, 1],
    ...     "n_features": 765, "panel_k": 2, "rank": [1, 2, 1, 2],
    ...     "feature": ["CD3E", "MS4A1", "CD3E", "NKG7"], "score": [0.8, 0.5, 0.9, 0.3]})
    >>> final_panel(all_panel, fold_panels)
       panel_k  rank feature  score  selection_frequency
    0        2     1    CD3E    0.9                  1.0
    1        2     2   MS4A1    0.4                  0.5
    """
    extra = [c for c in CONSTRAINT_COLUMNS if c in all_panel.columns]
    out = all_panel[PANEL_COLUMNS].sort_values(["panel_k", "rank"], ignore_index=True)
    tail = all_panel[["panel_k", "feature", *extra]]
    if fold_panels.empty or fold_panels["fold"].isna().all():
        out = out.assign(selection_frequency=float("nan"))
        return out.merge(tail, on=["panel_k", "feature"], how="left")
    methods = fold_panels["method"].unique()
    if len(methods) > 1:
        raise SeqattnError(
            f"fold panels of several methods ({', '.join(map(str, methods))}); pass one method's"
        )
    sizes = sorted(int(k) for k in all_panel["panel_k"].unique())
    freq = selection_frequency(fold_panels, ks=sizes)
    freq = freq.rename(columns={"k": "panel_k", "frequency": "selection_frequency"})
    out = out.merge(
        freq[["panel_k", "feature", "selection_frequency"]], on=["panel_k", "feature"], how="left"
    )
    out["selection_frequency"] = out["selection_frequency"].fillna(0.0)
    out = out.merge(tail, on=["panel_k", "feature"], how="left")
    return out.sort_values(["panel_k", "rank"], kind="stable", ignore_index=True)
