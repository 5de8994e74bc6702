"""The Sequential Attention engine (torch) and its scikit-learn face.

- :class:`SequentialAttentionSelector`: the scikit-learn selector.
- :func:`sequential_attention`: the algorithm on arrays, returning a
  :class:`SelectionResult` with the full records.

Imports no other seqattn module except ``seqattn._errors`` and ``seqattn._panel`` (what every
selector does the same way, shared with ``seqattn.methods``).
"""

from seqattn.core.selector import SequentialAttentionSelector
from seqattn.core.training import SelectionResult, sequential_attention

__all__ = ["SelectionResult", "SequentialAttentionSelector", "sequential_attention"]
