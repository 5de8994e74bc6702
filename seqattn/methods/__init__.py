"""Registry of feature-selection methods behind one interface.

``get_method(name, **options).select(X, y, k, random_state=0) -> (order, scores)``.
See ``CONTRIBUTING.md`` for the contract and ``available_methods()`` for the names.
"""

from seqattn.methods import univariate  # noqa: F401  (registers its methods)
from seqattn.methods._base import (
    SelectionMethod,
    available_methods,
    get_method,
    ranking_to_panel,
    register,
)

__all__ = ["SelectionMethod", "available_methods", "get_method", "ranking_to_panel", "register"]
