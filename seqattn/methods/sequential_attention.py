"""Sequential Attention (Yasuda et al., ICLR 2023) behind the registry interface."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from seqattn.methods._base import SelectionMethod, register

#: Options passed through to the selector (all its parameters but the panel size and
#: seed, which ``select`` sets). Kept as names so building the method imports no torch.
OPTIONS = (
    "n_per_step",
    "model",
    "hidden",
    "epochs",
    "batch_size",
    "lr",
    "weight_decay",
    "n_restarts",
    "bootstrap",
    "phase_lr_scale",
    "hold_candidate_norms",
    "class_weight",
    "task",
    "preselected",
    "pick",
    "shortlist",
    "device",
    "verbose",
)


@register
class SequentialAttentionMethod(SelectionMethod):
    """Sequential Attention: greedy-like forward selection from one network training.

    Options are the parameters of :class:`seqattn.SequentialAttentionSelector` named in
    :data:`OPTIONS`; the panel size and seed come from :meth:`select`. Scores are the
    attention weight each feature had when picked. Cost: one training run of
    ``(2 + k) * S`` mini-batch steps (``S`` = 200-1,000, see ``seqattn.core.schedule``),
    each O(batch x d x hidden x n_restarts).
    """

    name = "sequential_attention"
    ordered = True

    def __init__(self, **options: Any) -> None:
        super().__init__()
        unknown = sorted(set(options) - set(OPTIONS))
        if unknown:
            # get_method turns this into a SeqattnError naming the method.
            raise TypeError(f"unknown option(s) {unknown}; known: {', '.join(OPTIONS)}")
        self.options = dict(options)

    @classmethod
    def option_annotations(cls) -> dict[str, str]:
        """The selector's annotation of each option, read from its source (no torch import)."""
        from seqattn.methods._base import annotations_from_source

        source = Path(__file__).resolve().parents[1] / "core" / "selector.py"
        found = annotations_from_source(source, "SequentialAttentionSelector")
        return {name: found.get(name, "Any") for name in OPTIONS}

    def _select(
        self, X: Any, y: np.ndarray, k: int, *, random_state: int
    ) -> tuple[np.ndarray, np.ndarray]:
        from seqattn.core import SequentialAttentionSelector

        selector = SequentialAttentionSelector(k, random_state=random_state, **self.options)
        selector.fit(X, y)
        self.info_ = {
            "attention_history": selector.attention_history_,
            "loss_curve": selector.loss_curve_,
            "device": selector.device_,
            "pick_steps": selector.pick_steps_,
            "schedule": selector.schedule_,
        }
        return selector.selected_features_, selector.selection_scores_
