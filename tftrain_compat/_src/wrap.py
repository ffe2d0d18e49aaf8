"""The one mechanism that turns TF2 functions into TF1 node builders.

Three tiers (as in array-api-compat): plain aliases for non-op objects (dtypes, error classes);
``graph_op(fn, renames)`` for any TF2 function, with TF1's renamed keyword arguments mapped to
TF2's; hand-written functions (in ``ops_*.py``) only where TF1's semantics differ.
"""
from __future__ import annotations

import functools
import inspect
import types
from typing import Any, Callable, Mapping

import tensorflow as tf

from tftrain_compat._src import tensor as _tensor
from tftrain_compat._src.tables import LEGACY_KWARGS

__all__ = ["LEGACY_KWARGS", "graph_op", "rename_kwargs"]


def rename_kwargs(kwargs: dict, renames: Mapping[str, str]) -> dict:
    """Applies ``renames`` (old -> new); giving both raises TF1's ValueError."""
    for old, new in renames.items():
        if old in kwargs:
            value = kwargs.pop(old)
            if value is None:
                kwargs.setdefault(new, None)
                continue
            if kwargs.get(new) is not None:
                raise ValueError(f"Cannot specify both '{old}' and '{new}'.")
            kwargs[new] = value
    return kwargs


def legacy_renames(fn: Callable) -> dict[str, str]:
    """The entries of ``LEGACY_KWARGS`` that apply to ``fn``: TF1 keywords ``fn`` no longer takes
    whose TF2 name it does take (``keep_dims`` -> ``keepdims`` for every ``reduce_*``)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {}
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        return {}
    return {old: new for old, new in LEGACY_KWARGS.items() if old not in params and new in params}


def graph_op(fn: Callable, renames: Mapping[str, str] | None = None,
             defaults: Mapping[str, Any] | None = None, name: str | None = None) -> Callable:
    """Wraps TF2 function ``fn`` so that calling it records a node in the TF1 graph.

    ``renames`` maps TF1 keyword names to ``fn``'s; ``defaults`` replaces a ``None`` argument
    (TF1's ``keepdims=None`` meaning False, say).
    """
    renames = {**legacy_renames(fn), **(renames or {})}
    defaults = dict(defaults or {})

    @functools.wraps(fn)
    def builder(*args, **kwargs):
        if renames:
            rename_kwargs(kwargs, renames)
        for key, value in defaults.items():
            if kwargs.get(key) is None and key in kwargs:
                kwargs[key] = value
        return _tensor.call_in_graph(fn, args, kwargs)

    if name:
        builder.__name__ = builder.__qualname__ = name
    setattr(builder, "__tf2_function__", fn)  # the TF2 function it records
    return builder


def wraps_tf2(obj: Any) -> Any:
    """Generic fallback for a TF2 attribute: functions become node builders, modules wrap their
    members the same way, classes and constants pass through unchanged."""
    if isinstance(obj, types.ModuleType):
        return WrappedModule(obj)
    if inspect.isclass(obj) or not callable(obj):
        return obj
    return graph_op(obj)


class WrappedModule(types.ModuleType):
    """A TF2 module (``tf.math``, ``tf.image``...) whose functions record TF1 graph nodes."""

    def __init__(self, module: types.ModuleType, overrides: Mapping[str, Any] | None = None):
        super().__init__(module.__name__)
        self._module = module
        self._overrides = dict(overrides or {})

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self._overrides:
            return self._overrides[name]
        value = wraps_tf2(getattr(self._module, name))
        setattr(self, name, value)
        return value

    def __dir__(self):
        return sorted(set(dir(self._module)) | set(self._overrides))


class GuardedModule(types.ModuleType):
    """A TF2 module passed through as it is (``tf.keras``, ``tf.summary``), except that a TF1
    name listed as unsupported (``tf.summary.FileWriter``) raises the error naming its TF2
    replacement instead of resolving to a TF2 function with other semantics."""

    def __init__(self, module: types.ModuleType, tf1_path: str):
        super().__init__(module.__name__)
        self._module = module
        self._tf1_path = tf1_path

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        from tftrain_compat._src import unsupported
        err = unsupported.unsupported_error(f"{self._tf1_path}.{name}")
        if err is not None:
            raise err
        try:
            return getattr(self._module, name)
        except AttributeError:
            raise unsupported.missing_error(f"{self._tf1_path}.{name}") from None

    def __dir__(self):
        return dir(self._module)
