"""Sequential Attention (Yasuda et al., ICLR 2023) in the registry.

Imports torch (through ``seqattn.core``), so ``seqattn.methods`` registers this module by
name and imports it on first use (``get_method("sequential_attention")``).
"""

from __future__ import annotations

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
