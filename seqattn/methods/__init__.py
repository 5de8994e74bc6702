"""Registry of feature-selection methods behind one interface.

``get_method(name, **options).select(X, y, k, random_state=0) -> (order, scores)``.
See ``CONTRIBUTING.md`` for the contract and ``available_methods()`` for the names.

Every public module of this package is imported here so that its ``@register``
decorators run; a module must therefore import its heavy third-party package
(cosg, lassonet, ...) inside ``_select``, not at the top.
"""

import importlib as _importlib
import pkgutil as _pkgutil

from seqattn.methods._base import (
    SelectionMethod,
    available_methods,
    get_method,
    ranking_to_panel,
    register,
)

for _info in _pkgutil.iter_modules(__path__):
    if not _info.name.startswith("_"):
        _importlib.import_module(f"{__name__}.{_info.name}")

__all__ = ["SelectionMethod", "available_methods", "get_method", "ranking_to_panel", "register"]
