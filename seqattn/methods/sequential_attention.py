"""Sequential Attention (Yasuda et al., ICLR 2023) in the registry.

Imports torch (through ``seqattn.core``), so ``seqattn.methods`` registers this module by
name and imports it on first use (``get_method("sequential_attention")``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from seqattn._errors import SeqattnError
from seqattn._panel import (
    check_varying_size,
    check_X_y,
    panel_size,
    ranking_with_constant_last,
    varying_columns,
)
from seqattn.core import SequentialAttentionSelector
from seqattn.methods._base import register


@register
class SequentialAttention(SequentialAttentionSelector):
    """:class:`seqattn.SequentialAttentionSelector` under the registry name
    ``"sequential_attention"``; its options are the selector's parameters.

    Greedy-like forward selection from one network training. Scores are the attention
    weight each feature had when picked; ``attention_history_``, ``loss_curve_``,
    ``pick_steps_``, ``schedule_`` and ``device_`` hold the records. Cost: one training
    run of ``(2 + k) * S`` mini-batch steps (``S`` = 200-1,000, see
    ``seqattn.core.schedule``), each O(batch x d x hidden x n_restarts).
    """

    name = "sequential_attention"
    ordered = True
    has_attention = True  # writes <panel>.attention.tsv (attention_history_)

    def fit(self, X: Any, y: Any, groups: Any = None) -> SequentialAttention:
        """:meth:`SequentialAttentionSelector.fit` on the varying columns of ``X``.

        Constant columns never enter the panel, as in every registered method
        (``n_constant_features_``, one warning; an all-constant X is refused): the network
        is trained on the varying columns, and the fitted attributes are mapped back to
        the columns of ``X`` (constant ones ranked last, NaN in ``attention_history_``).
        With ``feature_groups``, ``feature_costs``, ``budget`` or ``exclude`` the core
        selector leaves out the constant and excluded columns itself.
        """
        import torch

        if self._constrained():
            return super().fit(X, y, groups)
        if isinstance(X, torch.Tensor):
            if X.ndim != 2:
                raise SeqattnError(f"X must be 2-d, got a tensor of shape {tuple(X.shape)}")
            Xv, names = X, None
        else:
            Xv, y = check_X_y(self, X, y)
            names = getattr(self, "feature_names_in_", None)
        cols = varying_columns(self, Xv)
        if cols is None:
            return super().fit(X, y, groups)
        n_constant = self.n_constant_features_
        d = Xv.shape[1]
        k = panel_size(self.n_features_to_select, d)
        check_varying_size(self, k, cols, d)
        preselected = self._preselected_indices()  # names resolved against the full X
        position = np.full(d, -1, dtype=np.int64)
        position[cols] = np.arange(len(cols))
        if preselected is not None:
            fixed = [i for i in preselected if 0 <= i < d and position[i] < 0]
            if fixed:
                raise SeqattnError(f"preselected feature(s) {fixed} are constant in X")
        saved = (self.n_features_to_select, self.preselected)
        try:
            self.n_features_to_select = k
            if preselected is not None:
                self.preselected = [int(position[i]) if 0 <= i < d else i for i in preselected]
            if isinstance(Xv, torch.Tensor):
                sub = Xv[:, torch.as_tensor(cols, device=Xv.device)]
            else:
                sub = Xv[:, cols]
            super().fit(sub, y, groups)
        finally:
            self.n_features_to_select, self.preselected = saved
        reduced_order = np.argsort(self.ranking_, kind="stable")
        self.selected_features_ = cols[self.selected_features_]
        self.ranking_ = ranking_with_constant_last(cols[reduced_order], cols, d)
        self.selected_groups_ = [
            str(names[j]) if names is not None else int(j) for j in self.selected_features_
        ]
        history = np.full((self.attention_history_.shape[0], d), np.nan)
        history[:, cols] = self.attention_history_
        self.attention_history_ = history
        self.n_features_in_ = d
        self.n_constant_features_ = n_constant
        if names is not None:
            self.feature_names_in_ = names
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return self
