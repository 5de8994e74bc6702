"""Registry of feature-selection methods, each a scikit-learn selector.

``get_method(name)`` is the class (a :class:`PanelSelector` subclass, or
:class:`seqattn.SequentialAttentionSelector`'s registered subclass); a method's options
are its constructor parameters. ``make_selector(name, k, options, random_state)`` builds
one with its options checked; ``available_methods()`` lists the names. See
``CONTRIBUTING.md`` for the contract.

Every public module of this package is imported here so that its ``@register``
decorators run; a module must therefore import its heavy third-party package
(cosg, lassonet, ...) inside ``_select``, not at the top. Sequential Attention imports
torch at the top, so its module is registered by name and imported on first use.
"""

import importlib as _importlib
import pkgutil as _pkgutil

from seqattn.methods._base import (
    CONSTRAINT_PARAMETERS,
    FIXED_PARAMETERS,
    PanelSelector,
    available_methods,
    get_method,
    make_selector,
    method_parameters,
    ranking_to_panel,
    register,
    register_module,
)

register_module("sequential_attention", f"{__name__}.sequential_attention")
for _info in _pkgutil.iter_modules(__path__):
    if not _info.name.startswith("_") and _info.name != "sequential_attention":
        _importlib.import_module(f"{__name__}.{_info.name}")

__all__ = [
    "CONSTRAINT_PARAMETERS",
    "FIXED_PARAMETERS",
    "PanelSelector",
    "available_methods",
    "get_method",
    "make_selector",
    "method_parameters",
    "ranking_to_panel",
    "register",
    "register_module",
]
