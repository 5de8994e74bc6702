"""Does a config value fit an option's type annotation? (The workflow checks its config.)

A leaf utility: imports nothing from seqattn. Values are what YAML/JSON give (None, bool,
int, float, str, list, dict); annotations are those of a method's ``__init__``.
"""

from __future__ import annotations

import inspect
import numbers
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any


def value_matches(value: Any, annotation: Any) -> bool:
    """Whether ``value`` fits ``annotation`` (True for an annotation this cannot judge)."""
    if annotation is Any or annotation is inspect.Parameter.empty:
        return True
    if annotation is None or annotation is type(None):
        return value is None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        return any(value_matches(value, a) for a in args)
    if origin is typing.Literal:
        return value in args
    if annotation is bool:
        return isinstance(value, bool)
    if annotation is int:
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if annotation is float:
        return isinstance(value, numbers.Real) and not isinstance(value, bool)
    if annotation is str:
        return isinstance(value, str)
    if origin in (tuple, list, Sequence) or annotation in (tuple, list):
        if not isinstance(value, list | tuple):
            return False
        if origin is tuple and args and args[-1] is not Ellipsis:
            return len(value) == len(args) and all(map(value_matches, value, args))
        return not args or all(value_matches(v, args[0]) for v in value)
    if origin in (dict, Mapping) or annotation is dict:
        if not isinstance(value, Mapping):
            return False
        return len(args) != 2 or all(value_matches(v, args[1]) for v in value.values())
    if isinstance(annotation, type):
        return isinstance(value, annotation)
    return True


def annotation_problem(cls: type, option: str, value: Any) -> str | None:
    """One line when ``value`` does not fit the annotation of ``cls.__init__``'s parameter
    ``option``; None when it fits, or when ``option`` is no parameter (the caller reports
    unknown options with the method's own list)."""
    init = cls.__init__
    param = inspect.signature(init).parameters.get(option)
    if param is None or param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
        return None
    text = param.annotation
    if isinstance(text, str):  # postponed annotations: evaluate in the defining module
        try:
            annotation = eval(text, dict(getattr(init, "__globals__", {})))
        except Exception:
            return None
    else:
        annotation, text = text, getattr(text, "__name__", repr(text))
    if value_matches(value, annotation):
        return None
    return f"{value!r} is a {type(value).__name__}; expected {text}"
